"""The LMS's small template helpers."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

from apps.core.platform import pagecache
from apps.lms.selectors import NAMESPACE

register = template.Library()


@register.filter
def duration(minutes: int | None) -> str:
    """Minutes as people read them: "45 min", "2 h", "3 h 20 min"."""
    minutes = int(minutes or 0)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


@register.simple_tag(takes_context=True)
def course_outline(context: template.Context, view: Any, current: Any = None) -> str:
    """The course's outline (lms/_outline.html) for this reader. A reader who neither teaches the
    live course nor is enrolled in it sees what every such reader sees (no progress, no drafts,
    the same locks), so that outline is rendered once per lesson being read and kept in the
    "lms" fragment cache, which every write of the course or its outline clears."""
    values = {"view": view, "current": current}
    if view.teaches or view.enrolled or not view.course.live:
        return render_to_string("lms/_outline.html", values, request=context.get("request"))
    name = f"outline-html:{view.course.pk}:{getattr(current, 'pk', 0)}"
    return pagecache.cached(NAMESPACE, name, lambda: render_to_string("lms/_outline.html", values))
