"""Signal receivers of the shop (connected in CommerceConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from apps.commerce.services.cart import cart_merge


@receiver(user_logged_in, dispatch_uid="commerce.merge_cart")
def merge_cart_on_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A visitor's session cart joins the account's cart when they sign in."""
    session = getattr(request, "session", None) if request is not None else None
    if session is None:
        return
    for notice in cart_merge(user=user, session=session):
        if hasattr(request, "_messages"):
            messages.info(request, notice)
