"""After payment: fulfilment, cancellation, refunds and return requests of orders.

Every service here locks the Order row first (``SELECT ... FOR UPDATE``) and the stock rows
after it (apps/commerce/stock.py, in variant id order): two owners acting on two parts of one
order, or a refund racing a fulfilment, queue on the order instead of deadlocking or both
passing a check. Each step writes an ``OrderEvent`` (the timeline the customer reads) and
publishes a domain event; the notifications are sent by its subscribers
(apps/commerce/notifications.py).

Quantities of a line: ``quantity_fulfilled`` were shipped, ``quantity_refunded`` were paid back.
A refund takes unshipped units first (the shop will not ship what it refunded): those are
deallocated, and refunded units beyond them were shipped and are restocked when asked. So what
is left to ship of a line is ``quantity - quantity_fulfilled - quantity_refunded`` (never below 0).

Refunds go through the payment's own provider with the Refund row's idempotency key, under the
order's lock, so two refunds of one order never both pass the cap (captured less refunded) and a
retried call never pays back twice. A refused refund keeps its Refund row (failed) and its
PaymentEvent, and raises ``ValidationError`` after they are committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from djmoney.money import Money

from apps.commerce import events as shop_events
from apps.commerce import permissions, stock
from apps.commerce.models import (
    Fulfilment,
    FulfilmentLine,
    Order,
    OrderEvent,
    OrderLine,
    OrderShop,
    Payment,
    PaymentEvent,
    Refund,
    ReturnRequest,
)
from apps.commerce.payments import ProviderError, provider_named
from apps.commerce.pricing import ZERO, tax_of
from apps.core.platform import events

CENT = Decimal("0.01")
REFUNDABLE_PAYMENTS = (Payment.Status.CAPTURED, Payment.Status.PARTIALLY_REFUNDED)


# --- Reading what is left ---------------------------------------------------------------------


def left_to_ship(line: OrderLine) -> int:
    """Units of ``line`` still to be sent (not shipped, not refunded)."""
    return max(0, line.quantity - line.quantity_fulfilled - line.quantity_refunded)


def left_to_refund(line: OrderLine) -> int:
    return line.quantity - line.quantity_refunded


def line_amount(line: OrderLine, quantity: int, *, included: bool = True) -> Decimal:
    """What ``quantity`` units of ``line`` cost the customer (its total pro rata, to the cent):
    its total after discount, and its tax too when the order's prices exclude it (``included``
    False: the tax was added on top and paid)."""
    paid = line.total.amount + (ZERO if included else line.tax.amount)
    if quantity >= line.quantity:
        return paid
    return (paid * quantity / line.quantity).quantize(CENT, rounding=ROUND_HALF_UP)


def shipping_paid(part: OrderShop, lines: Iterable[OrderLine], *, included: bool = True) -> Decimal:
    """The part's shipping as the customer paid it: with its tax on top when prices exclude tax
    (at the order's rate, which its lines carry; the checkout taxes shipping the same way)."""
    shipping = part.shipping_price.amount
    if included:
        return shipping
    rate = next((line.tax_rate for line in lines), ZERO)
    return shipping + tax_of(shipping, rate, included=False)


def refunded_for_shop(order: Order, shop_id: int) -> Decimal:
    total = Refund.objects.filter(order=order, shop_id=shop_id, status=Refund.Status.SUCCEEDED).aggregate(
        sum=Sum("amount")
    )["sum"]
    return total or Decimal(0)


def part_refundable(part: OrderShop) -> Decimal:
    """The most an owner may still pay back of their part: what the customer paid for its lines
    (a voucher's discount taken off) and its shipping, less refunds."""
    # part.lines.all(): the manage page prefetches them; elsewhere one query.
    lines = list(part.lines.all())
    included = part.order.prices_include_tax
    paid = sum((line_amount(line, line.quantity, included=included) for line in lines), ZERO)
    paid += shipping_paid(part, lines, included=included)
    return max(Decimal(0), paid - refunded_for_shop(part.order, part.shop_id))


# --- Helpers ---------------------------------------------------------------------------------


def _locked_order(order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def _record(
    order: Order, kind: str, message: str, *, actor: Any = None, shop: Any = None, internal: bool = False, **data: Any
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        message=message[:500],
        shop=shop,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        data=data,
        internal=internal,
    )


def _require_part(user: Any, part: OrderShop) -> None:
    if not permissions.can_manage_part(user, part):
        raise PermissionDenied("Only this shop's owner and staff act on its part of an order.")


def _clean_quantities(lines: Mapping[Any, Any], allowed: dict[int, OrderLine]) -> dict[int, int]:
    """``{line id: quantity}`` from a form or the API: known lines of the part, whole positive
    numbers (zeros dropped), or a ValidationError that names the problem."""
    cleaned: dict[int, int] = {}
    for raw_id, raw_quantity in lines.items():
        try:
            line_id, quantity = int(raw_id), int(raw_quantity)
        except (TypeError, ValueError):
            raise ValidationError("Quantities must be whole numbers.", code="invalid_quantity") from None
        if line_id not in allowed:
            raise ValidationError(f"Line {line_id} is not part of this order.", code="unknown_line")
        if quantity < 0:
            raise ValidationError("Quantities cannot be negative.", code="invalid_quantity")
        if quantity:
            cleaned[line_id] = quantity
    return cleaned


def _part_lines(part: OrderShop) -> dict[int, OrderLine]:
    return {line.pk: line for line in OrderLine.objects.filter(part=part).select_related("part").order_by("pk")}


def _settle_part(part: OrderShop, lines: list[OrderLine]) -> None:
    """The part's status from its lines' counts (cancelled stays cancelled)."""
    if part.status == OrderShop.Status.CANCELLED:
        return
    if all(line.quantity_refunded >= line.quantity for line in lines):
        status = OrderShop.Status.REFUNDED
    elif all(left_to_ship(line) == 0 for line in lines):
        status = OrderShop.Status.FULFILLED
    elif any(line.quantity_fulfilled for line in lines):
        status = OrderShop.Status.PARTIALLY_FULFILLED
    else:
        status = OrderShop.Status.UNFULFILLED
    if status != part.status:
        part.status = status
        part.save(update_fields=["status"])


def _settle_order(order: Order) -> None:
    """The order's status from its money and its parts: all parts cancelled, refunded in full,
    partly refunded, then how far fulfilment went."""
    parts = list(order.parts.all())
    statuses = {part.status for part in parts}
    if statuses == {OrderShop.Status.CANCELLED}:
        status = Order.Status.CANCELLED
    elif order.refunded_total.amount >= order.total.amount and order.total.amount > 0:
        status = Order.Status.REFUNDED
    elif order.refunded_total.amount > 0:
        status = Order.Status.PARTIALLY_REFUNDED
    else:
        live = statuses - {OrderShop.Status.CANCELLED, OrderShop.Status.REFUNDED}
        if live and live == {OrderShop.Status.FULFILLED}:
            status = Order.Status.FULFILLED
        elif live & {OrderShop.Status.FULFILLED, OrderShop.Status.PARTIALLY_FULFILLED}:
            status = Order.Status.PARTIALLY_FULFILLED
        else:
            status = Order.Status.PAID
    if status != order.status:
        order.status = status
        order.save(update_fields=["status"])


def _paid(order: Order) -> None:
    if order.status == Order.Status.UNPAID or order.paid_at is None:
        raise ValidationError("This order is not paid.", code="not_paid")


# --- Fulfilment ------------------------------------------------------------------------------


def part_fulfil(
    *, user: Any, part: OrderShop, lines: Mapping[Any, Any], tracking_number: str = "", carrier: str = ""
) -> Fulfilment:
    """Send ``lines`` ({line id: quantity}) of one shop's part: a Fulfilment with its lines, the
    physical units shipped out of stock, the line, part and order statuses moved on, a timeline
    entry and ``commerce.order_fulfilled`` (the customer is told). Only the part's shop owner
    and staff; never more than is left to ship of a line."""
    _require_part(user, part)
    with transaction.atomic():
        order = _locked_order(part.order_id)
        _paid(order)
        part = OrderShop.objects.select_related("shop").get(pk=part.pk)
        if part.status == OrderShop.Status.CANCELLED:
            raise ValidationError("This part of the order was cancelled.", code="cancelled")
        by_id = _part_lines(part)
        wanted = _clean_quantities(lines, by_id)
        if not wanted:
            raise ValidationError("Choose at least one line to send.", code="no_lines")
        for line_id, quantity in wanted.items():
            if quantity > left_to_ship(by_id[line_id]):
                line = by_id[line_id]
                raise ValidationError(
                    f"Only {left_to_ship(line)} of “{line.product_name}” are left to send.", code="too_many"
                )
        physical = {
            by_id[i].variant_id: q
            for i, q in wanted.items()
            if by_id[i].variant_id and not by_id[i].is_digital and not by_id[i].reference_app
        }
        stock.ship(physical)
        fulfilment = Fulfilment.objects.create(
            part=part,
            tracking_number=tracking_number.strip()[:100],
            carrier=carrier.strip()[:60],
            created_by=user,
        )
        FulfilmentLine.objects.bulk_create(
            FulfilmentLine(fulfilment=fulfilment, line=by_id[i], quantity=q) for i, q in wanted.items()
        )
        for line_id, quantity in wanted.items():
            by_id[line_id].quantity_fulfilled += quantity
            by_id[line_id].save(update_fields=["quantity_fulfilled"])
        _settle_part(part, list(by_id.values()))
        _settle_order(order)
        count = sum(wanted.values())
        tracking = f" (tracking {fulfilment.tracking_number})" if fulfilment.tracking_number else ""
        _record(
            order,
            "fulfilled",
            f"{part.shop.name} sent {count} item{'s' if count != 1 else ''}{tracking}.",
            actor=user,
            shop=part.shop,
            fulfilment=fulfilment.pk,
            tracking_number=fulfilment.tracking_number,
            carrier=fulfilment.carrier,
        )
        events.publish(
            shop_events.OrderFulfilled(
                order_id=order.pk,
                number=order.number,
                shop_id=part.shop_id,
                fulfilment_id=fulfilment.pk,
                actor_id=user.pk,
            )
        )
    return fulfilment


# --- Refunds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Planned:
    amount: Decimal
    quantities: dict[int, int]  # line id -> units paid back
    restock: bool


def _plan(
    order: Order, part: OrderShop | None, lines: Mapping[Any, Any] | None, amount: Any, restock: bool
) -> _Planned:
    """What a refund pays back and which units it takes: the lines asked for (or, with neither
    lines nor amount, every unit left of the part or the order, and the part's shipping), at the
    amount asked for or the lines' worth."""
    scope = OrderLine.objects.filter(order=order).select_related("part").order_by("pk")
    if part is not None:
        scope = scope.filter(part=part)
    by_id = {line.pk: line for line in scope}
    # The manage page posts every line's field, zeros included: no unit asked for is no lines.
    asked = _clean_quantities(lines, by_id) if lines else {}
    if asked:
        quantities = asked
    elif amount in (None, ""):
        quantities = {line.pk: left_to_refund(line) for line in by_id.values() if left_to_refund(line)}
    else:
        quantities = {}
    for line_id, quantity in quantities.items():
        if quantity > left_to_refund(by_id[line_id]):
            line = by_id[line_id]
            raise ValidationError(
                f"Only {left_to_refund(line)} of “{line.product_name}” are left to refund.", code="too_many"
            )
    included = order.prices_include_tax
    worth = sum((line_amount(by_id[i], q, included=included) for i, q in quantities.items()), ZERO)
    if amount in (None, ""):
        if not asked:
            # Everything left: the shipping of the part (or of the whole order) goes back too.
            every = [part] if part is not None else list(order.parts.all())
            worth += sum(
                (
                    shipping_paid(p, [line for line in by_id.values() if line.part_id == p.pk], included=included)
                    for p in every
                ),
                ZERO,
            )
        value = worth
    else:
        try:
            value = Decimal(str(amount)).quantize(CENT)
        except ArithmeticError:
            raise ValidationError("The amount must be a number.", code="invalid_amount") from None
        if not value.is_finite():
            raise ValidationError("The amount must be a number.", code="invalid_amount")
    if value <= 0:
        raise ValidationError("There is nothing left to refund.", code="nothing_to_refund")
    return _Planned(value, quantities, restock)


def _call_provider(refund: Refund, payment: Payment) -> tuple[bool, str, str]:
    try:
        answer = provider_named(payment.provider).refund(
            reference=payment.reference,
            amount=refund.amount,
            idempotency_key=refund.idempotency_key,
            reason=refund.reason,
        )
    except (ProviderError, LookupError) as error:
        return False, "", str(error) or "The payment provider could not be reached."
    except Exception as error:  # a provider's own refusal (a bad reference): told, not a 500
        return False, "", f"The payment provider refused the refund: {error}"[:300]
    return answer.succeeded, answer.reference, answer.message


def _apply_units(order: Order, planned: _Planned, by_id: dict[int, OrderLine]) -> None:
    """Line counts and stock after a refund: unshipped units deallocated, shipped ones restocked
    when asked (goods sold for another app and digital files hold no stock of theirs to count)."""
    unshipped: dict[int, int] = {}
    shipped: dict[int, int] = {}
    for line_id, quantity in planned.quantities.items():
        line = by_id[line_id]
        from_unshipped = min(quantity, left_to_ship(line))
        if line.variant_id and not line.is_digital:
            if from_unshipped:
                unshipped[line.variant_id] = unshipped.get(line.variant_id, 0) + from_unshipped
            if quantity - from_unshipped and planned.restock and not line.reference_app:
                shipped[line.variant_id] = shipped.get(line.variant_id, 0) + quantity - from_unshipped
        line.quantity_refunded += quantity
        line.save(update_fields=["quantity_refunded"])
    stock.deallocate(unshipped)
    stock.restock(shipped)


def _refund(
    *,
    user: Any,
    order: Order,
    part: OrderShop | None,
    planned_for: Any,
    reason: str,
    kind: str,
    return_request: Any = None,
) -> Refund:
    """Pay back (under the order's lock) what ``planned_for(order)`` plans, through the provider."""
    failure = ""
    with transaction.atomic():
        order = _locked_order(order.pk)
        _paid(order)
        planned: _Planned = planned_for(order)
        payment = order.payments.filter(status__in=REFUNDABLE_PAYMENTS).order_by("-created_at").first()
        if payment is None:
            raise ValidationError("This order has no captured payment to refund.", code="no_payment")
        currency = payment.captured.currency.code
        left = payment.captured.amount - payment.refunded.amount
        if part is not None and not permissions.is_shop_staff(user):
            left = min(left, part_refundable(part))
        if planned.amount > left:
            raise ValidationError(
                f"At most {Money(left, currency)} can be refunded here ({Money(planned.amount, currency)} asked).",
                code="over_refund",
            )
        refund = Refund.objects.create(
            order=order,
            payment=payment,
            shop=part.shop if part is not None else None,
            amount=Money(planned.amount, currency),
            reason=reason.strip()[:300],
            lines=[
                {"line": line_id, "quantity": quantity, "restock": planned.restock}
                for line_id, quantity in planned.quantities.items()
            ],
            idempotency_key=f"refund-{uuid.uuid4().hex}",
            created_by=user,
        )
        succeeded, reference, message = _call_provider(refund, payment)
        PaymentEvent.objects.create(
            payment=payment,
            kind="refund",
            amount=refund.amount,
            success=succeeded,
            message=(message or ("Refunded." if succeeded else "Refund refused."))[:300],
            data={"refund": refund.pk, "reference": reference},
        )
        refund.reference = reference[:100]
        refund.status = Refund.Status.SUCCEEDED if succeeded else Refund.Status.FAILED
        refund.save(update_fields=["reference", "status"])
        if not succeeded:
            failure = message or "The payment provider refused the refund."
            _record(order, "refund_failed", f"A refund of {refund.amount} failed: {failure}", actor=user, internal=True)
        else:
            _refund_succeeded(user, order, part, payment, refund, planned, kind, return_request)
    if failure:
        raise ValidationError(failure, code="refund_failed")
    return refund


def _refund_succeeded(
    user: Any,
    order: Order,
    part: OrderShop | None,
    payment: Payment,
    refund: Refund,
    planned: _Planned,
    kind: str,
    return_request: Any,
) -> None:
    payment.refunded = payment.refunded + refund.amount
    payment.status = (
        Payment.Status.REFUNDED
        if payment.refunded.amount >= payment.captured.amount
        else Payment.Status.PARTIALLY_REFUNDED
    )
    payment.save(update_fields=["refunded", "status", "updated_at"])
    order.refunded_total = order.refunded_total + refund.amount
    order.save(update_fields=["refunded_total"])
    by_id = {line.pk: line for line in OrderLine.objects.filter(order=order).select_related("part").order_by("pk")}
    _apply_units(order, planned, by_id)
    touched = {by_id[i].part_id for i in planned.quantities} | ({part.pk} if part is not None else set())
    for each in OrderShop.objects.filter(pk__in=touched):
        if kind == "cancelled" and part is not None and each.pk == part.pk:
            each.status = OrderShop.Status.CANCELLED
            each.save(update_fields=["status"])
        else:
            _settle_part(each, [line for line in by_id.values() if line.part_id == each.pk])
    if return_request is not None:
        return_request.status = ReturnRequest.Status.REFUNDED
        return_request.save(update_fields=["status", "response"])
    _settle_order(order)
    shop = part.shop if part is not None else None
    who = shop.name if shop is not None else "The shop"
    message = (
        f"{who} cancelled its part of the order; {refund.amount} refunded."
        if kind == "cancelled"
        else f"{refund.amount} refunded." + (f" Reason: {refund.reason}" if refund.reason else "")
    )
    _record(order, kind if kind == "cancelled" else "refunded", message, actor=user, shop=shop, refund=refund.pk)
    full = order.status == Order.Status.REFUNDED
    events.publish(
        shop_events.OrderRefunded(
            order_id=order.pk,
            number=order.number,
            user_id=order.user_id,
            amount=str(refund.amount.amount),
            currency=refund.amount.currency.code,
            full=full,
            lines=tuple(shop_events.OrderLineInfo.of(by_id[i], q) for i, q in planned.quantities.items()),
            actor_id=getattr(user, "pk", None),
        )
    )
    if order.status == Order.Status.CANCELLED:
        events.publish(
            shop_events.OrderCancelled(order_id=order.pk, number=order.number, user_id=order.user_id, actor_id=user.pk)
        )


def order_refund(
    *,
    user: Any,
    order: Order,
    part: OrderShop | None = None,
    lines: Mapping[Any, Any] | None = None,
    amount: Any = None,
    restock: bool = True,
    reason: str = "",
) -> Refund:
    """Pay back part or all of an order through its payment's provider.

    ``lines`` ({line id: quantity}) name the units refunded (their worth is the amount unless
    ``amount`` is given); ``amount`` alone refunds money and no units; neither refunds everything
    left of ``part`` (its shipping too) or of the whole order. Never more than was captured less
    what was refunded, and an owner never more than their part is worth: a ValidationError says
    how much is left. Unshipped units are deallocated; shipped ones restocked when ``restock``.
    An owner refunds only their part (``part`` is required of them); staff refund anything.
    Publishes ``commerce.order_refunded`` with the lines and quantities."""
    if part is not None:
        if part.order_id != order.pk:
            raise ValidationError("That part belongs to another order.", code="wrong_part")
        _require_part(user, part)
    elif not permissions.is_shop_staff(user):
        raise PermissionDenied("Only staff refund a whole order; a shop owner refunds their part.")
    return _refund(
        user=user,
        order=order,
        part=part,
        planned_for=lambda locked: _plan(locked, part, lines, amount, restock),
        reason=reason,
        kind="refunded",
    )


def refund_line_for_app(*, line: OrderLine, quantity: int, reason: str) -> Refund:
    """Pay back ``quantity`` units of ``line`` (its shop's part, no person acting): the path of
    ``sellables.sellable_line_refund``, which checks the line is the asking app's."""
    return _refund(
        user=None,
        order=line.order,
        part=line.part,
        planned_for=lambda locked: _plan(locked, line.part, {line.pk: quantity}, None, True),
        reason=reason,
        kind="refunded",
    )


def part_cancel(*, user: Any, part: OrderShop, reason: str = "") -> Refund | None:
    """Cancel a part that nothing of was sent: every line refunded (with the part's shipping)
    through the provider and its stock deallocated; the part is cancelled (and the order, once
    all of its parts are). A part with a fulfilment is refunded instead (``order_refund``)."""
    _require_part(user, part)
    part = OrderShop.objects.select_related("shop", "order").get(pk=part.pk)
    if part.status == OrderShop.Status.CANCELLED:
        raise ValidationError("This part is already cancelled.", code="cancelled")
    if OrderLine.objects.filter(part=part, quantity_fulfilled__gt=0).exists():
        raise ValidationError(
            "Something of this part was already sent: refund its lines instead.", code="already_fulfilled"
        )
    return _refund(
        user=user,
        order=part.order,
        part=part,
        planned_for=lambda locked: _plan(locked, part, None, None, True),
        reason=reason or "Cancelled by the shop.",
        kind="cancelled",
    )


# --- Return requests ---------------------------------------------------------------------------


def return_request_create(
    *, user: Any, order: Order, part: OrderShop, lines: Mapping[Any, Any], reason: str
) -> ReturnRequest:
    """The customer asks to send back delivered units of one shop's part, with a reason; the
    shop's owner is told (``commerce.return_requested``)."""
    if not permissions.can_request_return(user, order):
        raise PermissionDenied("Only the customer who placed the order asks for a return.")
    if part.order_id != order.pk:
        raise ValidationError("That part belongs to another order.", code="wrong_part")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Tell the shop why you send it back.", code="no_reason")
    with transaction.atomic():
        order = _locked_order(order.pk)
        by_id = _part_lines(part)
        wanted = _clean_quantities(lines, by_id)
        if not wanted:
            raise ValidationError("Choose what you send back.", code="no_lines")
        for line_id, quantity in wanted.items():
            line = by_id[line_id]
            if quantity > line.quantity_fulfilled - line.quantity_refunded:
                raise ValidationError(
                    f"Only delivered units can go back: {max(0, line.quantity_fulfilled - line.quantity_refunded)} "
                    f"of “{line.product_name}”.",
                    code="not_delivered",
                )
        if ReturnRequest.objects.filter(part=part, status=ReturnRequest.Status.REQUESTED).exists():
            raise ValidationError("A return of this shop's items already waits for an answer.", code="pending")
        request = ReturnRequest.objects.create(
            order=order,
            part=part,
            user=user,
            lines=[{"line": i, "quantity": q} for i, q in wanted.items()],
            reason=reason[:2000],
        )
        _record(order, "return_requested", f"Return requested from {part.shop.name}.", actor=user, shop=part.shop)
        events.publish(
            shop_events.ReturnRequested(order_id=order.pk, number=order.number, return_id=request.pk, actor_id=user.pk)
        )
    return request


def return_request_approve(*, user: Any, request: ReturnRequest, response: str = "", restock: bool = True) -> Refund:
    """The owner accepts a return: its units are refunded (and restocked when ``restock``)."""
    _require_part(user, request.part)
    request.response = response.strip()[:500]
    lines = {entry["line"]: entry["quantity"] for entry in request.lines}

    def planned_for(locked: Order) -> _Planned:
        # Under the order's lock: of two approvals at once, the second finds it answered.
        if ReturnRequest.objects.get(pk=request.pk).status != ReturnRequest.Status.REQUESTED:
            raise ValidationError("This return was already answered.", code="answered")
        return _plan(locked, request.part, lines, None, restock)

    refund = _refund(
        user=user,
        order=request.order,
        part=request.part,
        planned_for=planned_for,
        reason=f"Return accepted. {request.response}".strip(),
        kind="refunded",
        return_request=request,
    )
    with transaction.atomic():
        events.publish(
            shop_events.ReturnAnswered(
                order_id=request.order_id,
                number=request.order.number,
                return_id=request.pk,
                approved=True,
                actor_id=user.pk,
            )
        )
    return refund


def return_request_reject(*, user: Any, request: ReturnRequest, response: str) -> ReturnRequest:
    """The owner turns a return down, saying why (the customer is told)."""
    _require_part(user, request.part)
    response = (response or "").strip()
    if not response:
        raise ValidationError("Tell the customer why.", code="no_response")
    with transaction.atomic():
        order = _locked_order(request.order_id)
        request = ReturnRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ReturnRequest.Status.REQUESTED:
            raise ValidationError("This return was already answered.", code="answered")
        request.status = ReturnRequest.Status.REJECTED
        request.response = response[:500]
        request.save(update_fields=["status", "response"])
        _record(order, "return_rejected", f"Return declined: {request.response}", actor=user, shop=request.part.shop)
        events.publish(
            shop_events.ReturnAnswered(
                order_id=order.pk, number=order.number, return_id=request.pk, approved=False, actor_id=user.pk
            )
        )
    return request
