from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from apps.core.accounts import services
from apps.core.accounts.dashboards import home_for
from apps.core.models import SiteComponent, SitePage, Theme, User
from apps.core.platform.hooks import DemoAccount, registry
from apps.core.publishing import services as publishing
from apps.core.site.services import site_component_get_or_create
from apps.core.site.views import ACCOUNT_PROMISE

# The seed system's accounts of core's roles (the first three keep their published passwords).
# The domains' accounts come from their hooks and are made between the staff and the student.
CORE_STAFF_ACCOUNTS = (
    DemoAccount("superadmin@freelancer.dev", "SuperAdmin123!", "super_admin", "Sam Super"),
    DemoAccount("admin@freelancer.dev", "AdminPass123!", "admin", "Ada Admin"),
    DemoAccount("instructor@test.com", "Instructor123!", "instructor", "Ian Instructor"),
    DemoAccount("shopowner@test.com", "Shopowner123!", "shop_owner", "Shay Shopowner"),
)
CORE_MEMBER_ACCOUNTS = (DemoAccount("student@test.com", "Student123!", "student", "Stu Student"),)


def demo_accounts() -> list[dict[str, str]]:
    """One account per role, core's and the installed hooks', as plain dicts."""
    accounts = (*CORE_STAFF_ACCOUNTS, *registry().demo_accounts, *CORE_MEMBER_ACCOUNTS)
    return [{"email": a.email, "password": a.password, "role": a.role, "name": a.name} for a in accounts]


# Management commands are imported once Django is set up, so the hooks can be read here.
DEMO_ACCOUNTS: list[dict[str, str]] = demo_accounts()


DEMO_PAGES: list[dict[str, Any]] = [
    {
        "title": "About",
        "slug": "about",
        "seo_description": "What this platform is and who runs it.",
        "body": [
            {"type": "heading", "text": "One platform, one account", "level": 2},
            {
                "type": "rich_text",
                "html": "<p>Everything this site offers runs on a single account and a single set of "
                "permissions: the account you comment with is the one staff write, review and moderate with.</p>",
            },
            {"type": "slot", "name": "signup_prompt"},
            {"type": "cta", "text": "Explore the API", "url": "/api/docs/", "style": "secondary"},
        ],
    },
    {
        "title": "Terms of use",
        "slug": "terms",
        "seo_description": "The rules for using this site.",
        "body": [
            {
                "type": "rich_text",
                "html": "<p>Be kind, post only what you have the right to share, and keep your password to "
                "yourself. Staff may remove content that breaks these rules.</p>",
            },
        ],
    },
]


DEMO_THEME: dict[str, Any] = {
    "name": "Platform",
    "tokens": {
        "color-primary": {"light": "#2f5bea", "dark": "#7c9cff"},
        "color-accent": {"light": "#0f9d84", "dark": "#3cc7ab"},
        "font-body": "system",
        "radius": "0.5rem",
    },
}


def _card(title: str, html: str) -> list[dict[str, Any]]:
    return [{"type": "heading", "text": title, "level": 3}, {"type": "rich_text", "html": html}]


# The header, home and footer, as an editor would publish them (the home reproduces the
# built-in home page as blocks).
DEMO_COMPONENTS: dict[str, dict[str, Any]] = {
    "header": {
        "menu": [
            {"label": "About", "url": "/about/"},
            {"label": "Terms of use", "url": "/terms/"},
            {"label": "Status", "url": "/status/"},
            {"label": "API", "url": "/api/docs/"},
        ]
    },
    "home": {
        "sections": [
            # Only what the site does today: demo_components() puts the installed apps' own promise
            # and public calls to action here, as the built-in home does.
            {"type": "heading", "text": "Everything on this site, on one account.", "level": 2},
            # The installed apps' blocks (see demo_components) go here.
            {
                "type": "columns",
                "columns": [
                    _card(
                        "One identity",
                        "<p>A single account signs in everywhere, from the comment box to the staff admin.</p>",
                    ),
                    _card(
                        "One site and theme",
                        "<p>Every page is drawn from the same theme variables, so a change of colour reaches "
                        "them all.</p>",
                    ),
                    _card(
                        "One API",
                        '<p>An OpenAPI 3 schema describes every endpoint; <a href="/api/schema/">download it</a> '
                        "or browse the docs.</p>",
                    ),
                ],
            },
        ]
    },
    "footer": {
        "blocks": [{"type": "rich_text", "html": "<p>One account for reading, writing and discussing.</p>"}],
        "links": [
            {"label": "About", "url": "/about/"},
            {"label": "Terms of use", "url": "/terms/"},
            {"label": "Status", "url": "/status/"},
        ],
    },
}


def demo_components() -> dict[str, dict[str, Any]]:
    """The demo header, home and footer with the installed apps' parts: their public navigation
    links first in the menu, their home blocks after the calls to action."""
    hooks = registry()
    public_links = [{"label": link.label, "url": reverse(link.url_name)} for link in hooks.nav if link.show is None]
    header = {"menu": [*public_links, *DEMO_COMPONENTS["header"]["menu"]]}
    sections = list(DEMO_COMPONENTS["home"]["sections"])
    promise = " ".join([*hooks.home_intros, ACCOUNT_PROMISE])
    calls = [
        {"type": "cta", "text": link.label, "url": reverse(link.url_name), "style": "primary" if not i else "secondary"}
        for i, link in enumerate(link for link in hooks.home_actions if link.show is None)
    ]
    calls.append({"type": "cta", "text": "Create an account", "url": reverse("register"), "style": "secondary"})
    sections[1:1] = [{"type": "rich_text", "html": f"<p>{escape(promise)}</p>"}, *calls, *map(dict, hooks.demo_home)]
    return {**DEMO_COMPONENTS, "header": header, "home": {"sections": sections}}


class Command(BaseCommand):
    help = "Create the demo accounts and data. Safe to run again: what exists is kept, missing roles are granted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never on a real site).")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with published passwords; with DEBUG off, pass --force.")
        rows = [("email", "password", "role", "dashboard", "state")]
        with transaction.atomic():
            for account in demo_accounts():
                rows.append(self._account(account))
        self._table(rows)
        admin = User.objects.get(email="admin@freelancer.dev")
        self._pages(admin)
        self._theme(admin)
        self._site_components(admin)
        # Each domain seeds its own content through its own services, in INSTALLED_APPS order.
        for seed in registry().demo_seeds:
            seed(write=self.stdout.write)

    def _site_components(self, author: User) -> None:
        # Through the engine, like the pages: the empty row, revision 1, then publish.
        for key, content in demo_components().items():
            if SiteComponent.objects.filter(key=key).exists():
                continue
            component = site_component_get_or_create(key=key, author=author)
            publishing.draft_save(obj=component, content={"content": content}, author=author, based_on=0)
            publishing.publish(obj=component, author=author)
            self.stdout.write(f"site component {key!r} published")

    def _theme(self, author: User) -> None:
        if Theme.objects.exists():
            return
        theme = publishing.draft_create(model=Theme, content=DEMO_THEME, author=author)
        publishing.publish(obj=theme, author=author)
        publishing.theme_activate(theme=theme, author=author)
        self.stdout.write(f"theme {theme.name!r} published and active")

    def _pages(self, author: User) -> None:
        # Published through the engine, as an editor would: revision 1, then publish.
        for content in DEMO_PAGES:
            if SitePage.objects.filter(slug=content["slug"]).exists():
                continue
            page = publishing.draft_create(model=SitePage, content=content, author=author)
            publishing.publish(obj=page, author=author)
            self.stdout.write(f"page /{page.slug}/ published")

    def _account(self, account: dict[str, str]) -> tuple[str, ...]:
        user, created = User.objects.get_or_create(
            email=account["email"],
            defaults={"display_name": account["name"], "email_verified_at": timezone.now()},
        )
        if created:
            user.set_password(account["password"])
            user.save(update_fields=["password"])
        granted = services.role_grant(actor=None, user=user, role=account["role"])
        state = "created" if created else ("role granted" if granted else "exists")
        return (user.email, account["password"], account["role"], f"/dashboard/{home_for(user).key}/", state)

    def _table(self, rows: list[tuple[str, ...]]) -> None:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for index, row in enumerate(rows):
            line = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
            self.stdout.write(self.style.MIGRATE_HEADING(line) if index == 0 else line)
