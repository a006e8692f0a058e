"""A payment's outcome, however it arrives (the customer back from the provider's page, or the
provider's webhook): captured, failed or waiting for the customer's action.

- captured: the checkout's reservation becomes an allocation, the order is paid, its event
  ``commerce.order_paid`` is published with every line (the orders area and the apps whose
  sellables were bought react to it), the bought items leave the cart and the confirmation
  email goes out on the queue;
- failed: the reservation is released, the voucher's use given back, the order cancelled with
  the provider's reason; the cart is kept, so the customer can try again;
- requires action: the payment waits for the customer's second step.

Each outcome is applied once: the payment's row is locked while it is, a payment already
captured or failed is not changed again, and a webhook's event id is kept (PaymentEvent's
unique ``provider_event_id``), so a replayed webhook changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from djmoney.money import Money

from apps.commerce import events as shop_events
from apps.commerce import stock
from apps.commerce.models import Checkout, Order, OrderEvent, Payment, PaymentEvent, Reservation, Voucher, VoucherUse
from apps.commerce.payments import PaymentStatus, provider_named
from apps.commerce.services.cart import cart_remove_bought
from apps.core.platform import events, mail

logger = logging.getLogger(__name__)

SETTLED = frozenset(
    {
        Payment.Status.CAPTURED,
        Payment.Status.FAILED,
        Payment.Status.CANCELLED,
        Payment.Status.REFUNDED,
        Payment.Status.PARTIALLY_REFUNDED,
    }
)


def payment_confirm(*, payment: Payment, data: dict[str, Any]) -> Payment:
    """The customer acted on the provider's page (the test provider's buttons): ask the provider
    what came of it and apply that."""
    if payment.status in SETTLED:
        return payment
    gateway = provider_named(payment.provider)
    result = gateway.confirm(
        reference=payment.reference, idempotency_key=f"{payment.idempotency_key}-confirm", data=data
    )
    return payment_apply(
        payment_id=payment.pk,
        status=result.status,
        amount=result.amount,
        message=result.message,
        kind=f"confirm.{result.status}",
        data={"outcome": str(data.get("outcome", ""))[:40]},
    )


def payment_webhook(*, provider_name: str, body: bytes, headers: dict[str, str]) -> str:
    """A provider's webhook: verified (raises WebhookRejected, nothing changed), recognised when
    replayed, applied once. Returns "applied", "replayed" or "ignored" (a payment we do not know,
    or news that changes nothing)."""
    gateway = provider_named(provider_name)  # LookupError: no such provider
    event = gateway.parse_webhook(body=body, headers=headers)
    event_id = f"{provider_name}:{event.event_id}"[:100]
    if PaymentEvent.objects.filter(provider_event_id=event_id).exists():
        return "replayed"
    payment = Payment.objects.filter(provider=provider_name, reference=event.reference).first()
    if payment is None or event.status is None:
        return "ignored"
    applied = payment_apply(
        payment_id=payment.pk,
        status=event.status,
        amount=event.amount,
        message=event.message,
        kind=f"webhook.{event.kind}"[:40],
        provider_event_id=event_id,
        data={"type": event.kind},
    )
    return "applied" if applied is not None else "replayed"


def payment_apply(
    *,
    payment_id: int,
    status: PaymentStatus | str,
    amount: Money | None = None,
    message: str = "",
    kind: str,
    provider_event_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> Payment | None:
    """Record what the provider said of a payment and act on it (see the module's docstring).
    None when ``provider_event_id`` was seen already (a replay: nothing changed)."""
    status = PaymentStatus(status)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("order").get(pk=payment_id)
        try:
            with transaction.atomic():
                PaymentEvent.objects.create(
                    payment=payment,
                    kind=kind,
                    amount=amount,
                    provider_event_id=provider_event_id,
                    success=status != PaymentStatus.FAILED,
                    message=message[:300],
                    data=data or {},
                )
        except IntegrityError:
            return None  # the same webhook, delivered twice at once: the first applies it
        # A capture that arrives after the order was cancelled (its reservation ran out) is still
        # money received: take the stock again if it is there, else refund it.
        late_capture = payment.status == Payment.Status.CANCELLED and status == PaymentStatus.CAPTURED
        if payment.status in SETTLED and not late_capture:
            return payment
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        if status == PaymentStatus.CAPTURED:
            _captured(payment, order, amount or payment.amount)
        elif status in (PaymentStatus.FAILED, PaymentStatus.CANCELLED):
            _failed(payment, order, message or "The payment did not go through.", status)
        else:
            payment.status = str(status)
            payment.save(update_fields=["status", "updated_at"])
    return payment


def _line_counts(order: Order) -> dict[int, int]:
    counts: dict[int, int] = {}
    for variant_id, quantity in order.lines.exclude(variant=None).values_list("variant_id", "quantity"):
        counts[variant_id] = counts.get(variant_id, 0) + quantity
    return counts


def _captured(payment: Payment, order: Order, amount: Money) -> None:
    checkout = Checkout.objects.select_for_update().get(pk=order.checkout_id) if order.checkout_id else None
    counts = _line_counts(order)
    held = {r.variant_id: r.quantity for r in Reservation.objects.filter(checkout=checkout)} if checkout else {}
    stock.locked(set(counts) | set(held))
    if held != counts:
        # The reservation lapsed while the customer paid: take the stock again if it is there.
        if held:
            stock.release(held)
        try:
            stock.reserve(counts)
        except stock.OutOfStock:
            _refund_sold_out(payment, order, amount)
            return
    stock.allocate(counts)
    Reservation.objects.filter(checkout=checkout).delete()
    now = timezone.now()
    payment.status, payment.captured = Payment.Status.CAPTURED, amount
    payment.save(update_fields=["status", "captured", "updated_at"])
    order.status, order.paid_at = Order.Status.PAID, now
    order.save(update_fields=["status", "paid_at"])
    OrderEvent.objects.create(order=order, kind="paid", message=f"Paid {amount}.")
    if checkout is not None:
        checkout.state = Checkout.State.COMPLETED
        checkout.save(update_fields=["state", "updated_at"])
    if order.user_id:
        cart_remove_bought(user=order.user, bought=counts)
    events.publish(
        shop_events.OrderPaid(
            order_id=order.pk,
            number=order.number,
            user_id=order.user_id,
            total=str(order.total.amount),
            currency=order.currency,
            lines=shop_events.OrderLineInfo.all_of(order),
        )
    )
    _send_confirmation(order)


def _send_confirmation(order: Order) -> None:
    context = {
        "order": order,
        "parts": order.parts.select_related("shop").prefetch_related("lines"),
        "done_path": reverse("commerce:checkout-done", args=[order.token]),
    }
    mail.send_later(
        to=order.email,
        subject=f"Your order {order.number} is confirmed",
        body=render_to_string("commerce/email/order_confirmation.txt", context),
    )


def _give_back(order: Order, checkout: Checkout | None) -> None:
    """Release the reservation and the voucher's use of an order that will not be paid."""
    if checkout is not None:
        held = {r.variant_id: r.quantity for r in Reservation.objects.filter(checkout=checkout)}
        if held:
            stock.release(held)
        Reservation.objects.filter(checkout=checkout).delete()
    use = VoucherUse.objects.filter(order=order).first()
    if use is not None:
        Voucher.objects.filter(pk=use.voucher_id, used__gt=0).update(used=F("used") - 1)
        use.delete()


def _failed(payment: Payment, order: Order, message: str, status: PaymentStatus) -> None:
    checkout = Checkout.objects.select_for_update().get(pk=order.checkout_id) if order.checkout_id else None
    _give_back(order, checkout)
    payment.status, payment.failure_message = str(status), message[:300]
    payment.save(update_fields=["status", "failure_message", "updated_at"])
    order.status = Order.Status.CANCELLED
    order.save(update_fields=["status"])
    OrderEvent.objects.create(order=order, kind="payment_failed", message=f"Payment failed: {message}"[:500])
    if checkout is not None:
        checkout.state = Checkout.State.ABANDONED
        checkout.save(update_fields=["state", "updated_at"])


def _refund_sold_out(payment: Payment, order: Order, amount: Money) -> None:
    """Paid after the reservation lapsed and the stock went to someone else: give the money back."""
    gateway = provider_named(payment.provider)
    result = gateway.refund(
        reference=payment.reference, amount=amount, idempotency_key=f"{payment.idempotency_key}-sold-out"
    )
    payment.status = Payment.Status.REFUNDED if result.succeeded else Payment.Status.CAPTURED
    payment.captured, payment.refunded = amount, amount if result.succeeded else Money(0, order.currency)
    payment.save(update_fields=["status", "captured", "refunded", "updated_at"])
    PaymentEvent.objects.create(
        payment=payment, kind="refund.sold_out", amount=amount, success=result.succeeded, message=result.message[:300]
    )
    order.status = Order.Status.REFUNDED if result.succeeded else Order.Status.CANCELLED
    order.refunded_total = amount if result.succeeded else order.refunded_total
    order.save(update_fields=["status", "refunded_total"])
    OrderEvent.objects.create(
        order=order,
        kind="refunded",
        message="Your reservation ran out before the payment arrived and the items sold out: the payment was refunded.",
    )


# --- Reservations that ran out ------------------------------------------------------------------


def checkouts_release_expired(*, now: Any = None, batch: int = 500) -> int:
    """Give back the stock of checkouts whose reservation ran out (beat, every minute); an order
    still waiting for its payment is cancelled. Safe to run twice at once (SKIP LOCKED). The
    number of checkouts released."""
    now = now or timezone.now()
    states = (Checkout.State.OPEN, Checkout.State.PAYING)
    ids = list(Checkout.objects.filter(state__in=states, expires_at__lt=now).values_list("pk", flat=True)[:batch])
    released = 0
    for pk in ids:
        with transaction.atomic():
            checkout = (
                Checkout.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, state__in=states, expires_at__lt=now)
                .first()
            )
            if checkout is None:
                continue
            order = Order.objects.select_for_update().filter(checkout=checkout, status=Order.Status.UNPAID).first()
            if order is None:
                _release_only(checkout)
            else:
                _give_back(order, checkout)
                order.status = Order.Status.CANCELLED
                order.save(update_fields=["status"])
                order.payments.exclude(status__in=SETTLED).update(status=Payment.Status.CANCELLED)
                OrderEvent.objects.create(
                    order=order, kind="expired", message="Cancelled: the reservation ran out before the payment."
                )
            checkout.state = Checkout.State.EXPIRED
            checkout.save(update_fields=["state", "updated_at"])
            released += 1
    return released


def _release_only(checkout: Checkout) -> None:
    held = {r.variant_id: r.quantity for r in Reservation.objects.filter(checkout=checkout)}
    if held:
        stock.release(held)
    Reservation.objects.filter(checkout=checkout).delete()
