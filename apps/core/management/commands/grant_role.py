from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core import roles, services
from apps.core.models import User, normalize_email


class RoleCommand(BaseCommand):
    """Shared by grant_role and revoke_role: find the user, check the role, call the service."""

    verb = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("role", help=", ".join(roles.names()))

    def handle(self, *args: Any, email: str, role: str, **options: Any) -> None:
        user = User.objects.filter(email=normalize_email(email)).first()
        if user is None:
            raise CommandError(f"No account has the email {email!r}.")
        if roles.get(role) is None:
            raise CommandError(f"Unknown role {role!r}; choose one of: {', '.join(roles.names())}.")
        try:
            changed = self.apply(user, role)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        state = self.verb if changed else f"unchanged (already {'held' if self.verb == 'granted' else 'absent'})"
        self.stdout.write(self.style.SUCCESS(f"{role} {state} for {user.email}"))

    def apply(self, user: User, role: str) -> bool:
        raise NotImplementedError


class Command(RoleCommand):
    help = "Grant a role to the account with this email (its API tokens stop working at once)."
    verb = "granted"

    def apply(self, user: User, role: str) -> bool:
        return services.role_grant(actor=None, user=user, role=role)
