"""Buying a place over the API: a paid course's cohorts with their seats in its detail, and
``POST courses/<slug>/purchase/`` putting a place (or a cohort's seat) in the caller's shop cart,
from which the shop's API checks out; refusals change nothing."""

from __future__ import annotations

import pytest

from apps.commerce.models import CartLine
from tests.lms.api.conftest import API, error_of
from tests.lms.factories import buy_place, make_course, paid_course, place_variant, seat_cohort

pytestmark = pytest.mark.django_db


def _purchase(client, course, data=None):  # type: ignore[no-untyped-def]
    return client.post(f"{API}courses/{course.slug}/purchase/", data or {}, format="json")


def test_a_paid_course_lists_its_cohorts_with_seats_left_and_a_free_one_none(api_as, outsider):
    course = paid_course(title="Glazes")
    cohort = seat_cohort(course, seats=5, name="Spring cohort")
    body = api_as(outsider).get(f"{API}courses/{course.slug}/").json()
    assert [(c["id"], c["name"], c["seats"], c["seats_left"]) for c in body["cohorts"]] == [
        (cohort.pk, "Spring cohort", 5, 5)
    ]
    assert api_as(outsider).get(f"{API}courses/{make_course().slug}/").json()["cohorts"] == []


def test_a_place_goes_into_the_callers_cart_once(api_as, outsider):
    course = paid_course(title="Glazes")
    client = api_as(outsider)
    answer = _purchase(client, course)
    assert answer.status_code == 201 and answer.json()["cart_url"].endswith("/api/v1/shop/cart/")
    assert _purchase(client, course).status_code == 201  # already there: still one
    assert list(CartLine.objects.values_list("variant_id", "quantity")) == [(place_variant(course).pk, 1)]
    cart = client.get("/api/v1/shop/cart/").json()
    assert cart["lines"][0]["variant_id"] == place_variant(course).pk


def test_a_seat_of_the_chosen_cohort_goes_into_the_cart(api_as, outsider):
    course = paid_course(title="Glazes")
    cohort = seat_cohort(course, seats=5)
    client = api_as(outsider)
    assert error_of(_purchase(client, course), 400)  # which cohort?
    assert error_of(_purchase(client, course, {"cohort": 99999}), 404)
    assert error_of(_purchase(client, course, {"cohort": "x"}), 400)
    assert _purchase(client, course, {"cohort": cohort.pk}).status_code == 201
    assert list(CartLine.objects.values_list("variant_id", flat=True)) == [place_variant(course, cohort).pk]


def test_a_free_course_or_one_already_yours_is_not_bought(api_as, outsider):
    assert error_of(_purchase(api_as(outsider), make_course()), 409)["code"] == "not_for_sale"
    course = paid_course(title="Glazes")
    buy_place(outsider, course)
    CartLine.objects.all().delete()
    assert error_of(_purchase(api_as(outsider), course), 409)["code"] == "already_enrolled"
    assert not CartLine.objects.exists()
