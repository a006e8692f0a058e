"""The cart: its page, add-to-cart, quantity changes and removal in place (htmx partials; each a
plain POST and redirect without JavaScript), and the header's mini-cart."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.commerce.services import cart as carts
from apps.core.platform import idempotency_exempt

PAGE = "commerce/cart.html"


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.headers.get("referer") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else reverse("commerce:cart")


def _cart_response(request: HttpRequest, cart: carts.CartView, notices: list[tuple[str, str]]) -> HttpResponse:
    """The cart's body for htmx (with the mini-cart and the toasts out of band), else a redirect."""
    if request.htmx:
        context = {"cart": cart, "toasts": notices, "mini_count": cart.count, "mini_oob": True}
        return render(request, PAGE + "#cart-body", context)
    for tone, text in notices:
        messages.add_message(request, messages.ERROR if tone == "error" else messages.INFO, text)
    return redirect("commerce:cart")


@require_GET
@vary_on_headers("HX-Request")
def cart_page(request: HttpRequest) -> HttpResponse:
    cart = carts.cart_get(user=request.user, session=request.session)
    for notice in cart.notices:
        messages.warning(request, notice)
    context = {"cart": cart, "mini_count": cart.count}
    return render(request, PAGE + "#cart-body" if request.htmx else PAGE, context)


# Posted again and again from one rendered page (each click adds one more): no form key binds it.
@idempotency_exempt
@require_POST
@vary_on_headers("HX-Request")
def cart_add(request: HttpRequest) -> HttpResponse:
    """Add ``quantity`` of ``variant``: htmx gets the mini-cart (out of band) and a toast; a plain
    POST is sent back where it came from with the message."""
    try:
        cart, message = carts.cart_add(
            user=request.user,
            session=request.session,
            variant_id=request.POST.get("variant"),
            quantity=request.POST.get("quantity", 1),
        )
        notices = [*(("warning", n) for n in cart.notices), ("success", message)]
        status, count = 200, cart.count
    except ValidationError as exc:
        notices, status = [("error", _errors(exc))], 422
        count = carts.cart_count(user=request.user, session=request.session)
    if request.htmx:
        # Two out-of-band fragments that read nothing of the request: no context processors.
        context = {"toasts": notices, "mini_count": count, "mini_oob": True}
        return HttpResponse(render_to_string("commerce/_cart_added.html", context), status=status)
    for tone, text in notices:
        messages.add_message(request, messages.ERROR if tone == "error" else messages.SUCCESS, text)
    return redirect(_back(request))


@idempotency_exempt
@require_POST
@vary_on_headers("HX-Request")
def cart_line(request: HttpRequest, variant_id: int) -> HttpResponse:
    """Set a line's quantity (0, or the remove button, takes it out)."""
    quantity: Any = 0 if "remove" in request.POST else request.POST.get("quantity")
    try:
        cart, message = carts.cart_set_quantity(
            user=request.user, session=request.session, variant_id=variant_id, quantity=quantity
        )
        notices = [*(("warning", n) for n in cart.notices), ("info", message)]
    except ValidationError as exc:
        cart = carts.cart_get(user=request.user, session=request.session)
        notices = [("error", _errors(exc))]
    return _cart_response(request, cart, notices)


@require_GET
def mini_cart(request: HttpRequest) -> HttpResponse:
    """The header's mini-cart for a visitor (the shared header loads it: its count is theirs)."""
    count = carts.cart_count(user=request.user, session=request.session)
    response = render(request, "commerce/_mini_cart.html", {"mini_count": count, "mini_loaded": True})
    response["Cache-Control"] = "private, no-store"
    return response
