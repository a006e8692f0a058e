"""``{% idempotency_field %}``: the hidden field with a fresh idempotency key, in every POST form
(a builtin: no ``{% load %}``). Submitting one rendered form twice is one write; see
apps/core/platform/idempotency.py."""

from __future__ import annotations

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from apps.core.platform.idempotency import form_field_html

register = template.Library()


@register.simple_tag(takes_context=True)
def idempotency_field(context: Context) -> SafeString:
    return mark_safe(form_field_html(context.get("request")))  # noqa: S308 - our own markup, a random token
