"""Selling places through the shop: a paid course, or a seat in one of its cohorts.

The LMS declares two sellable kinds in its hook (``course`` and ``seat``) and keeps them on sale
through commerce's public sellable service (apps/commerce/services/sellables.py), which never
asks what they are: a live paid course without cohorts is a ``course`` sellable (any number of
places), each cohort of a live paid course a ``seat`` sellable whose quantity limit is its seat
count, so the shop's stock locks refuse a buyer at checkout, before paying, once the seats are
taken or held. The course's price is the price of both. Publishing, unpublishing, a price change
and a cohort's creation or change call ``course_offer_sync`` / ``cohort_offer_sync``.

Fulfilment is the LMS's (``order_fulfil``, the durable subscriber of ``commerce.order_paid``):
each of its paid lines becomes a ``Sale`` (one per order line: a redelivered event fulfils once)
and enrols the buyer (source "purchase", the cohort for a seat) through ``enrolment_create``,
which takes the cohort's seat under the cohort row's lock: the second line of defence. A line the
LMS cannot honour (the cohort full or ended, the buyer already enrolled, units beyond the one
place a learner takes) is refunded through commerce's refund service with the reason, and the
buyer is told. ``order_undo`` (``commerce.order_refunded``) ends the place a refunded line gave.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from djmoney.money import Money

from apps.commerce.events import OrderLineInfo, OrderPaid, OrderRefunded
from apps.commerce.models import OrderLine, Shop
from apps.commerce.services import cart as carts
from apps.commerce.services import sellables
from apps.commerce.services.orders import line_amount
from apps.core.models import User
from apps.core.notifications import notify
from apps.core.platform import pagecache
from apps.lms import permissions, selectors
from apps.lms.models import Cohort, Course, Enrolment, Sale
from apps.lms.notifications import PLACE_REFUNDED
from apps.lms.selectors import NAMESPACE
from apps.lms.services import learning

APP = "lms"
COURSE, SEAT = "course", "seat"
# A course without cohorts has no seat limit: its stock is "more than will ever be sold".
OPEN_PLACES = 1_000_000
EXTRA_PLACES = "A learner takes one place in a course: the extra places were refunded."


def _on_sale(course: Course) -> bool:
    return bool(course.live and not course.is_free)


def _price(course: Course) -> Money:
    return Money(course.price, course.currency)


def seller_shop(course: Course) -> Shop:
    """The shop that sells ``course``'s places: one per course owner ("Courses by ..."), made
    the first time, so an order's part and the shop's sales name who sells it. Found by its owner
    and address, so a shop someone else opened at a like address is never taken over."""
    owner = course.owner
    base = f"courses-{owner.pk}"
    shop = Shop.objects.filter(owner=owner, slug__startswith=base).order_by("pk").first()
    if shop is not None:
        return shop
    slug = base if not Shop.objects.filter(slug=base).exists() else f"{base}-{secrets.token_hex(3)}"
    return Shop.objects.create(
        owner=owner,
        slug=slug,
        name=f"Courses by {owner.get_short_name()}"[:120],
        currency=course.currency,
        contact_email=owner.email,
    )


def course_offer_sync(course: Course) -> None:
    """Put ``course`` on sale as it now is (or take it off): a live paid course without cohorts
    sells places, each of its cohorts sells seats; a free or unpublished one sells nothing."""
    cohorts = list(Cohort.objects.filter(course=course))
    if _on_sale(course) and not cohorts:
        sellables.sellable_offer(
            app=APP,
            kind=COURSE,
            ref_id=course.pk,
            title=course.title,
            price=_price(course),
            quantity_limit=OPEN_PLACES,
            shop=seller_shop(course),
        )
    else:
        sellables.sellable_withdraw(app=APP, kind=COURSE, ref_id=course.pk)
    for cohort in cohorts:
        cohort.course = course
        cohort_offer_sync(cohort)


def _seat_title(cohort: Cohort) -> str:
    return f"{cohort.course.title} — {cohort.name}"


def cohort_offer_sync(cohort: Cohort) -> None:
    """Sell ``cohort``'s seats (its seat count the quantity limit) while its course is on sale and
    it has not ended; refused (ValidationError) when fewer seats than are sold or held are asked."""
    course = cohort.course
    ended = cohort.ends_on is not None and cohort.ends_on < timezone.localdate()
    if _on_sale(course) and not ended:
        sellables.sellable_offer(
            app=APP,
            kind=SEAT,
            ref_id=cohort.pk,
            title=_seat_title(cohort),
            price=_price(course),
            quantity_limit=OPEN_PLACES if cohort.seats is None else cohort.seats,
            shop=seller_shop(course),
        )
    else:
        sellables.sellable_withdraw(app=APP, kind=SEAT, ref_id=cohort.pk)


# --- Into the cart ------------------------------------------------------------------------------


def place_add_to_cart(*, user: Any, session: Any, course: Course, cohort: Cohort | None = None) -> str:
    """Put a place in ``course`` (a seat in ``cohort`` when the course has cohorts) in the
    visitor's shop cart, once; the sentence to show. Raises ValidationError (nothing changed)
    when it is not for sale to them: free, unpublished, already theirs, the cohort of another
    course or full."""
    enrolment = selectors.enrolment_get(user=user, course=course) if user.is_authenticated else None
    if not permissions.can_buy_place(user, course, enrolment=enrolment):
        if enrolment is not None and enrolment.revoked_at is None:
            raise ValidationError("You are already enrolled in this course.", code="already_enrolled")
        raise ValidationError("This course is not for sale.", code="not_for_sale")
    has_cohorts = course.cohorts.exists()
    if cohort is None and has_cohorts:
        raise ValidationError("Choose a cohort to join.", code="cohort_required")
    if cohort is not None and cohort.course_id != course.pk:
        raise ValidationError("That cohort is of another course.", code="other_course")
    kind, ref = (SEAT, cohort.pk) if cohort is not None else (COURSE, course.pk)
    product = sellables.sellable_get(app=APP, kind=kind, ref_id=ref)
    if product is None or not product.live:
        raise ValidationError("This place is not on sale now.", code="not_for_sale")
    variant = product.variants.get()
    cart = carts.cart_get(user=user, session=session)
    if any(item.variant.pk == variant.pk for item in cart.items):
        return f"{product.name} is already in your cart."
    _, message = carts.cart_add(user=user, session=session, variant_id=variant.pk, quantity=1)
    return message


# --- Fulfilment (commerce.order_paid) and its undoing (commerce.order_refunded) ----------------


def course_url_of(ref_id: str) -> str | None:
    """Where the buyer of a place in the course ``ref_id`` goes: on into the course."""
    slug = Course.objects.filter(pk=int(ref_id)).values_list("slug", flat=True).first() if ref_id.isdigit() else None
    return reverse("lms:continue", args=[slug]) if slug else None


def seat_url_of(ref_id: str) -> str | None:
    """Where the buyer of a cohort's seat goes: on into its course."""
    found = (
        Cohort.objects.filter(pk=int(ref_id)).values_list("course__slug", flat=True).first()
        if ref_id.isdigit()
        else None
    )
    return reverse("lms:continue", args=[found]) if found else None


def _ours(lines: tuple[OrderLineInfo, ...]) -> list[OrderLineInfo]:
    return [line for line in lines if line.reference_app == APP and line.reference_kind in (COURSE, SEAT)]


def _order_line_key(order_id: int, line_id: int) -> str:
    return f"{order_id}:{line_id}"


@dataclass
class _Thing:
    course: Course | None
    cohort: Cohort | None


def _thing(line: OrderLineInfo) -> _Thing:
    try:
        ref = int(line.reference_id)
    except ValueError:
        return _Thing(None, None)
    if line.reference_kind == SEAT:
        cohort = Cohort.objects.select_related("course").filter(pk=ref).first()
        return _Thing(cohort.course if cohort else None, cohort)
    return _Thing(Course.objects.filter(pk=ref).first(), None)


def order_fulfil(event: OrderPaid) -> None:
    """Enrol the buyer for each of the LMS's lines of a paid order (see the module docstring).
    Idempotent: a line already recorded is not fulfilled again; what is left to pay back of it
    (a refusal, extra units) is read from the line itself, so a retry refunds only what an earlier
    attempt did not."""
    buyer = User.objects.filter(pk=event.user_id).first() if event.user_id else None
    for line in _ours(event.lines):
        sale = _record_and_enrol(event, line, buyer)
        if sale is None:
            continue
        order_line = OrderLine.objects.get(pk=line.line_id)
        left = order_line.quantity - order_line.quantity_refunded
        if sale.refused:
            if sale.refunded_at is None:
                _give_back(sale, left, sale.refused)
        elif left > 1:
            # One learner takes one place: the other units are paid back.
            _refund_units(line.line_id, left - 1, EXTRA_PLACES)


def _record_and_enrol(event: OrderPaid, line: OrderLineInfo, buyer: User | None) -> Sale | None:
    existing = Sale.objects.filter(line_id=line.line_id).first()
    if existing is not None:
        return existing
    thing = _thing(line)
    if thing.course is None:  # the course went away since it was sold: nothing to give, all back
        _refund_units(line.line_id, line.quantity, "This course no longer exists.")
        return None
    order_line = OrderLine.objects.select_related("order").get(pk=line.line_id)
    with transaction.atomic():
        try:
            with transaction.atomic():
                sale = Sale.objects.create(
                    course=thing.course,
                    cohort=thing.cohort,
                    buyer=buyer,
                    order_id=event.order_id,
                    order_number=event.number,
                    line_id=line.line_id,
                    amount=line_amount(order_line, 1, included=order_line.order.prices_include_tax),
                    currency=event.currency,
                    paid_at=order_line.order.paid_at or timezone.now(),
                )
        except IntegrityError:  # another delivery of this event recorded it a moment ago
            return None
        refusal = _refusal(buyer, thing.course)
        if refusal is None:
            try:
                sale.enrolment = learning.enrolment_create(
                    user=buyer,  # type: ignore[arg-type]  # _refusal made sure there is one
                    course=thing.course,
                    source=Enrolment.Source.PURCHASE,
                    cohort=thing.cohort,
                    order_line=_order_line_key(event.order_id, line.line_id),
                )
            except ValidationError as refused:  # the cohort filled up or ended: the second defence
                refusal = " ".join(refused.messages)
        sale.refused = (refusal or "")[:300]
        sale.save(update_fields=["enrolment", "refused"])
    if thing.cohort is not None:
        _forget_pages()  # the landing page's "N seats left"
    return sale


def _forget_pages() -> None:
    pagecache.invalidate(NAMESPACE)


def _refusal(buyer: User | None, course: Course) -> str | None:
    if buyer is None or not buyer.is_active:
        return "The buyer's account is closed."
    enrolment = selectors.enrolment_get(user=buyer, course=course)
    if enrolment is not None and enrolment.revoked_at is None:
        return "You were already enrolled in this course."
    return None


def _refund_units(line_id: int, quantity: int, reason: str) -> bool:
    """Units of a line back through commerce's refund service; False when nothing is left to
    refund (an earlier attempt did it)."""
    try:
        sellables.sellable_line_refund(app=APP, line_id=line_id, quantity=quantity, reason=reason)
    except ValidationError as refused:
        if getattr(refused, "code", "") == "too_many":
            return False
        raise
    return True


def _give_back(sale: Sale, quantity: int, reason: str) -> None:
    """Refund what is left of a refused sale's line, mark the sale refunded and tell the buyer
    why (once: only the attempt whose refund happened tells)."""
    refunded = quantity > 0 and _refund_units(sale.line_id, quantity, reason)
    Sale.objects.filter(pk=sale.pk, refunded_at__isnull=True).update(refunded_at=timezone.now())
    if refunded and sale.buyer_id:
        notify(
            recipient_id=sale.buyer_id,
            kind=PLACE_REFUNDED,
            group=f"refused:{sale.line_id}",
            target_url=reverse("commerce:order", args=[sale.order_number]),
            target_label=f"{sale.course.title} ({reason.rstrip('.')})",
        )


def order_undo(event: OrderRefunded) -> None:
    """End the places that refunded lines gave: a line is undone once none of its units is left
    paid (its extra units going back leave the place). A whole-order refund without lines undoes
    every line of the order. Ending an ended place changes nothing, so a redelivery is harmless;
    a place given again since by another purchase is not the refunded line's to end."""
    if event.lines:
        line_ids = [line.line_id for line in _ours(event.lines)]
        sales = Sale.objects.filter(line_id__in=line_ids)
    elif event.full:
        sales = Sale.objects.filter(order_id=event.order_id)
    else:
        return
    sales = list(sales.select_related("enrolment"))
    if not sales:
        return
    left = dict(
        OrderLine.objects.filter(pk__in=[sale.line_id for sale in sales]).values_list("pk", "quantity_refunded")
    )
    quantities = dict(OrderLine.objects.filter(pk__in=left).values_list("pk", "quantity"))
    now = timezone.now()
    for sale in sales:
        if left.get(sale.line_id, 0) < quantities.get(sale.line_id, 1):
            continue  # units of it are still paid: the place stays
        Sale.objects.filter(pk=sale.pk, refunded_at__isnull=True).update(refunded_at=now)
        enrolment = sale.enrolment
        if (
            enrolment is not None
            and enrolment.revoked_at is None
            and enrolment.order_line == _order_line_key(sale.order_id, sale.line_id)
        ):
            learning.enrolment_revoke(enrolment=enrolment, reason="Refunded")
            if sale.cohort_id:
                _forget_pages()
