from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from apps.core.models import User

# The seed system's administrator; the identity layer adds the other roles' accounts.
DEMO_ACCOUNTS: list[dict[str, Any]] = [
    {
        "email": "admin@freelancer.dev",
        "password": "AdminPass123!",
        "display_name": "Demo Admin",
        "is_staff": True,
        "is_superuser": True,
    },
]


class Command(BaseCommand):
    help = "Create the demo accounts and data. Safe to run again: what exists is left as it is."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never on a real site).")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with published passwords; with DEBUG off, pass --force.")
        rows = []
        with transaction.atomic():
            for account in DEMO_ACCOUNTS:
                fields = {k: v for k, v in account.items() if k not in ("email", "password")}
                user, created = User.objects.get_or_create(email=account["email"], defaults=fields)
                if created:
                    user.set_password(account["password"])
                    user.save(update_fields=["password"])
                role = "super user" if user.is_superuser else ("staff" if user.is_staff else "member")
                rows.append((user.email, account["password"], role, "created" if created else "exists"))
        self._table([("email", "password", "access", "state"), *rows])

    def _table(self, rows: list[tuple[str, ...]]) -> None:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for index, row in enumerate(rows):
            line = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
            self.stdout.write(self.style.MIGRATE_HEADING(line) if index == 0 else line)
