"""Core's notification centre, one for every domain: grouped notifications ("Ana and 3 others
replied to your comment on 'Title'"), the header's bell kept live over ``ws/notifications/``, the
``/notifications/`` page, per-kind preferences per channel (in the app; email at once, daily or
weekly digest, or none), emails from the worker with a signed one-click unsubscribe link, and an
API.

A domain declares its kinds in its app hook's ``notification_kinds``
(``NotificationKind(name="<domain>.<noun>", ...)``) and calls ``notify(...)`` from its event
subscribers. Models in models.py (app label core), writes in services.py, reads in selectors.py,
the bell's socket in consumers.py, the digests in tasks.py; docs/notifications.md tells the story.
"""

from apps.core.platform.faces import lazy_face

_EXPORTS = {
    # what a domain declares in its hook
    "NotificationKind": "apps.core.notifications.registry",
    "Email": "apps.core.notifications.registry",
    # what a domain's subscribers call
    "notify": "apps.core.notifications.services",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_face(__name__, _EXPORTS)
