"""``{% dm_unread_count as n %}``: the header's unread direct messages (one page-cache read)."""

from __future__ import annotations

from django import template
from django.template import Context

from apps.social.selectors_messages import unread_total_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def dm_unread_count(context: Context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if request is None:
        return unread_total_for_user(user)
    # Kept on the request: a page including the header twice still reads the cache once.
    if not hasattr(request, "_dm_unread_count"):
        request._dm_unread_count = unread_total_for_user(user)
    return request._dm_unread_count
