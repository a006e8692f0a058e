"""``{% load presence %}``: people's online status (core's presence service) in templates.

- ``{% presence_badge user %}``: components/presence.html for ``user`` as the request's user may
  see it (nothing when hidden); one store round trip and the policies' few queries.
- On a list, read everyone at once and hand the answer to each badge, so the page costs one round
  trip however long it is::

      {% presence_statuses people as presence_map %}
      {% for person in people %}{% presence_badge person statuses=presence_map %}{% endfor %}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from apps.core.platform import presence

register = template.Library()


def _viewer(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def presence_statuses(context: template.Context, users: Iterable[Any]) -> dict[int, presence.Status]:
    """The statuses of ``users`` the viewer may see, by user id (hidden ones are absent)."""
    return presence.statuses(_viewer(context), users)


@register.simple_tag(takes_context=True)
def presence_badge(
    context: template.Context, user: Any, statuses: Mapping[int, presence.Status] | None = None
) -> SafeString:
    """``user``'s presence badge, or nothing when the viewer may not see it. With ``statuses``
    (from ``presence_statuses``) nothing more is read."""
    if user is None:
        return SafeString("")
    user_id = user if isinstance(user, int) else user.pk
    found = statuses.get(user_id) if statuses is not None else presence.status(_viewer(context), user_id)
    if found is None:
        return SafeString("")
    return render_to_string(
        "components/presence.html", {"user_id": user_id, "state": found.state, "last_seen": found.last_seen}
    )
