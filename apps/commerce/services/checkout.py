"""Checkout: from the cart to an order waiting for its payment.

``checkout_start`` freezes the cart's lines with their prices and reserves their stock for
SHOP_RESERVATION_MINUTES (Reservation rows; ``stock.reserve`` under row locks, so a variant with
10 left is reserved by at most 10 checkouts however many start at once). The customer then sets
the addresses, the shipping per shop and a voucher. ``checkout_complete`` checks everything
again and either refuses with the reasons (after saving what changed: a new price, a lapsed
reservation taken again, a voucher used up; nothing is charged) or creates the order, takes the
voucher's use under the voucher's row lock, and starts the payment with the provider. One order
per checkout: completing a completed checkout answers as the first completion did.

Locks are taken in one order everywhere: the checkout's row, then stock rows (in variant id
order), then the voucher's row, so two completions never wait on each other in a circle.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from djmoney.money import Money

from apps.commerce import events as shop_events
from apps.commerce import permissions, pricing, stock
from apps.commerce.checkout_selectors import OPEN_STATES, checkout_totals, checkout_variants, voucher_limits
from apps.commerce.models import (
    Address,
    Checkout,
    Order,
    OrderEvent,
    OrderLine,
    OrderShop,
    Payment,
    PaymentEvent,
    Reservation,
    Voucher,
    VoucherUse,
)
from apps.commerce.payments import provider
from apps.commerce.services.cart import cart_get, describe, for_sale
from apps.core.platform import events

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "postal_code", "region", "country", "phone")


@dataclass(frozen=True)
class Completion:
    """Where the customer goes once the order exists: the provider's page, or the confirmation."""

    order: Order
    redirect_url: str


def _require_buyer(user: Any) -> None:
    if not permissions.can_buy(user):
        raise PermissionDenied("Sign in to check out.")


def _owned(user: Any, checkout: Checkout) -> None:
    if checkout.user_id != getattr(user, "pk", None):
        raise PermissionDenied("This checkout is not yours.")


def _expiry() -> Any:
    return timezone.now() + timedelta(minutes=settings.SHOP_RESERVATION_MINUTES)


def _held(checkout: Checkout) -> dict[int, int]:
    return {r.variant_id: r.quantity for r in Reservation.objects.filter(checkout=checkout)}


def _shortage_message(shortage: stock.Shortage, names: dict[int, str]) -> str:
    name = names.get(shortage.variant_id, "An item")
    if shortage.available <= 0:
        return f"Sorry, {name} has just sold out."
    return f"Sorry, only {shortage.available} left of {name}; lower the quantity in your cart and check out again."


def checkout_start(*, user: Any) -> Checkout:
    """A checkout of the customer's cart, its stock reserved (any earlier open checkout of theirs
    is abandoned and its stock given back). Raises ValidationError with the reasons when the cart
    is empty or some of it is not available (nothing reserved then)."""
    _require_buyer(user)
    cart = cart_get(user=user, session=None)  # its corrections are kept even if we refuse below
    if cart.notices:  # the cart changed under the customer: they review it before paying
        raise ValidationError([*cart.notices, *(["Check your cart, then check out again."] if cart.items else [])])
    if not cart.items:
        raise ValidationError("Your cart is empty.")
    counts = {item.variant.pk: item.quantity for item in cart.items}
    names = {item.variant.pk: item.name for item in cart.items}
    with transaction.atomic():
        earlier = list(Checkout.objects.select_for_update().filter(user=user, state__in=OPEN_STATES))
        held: dict[int, int] = {}
        for old in earlier:
            for variant_id, quantity in _held(old).items():
                held[variant_id] = held.get(variant_id, 0) + quantity
        # Every row this takes, locked at once in variant id order: no deadlock with another buyer.
        stock.locked(set(counts) | set(held))
        if held:
            stock.release(held)
        Reservation.objects.filter(checkout__in=earlier).delete()
        Checkout.objects.filter(pk__in=[old.pk for old in earlier]).update(state=Checkout.State.ABANDONED)
        try:
            stock.reserve(counts)
        except stock.OutOfStock as exc:
            raise ValidationError([_shortage_message(s, names) for s in exc.shortages]) from None
        default = Address.objects.filter(user=user).order_by("-is_default", "-created_at").first()
        expires = _expiry()
        checkout = Checkout.objects.create(
            user=user,
            currency=cart.currency,
            email=user.email,
            shipping_address=default.as_dict() if default else {},
            lines=[
                {"variant": item.variant.pk, "quantity": item.quantity, "unit_price": str(item.unit_price.amount)}
                for item in cart.items
            ],
            expires_at=expires,
        )
        Reservation.objects.bulk_create(
            Reservation(checkout=checkout, variant_id=variant_id, quantity=quantity, expires_at=expires)
            for variant_id, quantity in counts.items()
        )
    return checkout


def _editable(user: Any, checkout: Checkout) -> Checkout:
    _require_buyer(user)
    _owned(user, checkout)
    if checkout.state not in OPEN_STATES:
        raise ValidationError("This checkout is finished; start again from your cart.")
    return checkout


def checkout_set_address(
    *, user: Any, checkout: Checkout, address: dict[str, str], save_to_account: bool = False
) -> Checkout:
    """Ship to ``address`` (a cleaned AddressForm's data); saved to the account when asked
    (the first one saved becomes the default)."""
    _editable(user, checkout)
    address = {name: str(address.get(name) or "") for name in ADDRESS_FIELDS}
    checkout.shipping_address = address
    checkout.billing_address = address
    checkout.save(update_fields=["shipping_address", "billing_address", "updated_at"])
    if save_to_account:
        exists = Address.objects.filter(user=user).exists()
        Address.objects.create(user=user, is_default=not exists, **address)
    return checkout


def checkout_use_saved_address(*, user: Any, checkout: Checkout, address_id: Any) -> Checkout:
    """Ship to one of the customer's saved addresses."""
    try:
        saved = Address.objects.get(pk=int(address_id), user=user)
    except (TypeError, ValueError, Address.DoesNotExist):
        raise ValidationError("Choose one of your saved addresses.") from None
    return checkout_set_address(user=user, checkout=checkout, address=saved.as_dict())


def checkout_choose_shipping(*, user: Any, checkout: Checkout, shop_id: Any, method_id: Any) -> Checkout:
    """Ship one shop's part with ``method_id``, which must be one of the methods open to it."""
    _editable(user, checkout)
    totals = checkout_totals(checkout)
    part = next((p for p in totals.parts if str(p.shop_id) == str(shop_id)), None)
    if part is None or not any(str(method.pk) == str(method_id) for method, _ in part.options):
        raise ValidationError("That shipping method is not available for this part of your order.")
    checkout.shipping_choices = {**checkout.shipping_choices, str(part.shop_id): int(method_id)}
    checkout.save(update_fields=["shipping_choices", "updated_at"])
    return checkout


def _customer_uses(voucher: Voucher, user: Any) -> int:
    return VoucherUse.objects.filter(voucher=voucher, user=user).count()


def _voucher_problem(voucher: Voucher, checkout: Checkout, user: Any, variants: dict | None = None) -> str:
    totals = checkout_totals(checkout, variants, with_voucher=False)
    shop_ids, product_ids = voucher_limits(voucher)
    return pricing.voucher_problem(
        voucher,
        lines=totals.lines,
        currency=checkout.currency,
        now=timezone.now(),
        customer_uses=_customer_uses(voucher, user),
        shop_ids=shop_ids,
        product_ids=product_ids,
    )


def checkout_apply_voucher(*, user: Any, checkout: Checkout, code: str) -> str:
    """Apply a voucher by its code (any case); the sentence to show. Raises ValidationError with
    the reason it does not apply (unknown, expired, used up, minimum spend ...)."""
    _editable(user, checkout)
    code = (code or "").strip().upper()
    voucher = Voucher.objects.filter(code=code).first() if code else None
    if voucher is None:
        raise ValidationError(f"There is no voucher {code}." if code else "Enter a voucher code.")
    if problem := _voucher_problem(voucher, checkout, user):
        raise ValidationError(problem)
    checkout.voucher = voucher
    checkout.save(update_fields=["voucher", "updated_at"])
    discount = checkout_totals(checkout).discount
    return f"Voucher {voucher.code} applied: {Money(discount, checkout.currency)} off."


def checkout_remove_voucher(*, user: Any, checkout: Checkout) -> str:
    _editable(user, checkout)
    checkout.voucher = None
    checkout.save(update_fields=["voucher", "updated_at"])
    return "The voucher was removed."


# --- Completion -------------------------------------------------------------------------------


def checkout_complete(*, user: Any, checkout: Checkout) -> Completion:
    """Place the order and start its payment; see the module's docstring. Raises ValidationError
    with every reason it cannot (the checkout updated, nothing charged)."""
    _require_buyer(user)
    _owned(user, checkout)
    with transaction.atomic():
        checkout = Checkout.objects.select_for_update().get(pk=checkout.pk)
        order = Order.objects.filter(checkout=checkout).first()
        if order is not None:
            return Completion(order, completion_url(order))
        if checkout.state not in OPEN_STATES:
            refused = ["This checkout is finished; start again from your cart."]
        else:
            refused, voucher = _recheck(checkout, user)
            if not refused:
                order, url = _place(checkout, voucher)
                return Completion(order, url)
    # Raised after the block commits: the checkout keeps what the checks corrected.
    raise ValidationError(refused)


def completion_url(order: Order) -> str:
    """Where a completion of ``order``'s checkout sends the customer: the payment page the first
    completion named while the order waits for its payment, else the confirmation."""
    if order.status == Order.Status.UNPAID:
        start = PaymentEvent.objects.filter(payment__order=order, kind="start").order_by("-created_at", "-pk").first()
        if start is not None and start.data.get("redirect_url"):
            return start.data["redirect_url"]
    return reverse("commerce:checkout-done", args=[order.token])


def _recheck(checkout: Checkout, user: Any) -> tuple[list[str], Voucher | None]:
    """Everything ``checkout_complete`` checks, saving what it corrects; the reasons to refuse."""
    problems: list[str] = []
    variants = checkout_variants(checkout)
    lines = []
    for line in checkout.lines:
        variant = variants.get(line["variant"])
        if variant is None or not for_sale(variant):
            name = describe(variant) if variant is not None else "An item"
            problems.append(f"{name} is no longer for sale and was taken out of your order.")
            continue
        frozen = Decimal(line["unit_price"])
        if variant.price.amount != frozen:
            problems.append(
                f"The price of {describe(variant)} changed from {Money(frozen, checkout.currency)} to "
                f"{variant.price}: check the new total and confirm again. Nothing was charged."
            )
            line = {**line, "unit_price": str(variant.price.amount)}
        lines.append(line)
    problems += _hold_stock(checkout, lines, variants)
    checkout.lines = lines
    if not lines:
        problems.append("Nothing in this checkout can be bought any more: your cart shows what is left.")
    voucher = None
    if checkout.voucher_id:
        voucher = Voucher.objects.select_for_update().get(pk=checkout.voucher_id)
        if problem := _voucher_problem(voucher, checkout, user, variants):
            problems.append(f"{problem} It was taken off your order: check the new total. Nothing was charged.")
            checkout.voucher, voucher = None, None
    checkout.save()
    if lines and not problems:
        problems += _delivery_problems(checkout, variants)
    return problems, voucher


def _hold_stock(checkout: Checkout, lines: list[dict], variants: dict) -> list[str]:
    """Make the reservations match ``lines`` (changed in place when stock ran out); reasons."""
    wanted = {int(line["variant"]): int(line["quantity"]) for line in lines}
    held = _held(checkout)
    if held == wanted and checkout.expires_at > timezone.now():
        return []
    # The reservation lapsed (or lines went): give back what is held and take what is wanted.
    stock.locked(set(wanted) | set(held))
    if held:
        stock.release(held)
    Reservation.objects.filter(checkout=checkout).delete()
    problems = []
    try:
        stock.reserve(wanted)
    except stock.OutOfStock as exc:
        for shortage in exc.shortages:
            name = describe(variants[shortage.variant_id])
            if shortage.available <= 0:
                problems.append(f"Your reservation of {name} ran out and it has sold out since: it was taken out.")
                wanted.pop(shortage.variant_id)
            else:
                problems.append(
                    f"Your reservation of {name} ran out and only {shortage.available} are left: "
                    f"your order now has {shortage.available}."
                )
                wanted[shortage.variant_id] = shortage.available
        stock.reserve(wanted)  # what is left is available: the rows are still locked
        lines[:] = [{**line, "quantity": wanted[line["variant"]]} for line in lines if line["variant"] in wanted]
    checkout.expires_at = _expiry()
    checkout.state = Checkout.State.OPEN
    Reservation.objects.bulk_create(
        Reservation(checkout=checkout, variant_id=v, quantity=n, expires_at=checkout.expires_at)
        for v, n in wanted.items()
    )
    return problems


def _delivery_problems(checkout: Checkout, variants: dict) -> list[str]:
    totals = checkout_totals(checkout, variants)
    if not any(part.ships for part in totals.parts):
        return []
    if not checkout.shipping_address.get("country"):
        return ["Enter the address to ship to."]
    return [
        f"{part.shop_name} does not ship to that country: remove its items or choose another address."
        for part in totals.parts
        if part.ships and part.method is None
    ]


def _order_number() -> str:
    return f"{timezone.now():%y%m%d}-{secrets.randbelow(10**6):06d}"


def _create_order(checkout: Checkout, totals: pricing.Totals, voucher: Voucher | None) -> Order:
    money = totals.money
    fields = {
        "checkout": checkout,
        "user": checkout.user,
        "email": checkout.email,
        "currency": checkout.currency,
        "subtotal": money(totals.subtotal),
        "shipping_total": money(totals.shipping),
        "discount_total": money(totals.discount),
        "tax_total": money(totals.tax),
        "total": money(totals.total),
        "refunded_total": money(Decimal(0)),
        "prices_include_tax": totals.prices_include_tax,
        "shipping_address": checkout.shipping_address,
        "billing_address": checkout.billing_address or checkout.shipping_address,
        "voucher": voucher,
        "voucher_code": voucher.code if voucher else "",
    }
    for attempt in range(5):  # a clash of random numbers is rare: draw again
        try:
            with transaction.atomic():
                return Order.objects.create(number=_order_number(), **fields)
        except IntegrityError:
            if attempt == 4 or Order.objects.filter(checkout=checkout).exists():
                raise
    raise AssertionError("unreachable")


def _place(checkout: Checkout, voucher: Voucher | None) -> tuple[Order, str]:
    totals = checkout_totals(checkout)
    order = _create_order(checkout, totals, voucher)
    money = totals.money
    for part in totals.parts:
        order_part = OrderShop.objects.create(
            order=order,
            shop_id=part.shop_id,
            shipping_method=part.method,
            shipping_name=part.method.name if part.method else "",
            shipping_price=money(part.shipping),
            subtotal=money(part.subtotal),
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                part=order_part,
                variant_id=line.variant_id,
                product_name=line.product_name or line.name,
                variant_name=line.variant_name,
                sku=line.sku,
                is_digital=line.kind == "digital",
                quantity=line.quantity,
                unit_price=money(line.unit_price),
                discount=money(line.discount),
                tax_rate=totals.tax_rate,
                tax=money(line.tax),
                total=money(line.total - line.discount),
            )
            for line in part.lines
        )
    _copy_references(order)
    if voucher is not None:
        VoucherUse.objects.create(voucher=voucher, order=order, user=checkout.user, email=checkout.email)
        # The row is locked (``_recheck``) and the check constraint keeps used <= usage_limit.
        Voucher.objects.filter(pk=voucher.pk).update(used=F("used") + 1)
    url = _start_payment(order)
    OrderEvent.objects.create(order=order, kind="placed", message="Order placed; waiting for the payment.")
    # The customer gets the whole reservation time again to pay.
    checkout.state, checkout.expires_at = Checkout.State.PAYING, _expiry()
    checkout.save(update_fields=["state", "expires_at", "updated_at"])
    Reservation.objects.filter(checkout=checkout).update(expires_at=checkout.expires_at)
    events.publish(shop_events.OrderPlaced(order_id=order.pk, number=order.number))
    return order, url


def _copy_references(order: Order) -> None:
    """Sellables of other apps keep their reference on the line (their app fulfils them)."""
    for line in OrderLine.objects.filter(order=order).select_related("variant__product"):
        product = line.variant.product if line.variant else None
        if product is not None and product.reference_app:
            line.reference_app, line.reference_kind = product.reference_app, product.reference_kind
            line.reference_id = product.reference_id
            line.save(update_fields=["reference_app", "reference_kind", "reference_id"])


def _start_payment(order: Order) -> str:
    gateway = provider()
    key = f"order-{order.token}"
    start = gateway.start(
        amount=order.total,
        order_number=order.number,
        idempotency_key=key,
        return_url=reverse("commerce:checkout-done", args=[order.token]),
    )
    payment = Payment.objects.create(
        order=order,
        provider=gateway.name,
        reference=start.reference,
        status=str(start.status),
        amount=order.total,
        captured=Money(0, order.currency),
        refunded=Money(0, order.currency),
        idempotency_key=key,
        client_secret=start.client_secret,
    )
    PaymentEvent.objects.create(
        payment=payment,
        kind="start",
        amount=order.total,
        message=f"Payment started with the {gateway.name} provider.",
        data={"redirect_url": start.redirect_url, "status": str(start.status)},
    )
    return start.redirect_url or reverse("commerce:checkout-done", args=[order.token])
