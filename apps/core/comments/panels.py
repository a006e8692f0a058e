"""The moderation queue on dashboards: a panel with the number of comments waiting, linking to
the queue. A domain adds one to its own dashboard, narrowed to its domain, with one
``register_panel(moderation_panel(...))``; every moderator also has the header's link."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from apps.core.accounts.dashboards import Panel
from apps.core.comments import permissions, selectors


def moderation_panel(*, key: str, dashboards: frozenset[str], domain: str = "", order: int = 14) -> Panel:
    """A "Comments to moderate" panel on ``dashboards``, counting what waits for the viewer
    (narrowed to ``domain`` when given), shown to those who moderate any kind."""

    def context(user: Any) -> dict[str, Any]:
        query = f"?{urlencode({'domain': domain})}" if domain else ""
        waiting = selectors.moderation_waiting_count(viewer=user, domain=domain)
        queue_url = reverse("comments:moderation") + query
        return {
            "waiting": waiting,
            "queue_url": queue_url,
            "tiles": [{"label": "Comments to moderate", "count": waiting, "url": queue_url}],
        }

    return Panel(
        key,
        "Comments to moderate",
        "comments/_moderation_panel.html",
        dashboards,
        context,
        order=order,
        show=permissions.can_moderate_comments,
    )
