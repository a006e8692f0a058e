from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from apps.core import permissions, services
from apps.core.dashboards import home_for
from apps.core.models import User

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

    def _account(self, account: dict[str, str]) -> tuple[str, ...]:
        user, created = User.objects.get_or_create(
            email=account["email"],
            defaults={"display_name": account["name"], "email_verified_at": timezone.now()},
        )
        if created:
            user.set_password(account["password"])
            user.save(update_fields=["password"])
        granted = services.role_grant(actor=None, user=user, role=account["role"])
        permissions.forget_roles(user)
        state = "created" if created else ("role granted" if granted else "exists")
        return (user.email, account["password"], account["role"], f"/dashboard/{home_for(user).key}/", state)

    def _table(self, rows: list[tuple[str, ...]]) -> None:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for index, row in enumerate(rows):
            line = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
            self.stdout.write(self.style.MIGRATE_HEADING(line) if index == 0 else line)
