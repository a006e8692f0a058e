import logging

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate

logger = logging.getLogger(__name__)


def ensure_document_indexes(**kwargs: object) -> None:
    # Documents have no migrations; their indexes are declared in code and created with the
    # SQL schema. An unreachable store must not fail a SQL migration, so it only warns.
    from apps.core.platform import documents

    try:
        documents.ensure_indexes()
    except Exception as exc:
        logger.warning("document indexes not created (%s); run migrate again once the store is up", exc)


def ensure_search_triggers(using: str = "default", **kwargs: object) -> None:
    # A later SQLite migration that remakes an indexed table drops its full-text triggers with
    # the old table; they come back here (and the index is rebuilt) after every migrate.
    from apps.core.platform.search import ensure_sqlite_triggers

    ensure_sqlite_triggers(using)


def ensure_role_rows(**kwargs: object) -> None:
    # Core's roles got their rows from a data migration; the app hooks' roles (and any added
    # later) get theirs here, after every migrate. get_or_create keeps it idempotent.
    from apps.core.accounts import roles
    from apps.core.models import Role

    existing = set(Role.objects.values_list("name", flat=True))
    for name in roles.names():
        if name not in existing:
            Role.objects.get_or_create(name=name)


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Platform"

    def ready(self) -> None:
        # Importing registers system checks and the activity log's indexes.
        from apps.core.accounts import roles  # noqa: F401
        from apps.core.accounts.dashboards import register_panel
        from apps.core.accounts.panels import register_core_panels
        from apps.core.blocks.slots import register_core_slots, register_slot
        from apps.core.comments.registry import register as register_commentable

        # checks and events register on import; converters registers <id:...> for every urlconf.
        from apps.core.platform import checks, converters, events  # noqa: F401
        from apps.core.platform.hooks import registry
        from apps.core.publishing import revisions  # noqa: F401

        # The app hooks are read and checked once, at startup: a clash fails here, not mid-request.
        hooks = registry()
        roles.hierarchy()
        register_core_panels()
        for panel in hooks.panels:
            register_panel(panel)

        from apps.core.comments import handlers as comment_handlers
        from apps.core.site import handlers

        handlers.connect()
        comment_handlers.connect()
        register_core_slots()
        for slot in hooks.slots:
            register_slot(slot.name, slot.renderer, description=slot.description)
        for kind in hooks.commentables:
            register_commentable(kind)
        from apps.core.notifications.registry import register as register_notification_kind

        for notification_kind in hooks.notification_kinds:
            register_notification_kind(notification_kind)
        from apps.core.reports.registry import register as register_reportable

        for reportable in hooks.reportables:
            register_reportable(reportable)

        post_migrate.connect(ensure_document_indexes, sender=self, dispatch_uid="core.document_indexes")
        post_migrate.connect(ensure_role_rows, sender=self, dispatch_uid="core.role_rows")
        post_migrate.connect(ensure_search_triggers, sender=self, dispatch_uid="core.search_triggers")


class PlatformAdminConfig(admin_apps.AdminConfig):
    """The Django admin, with the platform's admin site (a "Site" section) as ``admin.site``."""

    default = False  # CoreConfig stays this module's default

    default_site = "apps.core.site.admin_site.PlatformAdminSite"
