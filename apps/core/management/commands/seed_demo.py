from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from apps.core import services
from apps.core.dashboards import home_for
from apps.core.models import SiteComponent, SitePage, Theme, User
from apps.core.publishing import services as publishing

# The seed system's accounts (the first three keep their published passwords), one per role.
DEMO_ACCOUNTS: list[dict[str, str]] = [
    {"email": "superadmin@freelancer.dev", "password": "SuperAdmin123!", "role": "super_admin", "name": "Sam Super"},
    {"email": "admin@freelancer.dev", "password": "AdminPass123!", "role": "admin", "name": "Ada Admin"},
    {"email": "instructor@test.com", "password": "Instructor123!", "role": "instructor", "name": "Ian Instructor"},
    {"email": "shopowner@test.com", "password": "Shopowner123!", "role": "shop_owner", "name": "Shay Shopowner"},
    {"email": "blogadmin@test.com", "password": "BlogAdmin123!", "role": "blog_admin", "name": "Bea Blogadmin"},
    {"email": "author@test.com", "password": "BlogAuthor123!", "role": "blog_author", "name": "Art Author"},
    {"email": "student@test.com", "password": "Student123!", "role": "student", "name": "Stu Student"},
]


DEMO_PAGES: list[dict[str, Any]] = [
    {
        "title": "About",
        "slug": "about",
        "seo_description": "What this platform is and who runs it.",
        "body": [
            {"type": "heading", "text": "One platform, one account", "level": 2},
            {
                "type": "rich_text",
                "html": "<p>This site runs publishing, a shop, courses, a community and live video on a single "
                "account and a single set of permissions.</p>",
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
            {"label": "Blog", "url": "/blog/"},
            {"label": "About", "url": "/about/"},
            {"label": "Terms of use", "url": "/terms/"},
            {"label": "Status", "url": "/status/"},
            {"label": "API", "url": "/api/docs/"},
        ]
    },
    "home": {
        "sections": [
            {"type": "heading", "text": "Publish, sell, teach, connect and stream on one platform.", "level": 2},
            {
                "type": "rich_text",
                "html": "<p>This site runs a blog, a shop, courses, a social network and live video from one "
                "Django project: one account, one set of permissions, one theme, one admin and one API.</p>",
            },
            {"type": "cta", "text": "Explore the API", "url": "/api/docs/", "style": "primary"},
            {"type": "cta", "text": "See system status", "url": "/status/", "style": "secondary"},
            {"type": "heading", "text": "From the blog", "level": 2},
            {"type": "slot", "name": "latest_posts", "options": {"limit": 3}},
            {
                "type": "columns",
                "columns": [
                    _card(
                        "One identity",
                        "<p>A single account signs in everywhere, from the storefront to the staff admin.</p>",
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
        "blocks": [{"type": "rich_text", "html": "<p>One account for publishing, shopping, learning and more.</p>"}],
        "links": [
            {"label": "About", "url": "/about/"},
            {"label": "Terms of use", "url": "/terms/"},
            {"label": "Status", "url": "/status/"},
        ],
    },
}


class Command(BaseCommand):
    help = "Create the demo accounts and data. Safe to run again: what exists is kept, missing roles are granted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never on a real site).")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with published passwords; with DEBUG off, pass --force.")
        rows = [("email", "password", "role", "dashboard", "state")]
        with transaction.atomic():
            for account in DEMO_ACCOUNTS:
                rows.append(self._account(account))
        self._table(rows)
        admin = User.objects.get(email="admin@freelancer.dev")
        self._pages(admin)
        self._theme(admin)
        self._site_components(admin)
        # Each domain seeds its own content through its own services.
        from apps.blog.comments.demo import seed_comment_threads
        from apps.blog.demo import seed_blog

        seed_blog(write=self.stdout.write)
        seed_comment_threads(write=self.stdout.write)

    def _site_components(self, author: User) -> None:
        # Through the engine, like the pages: the empty row, revision 1, then publish.
        for key, content in DEMO_COMPONENTS.items():
            if SiteComponent.objects.filter(key=key).exists():
                continue
            component = services.site_component_get_or_create(key=key, author=author)
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
