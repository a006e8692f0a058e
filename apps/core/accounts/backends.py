from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from apps.core.accounts import permissions
from apps.core.accounts.roles import RoleName
from apps.core.platform import pagecache

ROLES_NAMESPACE = "roles"  # the fragment cache's namespace of each user's granted roles


class RoleBackend(ModelBackend):
    """Email and password sign-in; model permissions derived from roles.

    Loads each session's user with its roles (kept in the fragment cache by role version), so
    every policy check in the request is set arithmetic. Super admins and admins hold every model permission (the admin
    site asks here); everyone else gets only what groups and user permissions give them.
    Object permissions are left to guardian's backend, listed after this one.
    """

    def get_user(self, user_id: Any) -> Any:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        # The roles are kept in the fragment cache under the user's role_version, which every
        # grant, revocation, deactivation and password change bumps: a change is seen by the
        # next request, and a steady session costs the one query for its user.
        names = pagecache.cached(
            ROLES_NAMESPACE,
            f"{user.pk}:{user.role_version}",
            lambda: tuple(user.roles.values_list("name", flat=True)),
        )
        permissions.remember_roles(user, names)
        return user

    def _role_grants_all(self, user_obj: Any) -> bool:
        return user_obj.is_active and permissions.has_role(user_obj, RoleName.ADMIN)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if obj is None and self._role_grants_all(user_obj):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if self._role_grants_all(user_obj):
            return True
        return super().has_module_perms(user_obj, app_label)
