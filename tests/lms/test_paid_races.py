"""The seat race, with real HTTP against a production-mode server on PostgreSQL (the LMS's
acceptance): a cohort of 5 seats, 50 signed-in buyers each with its seat in their cart checking
out at once with the test payment provider. The shop's stock locks refuse 45 of them before
they pay, with a clear message; 5 pay, once each; the LMS's fulfilment of ``commerce.order_paid``
enrols exactly those 5 in the cohort. A second race delivers the paid events themselves at once
to a cohort the LMS has fewer seats left in than the shop sold: the LMS's own seat lock lets in
as many as it has and refunds the rest.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from apps.commerce.models import Order, Payment, Stock
from apps.core.platform import events
from apps.lms.models import Cohort, Enrolment, Sale
from apps.lms.services import selling
from tests.commerce.factories import make_paid_order, paid_event
from tests.commerce.shopping import fill_cart, save_address
from tests.commerce.test_races import TIMEOUT, complete_form, race_env, signed_in  # noqa: F401 (the fixture)
from tests.core.factories import UserFactory
from tests.faults.conftest import production_env  # noqa: F401 (the fixture)
from tests.lms.factories import paid_course, place_variant, seat_cohort
from tests.utils import daphne_server, race

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the races run on PostgreSQL (CI does)")

BUYERS, SEATS = 50, 5


def test_fifty_buyers_for_five_seats_make_five_learners_and_no_order_paid_twice(race_env, tmp_path: Path):  # noqa: F811
    course = paid_course(title="Glazes and firing")
    cohort = seat_cohort(course, seats=SEATS, name="Spring cohort")
    variant = place_variant(course, cohort)
    buyers = [UserFactory(roles=["student"]) for _ in range(BUYERS)]
    browsers = []
    for buyer in buyers:
        save_address(buyer)  # a billing address, as a returning customer has
        fill_cart(buyer, variant)
        browsers.append(signed_in(buyer))

    with daphne_server(race_env, tmp_path / "daphne.log") as url:

        def buy(index: int) -> str:
            browser = browsers[index]
            start = browser.post(url + "/shop/checkout/start/", timeout=TIMEOUT, allow_redirects=False)
            if start.headers.get("Location") != "/shop/checkout/":  # refused: the cart says why
                return browser.get(url + start.headers["Location"], timeout=TIMEOUT).text
            paying = browser.post(
                url + "/shop/checkout/complete/", complete_form(browser, url), timeout=TIMEOUT, allow_redirects=False
            )
            done = browser.post(
                url + paying.headers["Location"], {"outcome": "approve"}, timeout=TIMEOUT, allow_redirects=False
            )
            return done.headers["Location"]

        answers = race(buy, BUYERS)

    failures = [a for a in answers if isinstance(a, BaseException)]
    assert not failures, failures[:3]
    paid = [a for a in answers if a.startswith("/shop/checkout/done/")]
    told = [a for a in answers if "Spring cohort has just sold out" in a or "Spring cohort is sold out" in a]
    assert len(paid) == SEATS and len(told) == BUYERS - SEATS, [a[:300] for a in answers if a not in paid][:2]

    # Nobody was charged but the five, each once.
    assert Order.objects.filter(status=Order.Status.PAID).count() == SEATS
    assert Order.objects.count() == SEATS
    assert Payment.objects.filter(status=Payment.Status.CAPTURED).count() == SEATS
    assert len(set(Order.objects.values_list("user_id", flat=True))) == SEATS
    row = Stock.objects.get(variant=variant)
    assert (row.quantity, row.allocated, row.reserved, row.available) == (SEATS, SEATS, 0, 0)

    events.deliver_pending()  # the worker's part: the LMS fulfils the paid lines
    events.deliver_pending()
    learners = Enrolment.objects.filter(course=course, cohort=cohort, revoked_at__isnull=True, source="purchase")
    assert learners.count() == SEATS
    assert set(learners.values_list("user_id", flat=True)) == set(Order.objects.values_list("user_id", flat=True))
    assert Cohort.objects.get(pk=cohort.pk).seats_taken == SEATS
    assert Sale.objects.filter(refunded_at__isnull=True).count() == SEATS


@pytest.mark.django_db(transaction=True)
def test_paid_events_racing_into_a_cohort_with_fewer_seats_enrol_as_many_as_it_has_and_refund_the_rest():
    course = paid_course()
    cohort = seat_cohort(course, seats=8)
    buyers = [UserFactory(roles=["student"]) for _ in range(8)]
    orders = [make_paid_order(buyer, [(place_variant(course, cohort), 1)]) for buyer in buyers]
    # The LMS has 3 seats left though the shop sold 8 (a seat given by another path meanwhile).
    Cohort.objects.filter(pk=cohort.pk).update(seats_taken=5)

    def fulfil(index: int) -> None:
        selling.order_fulfil(paid_event(orders[index]))

    results = race(fulfil, len(orders))

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Cohort.objects.get(pk=cohort.pk).seats_taken == 8
    assert Enrolment.objects.filter(cohort=cohort, revoked_at__isnull=True).count() == 3
    refunded = Order.objects.filter(status=Order.Status.REFUNDED)
    assert refunded.count() == 5
    assert {sale.refused for sale in Sale.objects.filter(refunded_at__isnull=False)} == {"This cohort is full."}
