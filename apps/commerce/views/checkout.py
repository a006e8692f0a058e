"""The checkout's pages: start (from the cart), the page (address, shipping per shop, voucher,
summary; each form a plain POST and redirect, or an htmx swap of the page's body), complete
(idempotent: its form carries a key, the API an Idempotency-Key header), and the confirmation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from apps.commerce import checkout_selectors as selectors
from apps.commerce.checkout_forms import AddressForm, VoucherForm
from apps.commerce.models import Checkout
from apps.commerce.services import checkout as checkouts

PAGE = "commerce/checkout.html"


def _current(request: HttpRequest) -> Checkout:
    checkout = selectors.checkout_get_current(user=request.user)
    if checkout is None:
        raise Http404("You have no checkout in progress: start one from your cart.")
    return checkout


def _context(request: HttpRequest, checkout: Checkout, **extra: Any) -> dict[str, Any]:
    totals = selectors.checkout_totals(checkout)
    address = checkout.shipping_address or {}
    return {
        "checkout": checkout,
        "totals": totals,
        "ships": any(part.ships for part in totals.parts),
        "address_form": extra.pop("address_form", None) or AddressForm(initial=address or None),
        "voucher_form": extra.pop("voucher_form", None) or VoucherForm(),
        "addresses": selectors.address_list_for_user(user=request.user),
        "lapsed": checkout.expires_at <= timezone.now(),
        **extra,
    }


def _answer(request: HttpRequest, checkout: Checkout, *, error: str = "", ok: str = "", **extra: Any) -> HttpResponse:
    """After a form on the page: htmx gets the page's body again; a plain POST a redirect."""
    if request.htmx:
        toasts = [("error", error)] if error else [("success", ok)] if ok else []
        context = _context(request, checkout, toasts=toasts, **extra)
        return render(request, PAGE + "#checkout-body", context, status=422 if error else 200)
    if error:
        messages.error(request, error)
    elif ok:
        messages.success(request, ok)
    return redirect("commerce:checkout")


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_POST
def checkout_start(request: HttpRequest) -> HttpResponse:
    """From the cart: freeze it and reserve its stock, then the checkout page. A visitor signs in
    first and comes back to the cart, merged with their account's (a sign-in cannot come back
    to a POST)."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("commerce:cart"))
    try:
        checkouts.checkout_start(user=request.user)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return redirect("commerce:cart")
    return redirect("commerce:checkout")


@login_required
@require_GET
@vary_on_headers("HX-Request")
def checkout_page(request: HttpRequest) -> HttpResponse:
    checkout = selectors.checkout_get_current(user=request.user)
    if checkout is None:
        messages.info(request, "Your checkout starts from your cart.")
        return redirect("commerce:cart")
    return render(request, PAGE + "#checkout-body" if request.htmx else PAGE, _context(request, checkout))


@login_required
@require_POST
def checkout_address(request: HttpRequest) -> HttpResponse:
    checkout = _current(request)
    try:
        if request.POST.get("saved"):
            checkouts.checkout_use_saved_address(user=request.user, checkout=checkout, address_id=request.POST["saved"])
            return _answer(request, checkout, ok="Shipping to your saved address.")
        form = AddressForm(request.POST)
        if not form.is_valid():
            if request.htmx:
                return _answer(request, checkout, error="Check the address.", address_form=form)
            return render(request, PAGE, _context(request, checkout, address_form=form), status=422)
        checkouts.checkout_set_address(
            user=request.user,
            checkout=checkout,
            address=form.address(),
            save_to_account=form.cleaned_data["save_to_account"],
        )
    except ValidationError as exc:
        return _answer(request, checkout, error=_errors(exc))
    return _answer(request, checkout, ok="Address saved.")


@login_required
@require_POST
def checkout_shipping(request: HttpRequest) -> HttpResponse:
    checkout = _current(request)
    try:
        checkouts.checkout_choose_shipping(
            user=request.user, checkout=checkout, shop_id=request.POST.get("shop"), method_id=request.POST.get("method")
        )
    except ValidationError as exc:
        return _answer(request, checkout, error=_errors(exc))
    return _answer(request, checkout, ok="Shipping updated.")


@login_required
@require_POST
def checkout_voucher(request: HttpRequest) -> HttpResponse:
    checkout = _current(request)
    try:
        if "remove" in request.POST:
            message = checkouts.checkout_remove_voucher(user=request.user, checkout=checkout)
        else:
            form = VoucherForm(request.POST)
            if not form.is_valid():
                return _answer(request, checkout, error="Enter a voucher code.", voucher_form=form)
            message = checkouts.checkout_apply_voucher(
                user=request.user, checkout=checkout, code=form.cleaned_data["code"]
            )
    except ValidationError as exc:
        return _answer(request, checkout, error=_errors(exc))
    return _answer(request, checkout, ok=message)


@login_required
@require_POST
def checkout_complete(request: HttpRequest) -> HttpResponse:
    """Place the order and go to the payment. The form's idempotency key makes a double submit
    one order; completing a completed checkout answers the same."""
    checkout = (
        Checkout.objects.filter(user=request.user, token=request.POST.get("checkout") or None).first()
        if _is_uuid(request.POST.get("checkout"))
        else None
    )
    if checkout is None:
        messages.error(request, "That checkout is not yours or no longer exists: start again from your cart.")
        return redirect("commerce:cart")
    try:
        completion = checkouts.checkout_complete(user=request.user, checkout=checkout)
    except ValidationError as exc:
        return _answer(request, checkout, error=_errors(exc))
    except PermissionDenied:
        raise Http404("No such checkout.") from None
    if request.htmx:
        return HttpResponseClientRedirect(completion.redirect_url)
    return redirect(completion.redirect_url)


def _is_uuid(value: Any) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@login_required
@require_GET
def checkout_done(request: HttpRequest, token: Any) -> HttpResponse:
    """The confirmation: the order's number and summary (its customer and staff only)."""
    order = selectors.order_get_for_customer(user=request.user, token=token)
    if order is None:
        raise Http404("No such order.")
    context = {
        "order": order,
        "openings": selectors.order_openings(order) if order.status != order.Status.UNPAID else [],
    }
    return render(request, "commerce/checkout_done.html", context)
