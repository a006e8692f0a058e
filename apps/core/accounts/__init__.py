"""Core's accounts room: people's identity and access. Roles (``roles``), the access policy
(``permissions``), the authentication backend, lockout (``security``), the account forms, pages
and services (registration, verification, profile, roles, activation, credentials), the
dashboards and their panels, and the reads about people (``selectors``).

This face names what other apps may use; everything else here is core's own.
"""

from apps.core.platform.faces import lazy_face

_EXPORTS = {
    # the policy: role checks every app's permissions.py builds on
    "has_role": "apps.core.accounts.permissions",
    "held_roles": "apps.core.accounts.permissions",
    # roles a domain app declares (apps/<app>/roles.py)
    "RoleName": "apps.core.accounts.roles",
    "RoleSpec": "apps.core.accounts.roles",
    "effective_roles": "apps.core.accounts.roles",
    # dashboards and panels a domain app contributes
    "Dashboard": "apps.core.accounts.dashboards",
    "Panel": "apps.core.accounts.dashboards",
    "Tool": "apps.core.accounts.dashboards",
    # a fixed-window rate limit in the cache (an app's own limits: say announcements a day)
    "rate_limited": "apps.core.accounts.security",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_face(__name__, _EXPORTS)
