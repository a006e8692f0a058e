from __future__ import annotations

from apps.core.accounts import services
from apps.core.management.commands.grant_role import RoleCommand
from apps.core.models import User


class Command(RoleCommand):
    help = "Revoke a role from the account with this email (its API tokens stop working at once)."
    verb = "revoked"

    def apply(self, actor: User, user: User, role: str) -> bool:
        return services.role_revoke(actor=actor, user=user, role=role)
