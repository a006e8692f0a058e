"""Markdown in templates, for plain-text fields that authors and staff write.

``{{ post.excerpt|markdown }}`` renders block HTML (paragraphs, lists), so it belongs in a
``<div>``, not inside a ``<p>``; ``{{ post.excerpt|markdown_text }}`` gives the words alone, for a
``<meta name="description">``. Comments have their own rules (apps.core.comments.text).
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from apps.core.blocks.markdown import markdown_text as _markdown_text
from apps.core.blocks.markdown import prose_markdown

register = template.Library()


@register.filter
def markdown(text: str | None) -> SafeString:
    return prose_markdown(text or "")


@register.filter
def markdown_text(text: str | None) -> str:
    return _markdown_text(text or "")
