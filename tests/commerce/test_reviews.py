"""Reviews: verified buyers only, in the document store, moderated by staff, ratings kept on the product."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from apps.commerce import reviews
from apps.commerce.models import Product
from apps.commerce.services import orders as services
from tests.commerce.factories import make_paid_order, make_product, variant_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_reviews():
    reviews._reviews().delete_many({})
    yield
    reviews._reviews().delete_many({})


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def product(shop):
    return make_product(shop=shop, name="Teapot", stock=20)


@pytest.fixture
def bought(customer, product):
    return make_paid_order(customer, [(variant_of(product), 1)])


def test_only_a_verified_buyer_reviews(customer, other_customer, product, bought):
    with pytest.raises(PermissionDenied):
        reviews.review_create(user=other_customer, product=product, rating=5, text="Never had it")
    review = reviews.review_create(user=customer, product=product, rating=4, text="Pours well")
    assert review["status"] == reviews.PENDING
    with pytest.raises(ValidationError, match="already reviewed"):
        reviews.review_create(user=customer, product=product, rating=3, text="Again")


def test_a_refunded_buyer_is_no_longer_verified(customer, admin, product, bought):
    services.order_refund(user=admin, order=bought)
    assert not reviews.is_verified_buyer(customer, product)


def test_bad_ratings_and_texts_are_refused(customer, product, bought):
    for rating, text, message in (
        (0, "x", "1 to 5"),
        ("five", "x", "1 to 5"),
        (5, "  ", "few words"),
        (5, "x" * 3001, "under"),
    ):
        with pytest.raises(ValidationError, match=message):
            reviews.review_create(user=customer, product=product, rating=rating, text=text)


def test_staff_moderate_and_the_products_rating_follows(customer, other_customer, admin, owner, product, bought):
    make_paid_order(other_customer, [(variant_of(product), 1)])
    first = reviews.review_create(user=customer, product=product, rating=5, text="Lovely")
    second = reviews.review_create(user=other_customer, product=product, rating=2, text="Chipped")
    assert reviews.reviews_for_product(product_id=product.pk) == []
    with pytest.raises(PermissionDenied):
        reviews.review_moderate(user=owner, review_id=first["_id"], approve=True)

    reviews.review_moderate(user=admin, review_id=first["_id"], approve=True)
    reviews.review_moderate(user=admin, review_id=second["_id"], approve=True)
    product.refresh_from_db()
    assert (product.rating_average, product.rating_count) == (Decimal("3.50"), 2)

    reviews.review_moderate(user=admin, review_id=second["_id"], approve=False)
    product.refresh_from_db()
    assert (product.rating_average, product.rating_count) == (Decimal("5.00"), 1)
    assert [r["text"] for r in reviews.reviews_for_product(product_id=product.pk)] == ["Lovely"]


def test_the_review_form_on_the_order_page_and_the_queue(customer, admin, owner, product, bought):
    page = _client(customer).get(f"/shop/orders/{bought.number}/").content.decode()
    assert "Review Teapot" in page
    response = _client(customer).post(
        f"/shop/orders/reviews/{product.pk}/",
        {"rating": "5", "text": "Great", "next": f"/shop/orders/{bought.number}/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/shop/orders/{bought.number}/"
    assert "Review Teapot" not in _client(customer).get(f"/shop/orders/{bought.number}/").content.decode()

    assert _client(owner).get("/shop/manage/reviews/").status_code == 403
    queue = _client(admin).get("/shop/manage/reviews/").content.decode()
    assert "Great" in queue
    review_id = f"{product.pk}:{customer.pk}"
    assert _client(owner).post(f"/shop/manage/reviews/{review_id}/approve/").status_code == 403
    assert _client(admin).post(f"/shop/manage/reviews/{review_id}/approve/").status_code == 302
    assert Product.objects.get(pk=product.pk).rating_count == 1
    assert "Great" in _client(owner).get("/dashboard/shop/").content.decode()  # recent reviews


def test_an_outsiders_review_post_is_refused_and_an_open_redirect_is_not_followed(
    other_customer, customer, product, bought
):
    assert (
        _client(other_customer).post(f"/shop/orders/reviews/{product.pk}/", {"rating": "5", "text": "x"}).status_code
        == 403
    )
    response = _client(customer).post(
        f"/shop/orders/reviews/{product.pk}/", {"rating": "9", "text": "x", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/shop/orders/"
