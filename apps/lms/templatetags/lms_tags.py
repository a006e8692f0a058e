"""The LMS's small template helpers."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def duration(minutes: int | None) -> str:
    """Minutes as people read them: "45 min", "2 h", "3 h 20 min"."""
    minutes = int(minutes or 0)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"
