"""Paid places through the shop: the LMS's sellables kept on sale, the landing page's call to buy
(into the shop's cart), fulfilment of ``commerce.order_paid`` (once, however often delivered),
the second line of defence for a full cohort (refunded, the buyer told), refunds ending access,
and cohort dates locking lessons."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.commerce.models import CartLine, Order, Product, Stock
from apps.commerce.services import cart as carts
from apps.commerce.services import orders, sellables
from apps.core.notifications.models import Notification
from apps.core.platform import events, registry
from apps.lms.models import Cohort, Enrolment, Sale
from apps.lms.services import cohorts, courses, learning
from tests.commerce.factories import make_paid_order, paid_event
from tests.lms.factories import buy_place, lessons_of, make_course, paid_course, place_variant, seat_cohort

pytestmark = pytest.mark.django_db


def _product(kind: str, ref: int) -> Product | None:
    return sellables.sellable_get(app="lms", kind=kind, ref_id=ref)


# --- On sale ------------------------------------------------------------------------------------


def test_the_hook_declares_a_course_and_a_cohort_seat():
    assert {("lms", "course"), ("lms", "seat")} <= set(registry().sellables)


def _draft_course(instructor, *, price: str | None = None):  # type: ignore[no-untyped-def]
    """A draft course with one lesson, made through the services (so the engine can publish it)."""
    course = courses.course_create(actor=instructor, data=courses.CourseInput(title="Glazes for sale"))
    section = courses.section_create(actor=instructor, course=course, title="Part 1")
    courses.lesson_create(actor=instructor, section=section, data=courses.LessonInput(title="First"))
    if price is not None:
        courses.course_settings_update(actor=instructor, course=course, price=price, currency="EUR")
    return course


def test_publishing_a_paid_course_puts_it_on_sale_at_its_price_and_a_new_price_follows(instructor):
    course = _draft_course(instructor, price="49.00")
    assert _product("course", course.pk) is None  # a draft is not sold
    courses.course_publish(actor=instructor, course=course)
    product = _product("course", course.pk)
    assert product.live and product.name == course.title and product.shop.owner == instructor
    variant = product.variants.get()
    assert (variant.price.amount, str(variant.price.currency)) == (Decimal("49.00"), "EUR")

    courses.course_settings_update(actor=instructor, course=course, price="59.50")
    assert place_variant(course).price.amount == Decimal("59.50")
    courses.course_settings_update(actor=instructor, course=course, price="0")  # free now
    assert not _product("course", course.pk).live
    courses.course_settings_update(actor=instructor, course=course, price="10")
    assert _product("course", course.pk).live  # on sale again
    courses.course_unpublish(actor=instructor, course=course)
    assert not _product("course", course.pk).live


def test_a_free_course_is_never_on_sale(instructor):
    course = _draft_course(instructor)
    courses.course_publish(actor=instructor, course=course)
    assert _product("course", course.pk) is None


def test_a_cohort_sells_its_seats_and_the_course_then_sells_only_through_cohorts(instructor):
    course = paid_course(owner=instructor)
    assert _product("course", course.pk).live
    cohort = cohorts.cohort_create(
        actor=instructor, course=course, name="Spring cohort", starts_on=date(2030, 3, 1), seats=5
    )
    seat = _product("seat", cohort.pk)
    assert seat.live and seat.name == f"{course.title} — Spring cohort"
    assert Stock.objects.get(variant=seat.variants.get()).quantity == 5
    assert not _product("course", course.pk).live

    cohorts.cohort_update(actor=instructor, cohort=cohort, name="Spring cohort", starts_on=date(2030, 3, 1), seats=8)
    assert Stock.objects.get(variant=seat.variants.get()).quantity == 8


def test_a_cohort_keeps_at_least_the_seats_sold(instructor, outsider, learner):
    course = paid_course(owner=instructor)
    cohort = seat_cohort(course, seats=3)
    buy_place(outsider, course, cohort)
    buy_place(learner, course, cohort)
    with pytest.raises(ValidationError, match="2 seats are taken"):
        cohorts.cohort_update(actor=instructor, cohort=cohort, name="Again", starts_on=cohort.starts_on, seats=1)
    cohort.refresh_from_db()
    assert cohort.seats == 3 and cohort.name != "Again"
    assert Stock.objects.get(variant=place_variant(course, cohort)).quantity == 3


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("owner", True),
        ("co_instructor", True),
        ("other_instructor", False),
        ("learner", False),
        ("outsider", False),
        ("admin", True),
        ("anonymous", False),
    ],
)
def test_who_may_create_a_cohort(people, course, who, allowed):
    actor = people[who]
    if not allowed:
        with pytest.raises(PermissionDenied):
            cohorts.cohort_create(actor=actor, course=course, name="Spring", starts_on=date(2030, 1, 1))
        assert not Cohort.objects.exists()
    else:
        assert cohorts.cohort_create(actor=actor, course=course, name="Spring", starts_on=date(2030, 1, 1)).pk


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"ends_on": date(2029, 12, 31)}, "ends_on"),
        ({"seats": 0}, "seats"),
        ({"seats": -3}, "seats"),
        ({"starts_on": None}, "starts_on"),
    ],
)
def test_a_bad_cohort_is_refused_with_its_field_and_nothing_is_made(instructor, course, fields, field):
    data = {"name": "Spring", "starts_on": date(2030, 1, 1), "ends_on": None, "seats": 5, **fields}
    with pytest.raises(ValidationError) as refused:
        cohorts.cohort_create(actor=instructor, course=course, **data)
    assert field in refused.value.message_dict
    assert not Cohort.objects.exists()


# --- The landing page's call to buy -------------------------------------------------------------


def test_a_paid_course_says_buy_for_its_price_and_a_free_one_keeps_one_click_enrol(client_for, outsider, instructor):
    paid = paid_course(owner=instructor)
    free = make_course(owner=instructor)
    page = client_for(outsider).get(paid.get_absolute_url()).content.decode()
    assert "Buy for 49.00 EUR" in page and reverse("lms:buy", args=[paid.slug]) in page
    assert "Enrol for free" not in page
    page = client_for(outsider).get(free.get_absolute_url()).content.decode()
    assert "Enrol for free" in page and "Buy for" not in page


def test_a_course_with_cohorts_offers_each_with_its_seats_left(client_for, outsider, learner, instructor):
    course = paid_course(owner=instructor)
    spring = seat_cohort(course, seats=5, starts_on=date(2030, 3, 1))
    spring.name = "Spring cohort"
    spring.save()
    autumn = seat_cohort(course, seats=1, starts_on=date(2030, 9, 1))
    buy_place(learner, course, autumn)
    page = client_for(outsider).get(course.get_absolute_url()).content.decode()
    assert "Join the Spring cohort — 5 seats left" in page
    assert f"{autumn.name} — full" in page and "Buy for" not in page


def test_buying_puts_the_place_in_the_cart_once_and_goes_to_the_cart(client_for, outsider, instructor):
    course = paid_course(owner=instructor)
    client = client_for(outsider)
    response = client.post(reverse("lms:buy", args=[course.slug]))
    assert response.status_code == 302 and response.url == reverse("commerce:cart")
    client.post(reverse("lms:buy", args=[course.slug]))  # twice: still one place
    line = CartLine.objects.get(cart__user=outsider)
    assert (line.variant, line.quantity) == (place_variant(course), 1)


def test_a_visitor_fills_the_cart_of_their_session(client):
    course = paid_course()
    response = client.post(reverse("lms:buy", args=[course.slug]))
    assert response.url == reverse("commerce:cart")
    view = carts.cart_get(user=None, session=client.session)
    assert [item.variant for item in view.items] == [place_variant(course)]


def test_buying_a_seat_puts_that_cohorts_seat_in_the_cart(client_for, outsider, instructor):
    course = paid_course(owner=instructor)
    cohort = seat_cohort(course)
    client = client_for(outsider)
    assert client.post(reverse("lms:buy", args=[course.slug])).url == course.get_absolute_url()  # which cohort?
    assert not CartLine.objects.exists()
    client.post(reverse("lms:buy", args=[course.slug]), {"cohort": cohort.pk})
    assert CartLine.objects.get().variant == place_variant(course, cohort)


@pytest.mark.parametrize("value", ["nope", "0", "-1", "99999999999999999999", "999999"])
def test_buying_an_unknown_cohort_is_404_and_nothing_is_added(client_for, outsider, value):
    course = paid_course()
    seat_cohort(course)
    response = client_for(outsider).post(reverse("lms:buy", args=[course.slug]), {"cohort": value})
    assert response.status_code == 404 and not CartLine.objects.exists()


def test_a_cohort_of_another_course_is_404(client_for, outsider):
    course, other = paid_course(), paid_course()
    cohort = seat_cohort(other)
    seat_cohort(course)
    response = client_for(outsider).post(reverse("lms:buy", args=[course.slug]), {"cohort": cohort.pk})
    assert response.status_code == 404 and not CartLine.objects.exists()


def test_the_enrolled_and_free_courses_are_not_bought(client_for, learner, instructor):
    course = paid_course(owner=instructor)
    buy_place(learner, course)
    response = client_for(learner).post(reverse("lms:buy", args=[course.slug]), follow=True)
    assert "already enrolled" in response.content.decode()
    free = make_course(owner=instructor)
    response = client_for(learner).post(reverse("lms:buy", args=[free.slug]), follow=True)
    assert "not for sale" in response.content.decode()
    assert not CartLine.objects.exists()


def test_buying_is_a_post(client_for, outsider):
    course = paid_course()
    assert client_for(outsider).get(reverse("lms:buy", args=[course.slug])).status_code == 405


def test_a_paid_course_refuses_one_click_enrolment(outsider):
    course = paid_course()
    with pytest.raises(ValidationError, match="sold in the shop") as refused:
        learning.course_enrol(user=outsider, course=course)
    assert refused.value.code == "paid_course"
    assert not Enrolment.objects.exists()


# --- Fulfilment ---------------------------------------------------------------------------------


def test_a_paid_seat_enrols_the_buyer_in_its_cohort_once_however_often_delivered(outsider):
    course = paid_course()
    cohort = seat_cohort(course, seats=5)
    order = make_paid_order(outsider, [(place_variant(course, cohort), 1)])
    for _ in range(3):  # the same news three times (a redelivery, a replay)
        events.publish(paid_event(order))
        events.deliver_pending()
    enrolment = Enrolment.objects.get(user=outsider, course=course)
    line = order.lines.get()
    assert (enrolment.source, enrolment.cohort, enrolment.order_line) == ("purchase", cohort, f"{order.pk}:{line.pk}")
    assert Cohort.objects.get(pk=cohort.pk).seats_taken == 1
    sale = Sale.objects.get()
    assert (sale.course, sale.amount, sale.currency, sale.refunded_at) == (course, Decimal("49.00"), "EUR", None)


def test_a_paid_order_for_a_full_cohort_is_refunded_with_the_reason_and_the_buyer_told(outsider, learner):
    course = paid_course()
    cohort = seat_cohort(course, seats=1)
    # The shop sold a seat the LMS no longer has (taken meanwhile by another path).
    Cohort.objects.filter(pk=cohort.pk).update(seats_taken=1)
    order = buy_place(outsider, course, cohort)
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED and order.refunded_total.amount == Decimal("49.00")
    refund = order.refunds.get()
    assert "This cohort is full" in refund.reason
    assert not Enrolment.objects.filter(user=outsider).exists()
    sale = Sale.objects.get()
    assert sale.refused == "This cohort is full." and sale.refunded_at is not None
    told = Notification.objects.get(recipient=outsider, kind="lms.place_refunded")
    assert "This cohort is full" in told.target_label
    assert told.target_url == reverse("commerce:order", args=[order.number])
    events.publish(paid_event(order))  # delivered again: refunded and told once
    events.deliver_pending()
    assert order.refunds.count() == 1
    assert Notification.objects.filter(recipient=outsider, kind="lms.place_refunded").count() == 1


def test_two_places_bought_make_one_place_and_one_refund(outsider):
    course = paid_course()
    order = buy_place(outsider, course, quantity=2)
    assert Enrolment.objects.get(user=outsider, course=course).is_active
    line = order.lines.get()
    assert line.quantity_refunded == 1 and order.refunds.get().amount.amount == Decimal("49.00")
    assert Enrolment.objects.get(user=outsider).revoked_at is None  # the extra unit's refund leaves the place


def test_a_learner_already_enrolled_is_refunded(outsider):
    course = paid_course()
    buy_place(outsider, course)
    second = buy_place(outsider, course)
    second.refresh_from_db()
    assert second.status == Order.Status.REFUNDED
    assert Sale.objects.get(order_id=second.pk).refused == "You were already enrolled in this course."


def test_lines_of_other_apps_are_left_alone(outsider):
    from tests.commerce.factories import make_product, variant_of

    order = make_paid_order(outsider, [(variant_of(make_product()), 1)])
    events.publish(paid_event(order))
    events.deliver_pending()
    assert not Sale.objects.exists() and not Enrolment.objects.exists()


# --- Refunds ------------------------------------------------------------------------------------


def test_a_refunded_course_locks_its_lessons_and_leaves_my_learning(client_for, outsider, admin):
    course = paid_course()
    order = buy_place(outsider, course)
    lesson = lessons_of(course)[0]
    client = client_for(outsider)
    assert client.get(lesson.get_absolute_url()).status_code == 200
    assert course.title in client.get(reverse("lms:my-learning")).content.decode()

    orders.order_refund(user=admin, order=order)
    events.deliver_pending()
    enrolment = Enrolment.objects.get(user=outsider)
    assert enrolment.revoked_at is not None
    assert client.get(lesson.get_absolute_url()).status_code in (302, 403)
    assert course.title not in client.get(reverse("lms:my-learning")).content.decode()
    assert Sale.objects.get().refunded_at is not None
    events.deliver_pending()  # nothing more: ended once
    assert Enrolment.objects.get(user=outsider).revoked_at == enrolment.revoked_at


def test_a_refunded_seat_is_free_again_in_the_lms_and_the_shop(outsider, admin):
    course = paid_course()
    cohort = seat_cohort(course, seats=1)
    order = buy_place(outsider, course, cohort)
    variant = place_variant(course, cohort)
    assert Stock.objects.get(variant=variant).available == 0
    orders.order_refund(user=admin, order=order, lines={order.lines.get().pk: 1})
    events.deliver_pending()
    assert Cohort.objects.get(pk=cohort.pk).seats_taken == 0
    assert Stock.objects.get(variant=variant).available == 1


def test_an_old_refund_does_not_end_a_place_bought_again(outsider, admin):
    course = paid_course()
    first = buy_place(outsider, course)
    orders.order_refund(user=admin, order=first)
    events.deliver_pending()
    buy_place(outsider, course)  # bought again: the place comes back with its progress
    assert Enrolment.objects.get(user=outsider).is_active
    events.publish(_refund_of(first))  # the first order's refund told again
    events.deliver_pending()
    assert Enrolment.objects.get(user=outsider).is_active


def _refund_of(order: Order):  # type: ignore[no-untyped-def]
    from apps.commerce.events import OrderLineInfo, OrderRefunded

    return OrderRefunded(
        order_id=order.pk,
        number=order.number,
        user_id=order.user_id,
        amount="49.00",
        currency="EUR",
        full=True,
        lines=tuple(OrderLineInfo.of(line) for line in order.lines.select_related("part")),
    )


# --- Cohort dates (a frozen clock) ---------------------------------------------------------------


def test_a_cohorts_lessons_are_locked_until_it_starts(client_for, outsider):
    course = paid_course()
    start = timezone.localdate() + timedelta(days=10)
    cohort = seat_cohort(course, seats=5, starts_on=start)
    buy_place(outsider, course, cohort)
    lesson = lessons_of(course)[0]
    client = client_for(outsider)
    with time_machine.travel(timezone.now() + timedelta(days=9), tick=False):
        response = client.get(lesson.get_absolute_url())
        assert response.status_code == 403
        assert "Your cohort starts on" in response.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=10, hours=1), tick=False):
        assert client.get(lesson.get_absolute_url()).status_code == 200


def test_an_ended_cohort_is_not_offered_and_its_late_payment_is_refunded(client_for, outsider):
    course = paid_course()
    cohort = seat_cohort(course, seats=5, starts_on=timezone.localdate())
    variant = place_variant(course, cohort)
    order = make_paid_order(outsider, [(variant, 1)])
    Cohort.objects.filter(pk=cohort.pk).update(ends_on=timezone.localdate())
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        page = client_for(outsider).get(course.get_absolute_url()).content.decode()
        assert "Every cohort of this course has ended." in page
        events.publish(paid_event(order))
        events.deliver_pending()
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED and not Enrolment.objects.exists()


def test_a_course_published_by_its_schedule_goes_on_sale(instructor):
    from apps.core.publishing import services as publishing

    course = _draft_course(instructor, price="25.00")
    courses.course_schedule(actor=instructor, course=course, go_live_at=timezone.now() + timedelta(minutes=1))
    assert _product("course", course.pk) is None
    publishing.publish_due(now=timezone.now() + timedelta(minutes=2))
    events.deliver_pending()
    assert _product("course", course.pk).live and place_variant(course).price.amount == Decimal("25.00")


def test_the_landing_pages_queries_do_not_grow_with_cohorts(client_for, outsider, django_assert_max_num_queries):
    course = paid_course()
    seat_cohort(course)
    client = client_for(outsider)
    client.get(course.get_absolute_url())
    with django_assert_max_num_queries(30) as few:
        client.get(course.get_absolute_url())
    for _ in range(4):
        seat_cohort(course)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(course.get_absolute_url()).content.decode()
    assert page.count("seats left") == 5


def test_the_seller_shop_is_the_owners_and_never_someone_elses(instructor):
    from tests.commerce.factories import ShopFactory

    squatter = ShopFactory(slug=f"courses-{instructor.pk}")
    course = paid_course(owner=instructor)
    shop = _product("course", course.pk).shop
    assert shop != squatter and shop.owner == instructor and shop.slug.startswith(f"courses-{instructor.pk}-")
    assert _product("course", paid_course(owner=instructor).pk).shop == shop  # one per owner


def test_a_seat_is_bought_through_the_shops_checkout_and_the_next_buyer_refused_before_paying(user_with_role):
    from apps.commerce.services import checkout as checkouts
    from apps.commerce.services import payments
    from tests.commerce.shopping import fill_cart, save_address

    course = paid_course()
    cohort = seat_cohort(course, seats=1)
    first, second = user_with_role("student"), user_with_role("student")
    for buyer in (first, second):
        save_address(buyer)
        fill_cart(buyer, place_variant(course, cohort))
    checkout = checkouts.checkout_start(user=first)
    with pytest.raises(ValidationError, match="is sold out"):
        checkouts.checkout_start(user=second)  # the seat is held for the first buyer
    completion = checkouts.checkout_complete(user=first, checkout=checkout)
    payments.payment_confirm(payment=completion.order.payments.get(), data={"outcome": "approve"})
    events.deliver_pending()
    assert Enrolment.objects.get(course=course).user == first
    assert Order.objects.get().status == Order.Status.PAID and not Order.objects.filter(user=second).exists()


def test_the_shops_confirmation_leads_the_buyer_into_the_course(client_for, outsider):
    course = paid_course()
    cohort = seat_cohort(course, seats=5)
    order = make_paid_order(outsider, [(place_variant(course, cohort), 1)])
    page = client_for(outsider).get(reverse("commerce:checkout-done", args=[order.token])).content.decode()
    assert f'href="/courses/{course.slug}/continue/"' in page and "Go to " in page
    # Through the hook: the shop names no LMS address of its own.
    kinds = registry().sellables
    assert kinds[("lms", "course")].url_of(str(course.pk)) == f"/courses/{course.slug}/continue/"
    assert kinds[("lms", "seat")].url_of("not-a-number") is None
