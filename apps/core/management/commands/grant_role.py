from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.accounts import roles, services
from apps.core.models import User, normalize_email


def acting_account(email: str) -> User:
    """The account an operator command acts as: it must exist and be active, and the services then
    hold it to the same rule as the admin (``permissions.account_change_refusal``)."""
    actor = User.objects.filter(email=normalize_email(email), is_active=True).prefetch_related("roles").first()
    if actor is None:
        raise CommandError(f"--as {email!r} names no active account.")
    return actor


class RoleCommand(BaseCommand):
    """Shared by grant_role and revoke_role: find both accounts, check the role, call the service."""

    verb = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("role", help=", ".join(roles.names()))
        parser.add_argument(
            "--as",
            dest="acting_as",
            required=True,
            metavar="EMAIL",
            help="The account this change is made as (and recorded under); it must be above the target's role.",
        )

    def handle(self, *args: Any, email: str, role: str, acting_as: str, **options: Any) -> None:
        actor = acting_account(acting_as)
        user = User.objects.filter(email=normalize_email(email)).first()
        if user is None:
            raise CommandError(f"No account has the email {email!r}.")
        if roles.get(role) is None:
            raise CommandError(f"Unknown role {role!r}; choose one of: {', '.join(roles.names())}.")
        try:
            changed = self.apply(actor, user, role)
        except (PermissionDenied, ValidationError) as exc:
            reason = "; ".join(getattr(exc, "messages", [str(exc)]))
            raise CommandError(f"Acting as {actor.email}: {reason}") from exc
        state = self.verb if changed else f"unchanged (already {'held' if self.verb == 'granted' else 'absent'})"
        self.stdout.write(self.style.SUCCESS(f"{role} {state} for {user.email}, acting as {actor.email}"))

    def apply(self, actor: User, user: User, role: str) -> bool:
        raise NotImplementedError


class Command(RoleCommand):
    help = "Grant a role to the account with this email (its API tokens stop working at once)."
    verb = "granted"

    def apply(self, actor: User, user: User, role: str) -> bool:
        return services.role_grant(actor=actor, user=user, role=role)
