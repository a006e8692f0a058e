import logging

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate

logger = logging.getLogger(__name__)


def ensure_document_indexes(**kwargs: object) -> None:
    # Documents have no migrations; their indexes are declared in code and created with the
    # SQL schema. An unreachable store must not fail a SQL migration, so it only warns.
    from apps.core import documents

    try:
        documents.ensure_indexes()
    except Exception as exc:
        logger.warning("document indexes not created (%s); run migrate again once the store is up", exc)


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Platform"

    def ready(self) -> None:
        # Importing registers system checks and the activity log's indexes.
        from apps.core import checks, events  # noqa: F401
        from apps.core.blocks.slots import register_core_slots
        from apps.core.panels import register_core_panels
        from apps.core.publishing import revisions  # noqa: F401

        register_core_panels()

        from apps.core import handlers
        from apps.core.comments import handlers as comment_handlers

        handlers.connect()
        comment_handlers.connect()
        register_core_slots()

        post_migrate.connect(ensure_document_indexes, sender=self, dispatch_uid="core.document_indexes")


class PlatformAdminConfig(admin_apps.AdminConfig):
    """The Django admin, with the platform's admin site (a "Site" section) as ``admin.site``."""

    default = False  # CoreConfig stays this module's default

    default_site = "apps.core.admin_site.PlatformAdminSite"
