"""``{% cart_count as n %}``: the header's mini-cart count (one query for a customer)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.context import Context
from djmoney.money import Money

from apps.commerce.services.cart import cart_count as count_of

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_count(context: Context) -> int:
    request = context.get("request")
    if request is None:
        return 0
    return count_of(user=request.user, session=getattr(request, "session", None))


@register.filter
def money(amount: Any, currency: str) -> str:
    """``{{ totals.total|money:totals.currency }}``: a Decimal shown as money ("€12.50")."""
    return str(Money(amount, currency))
