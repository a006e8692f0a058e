"""List and clear sign-in lockouts (``apps.core.accounts.security``): an operator's answer to "I am locked out"."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.accounts import security
from apps.core.models import normalize_email

USAGE = "Name an email, --address IP or --all (one of them)."


class Command(BaseCommand):
    help = (
        "List the sign-in lockouts in force (accounts, account-and-address pairs, addresses waiting) "
        "or clear them: `lockouts list`, `lockouts clear EMAIL`, `lockouts clear --address IP`, "
        "`lockouts clear --all`. Acts on the lockout counters only, as no user."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="The lockouts and waits in force, longest first.")
        clear = actions.add_parser("clear", help="Clear an account's lockouts, an address's, or all.")
        clear.add_argument("email", nargs="?", default="", help="the account's email (any case)")
        clear.add_argument("--address", default="", help="a client address, as `list` shows it")
        clear.add_argument("--all", action="store_true", help="every lockout and wait")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "list":
            self._list()
        else:
            self._clear(email=options["email"], address=options["address"], everything=options["all"])

    def _list(self) -> None:
        entries = security.lockouts_list()
        if not entries:
            self.stdout.write("No lockouts.")
            return
        for entry in entries:
            who = " ".join(part for part in (entry.email, entry.ip) if part)
            self.stdout.write(f"{entry.kind:<8} {who}  {entry.failures} failures, {entry.retry_after} s left")

    def _clear(self, *, email: str, address: str, everything: bool) -> None:
        if sum(map(bool, (email, address, everything))) != 1:
            raise CommandError(USAGE)
        if everything:
            security.clear_all()
            message = "Cleared every lockout."
        elif address:
            security.clear_address(ip=address.strip())
            message = f"Cleared the lockouts of address {address.strip()}."
        else:
            security.clear_failures(email=email)
            message = f"Cleared the lockouts of {normalize_email(email)}."
        self.stdout.write(self.style.SUCCESS(message))
