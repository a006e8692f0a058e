"""The cart: SQL for customers, the session for visitors, merged on sign-in, re-checked at every
step; its page, add-to-cart and the mini-cart."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.cache import SessionStore
from django.test import Client

from apps.commerce import stock
from apps.commerce.models import CartLine, Shop
from apps.commerce.services import cart as carts
from tests.commerce.factories import ShopFactory, make_product, variant_of
from tests.commerce.shopping import fill_cart
from tests.core.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_adding_caps_at_the_stock_and_says_so(customer):
    variant = variant_of(make_product(stock=2))
    cart, message = carts.cart_add(user=customer, session=None, variant_id=variant.pk, quantity=5)
    assert message == f"Only 2 left of {variant.product.name}; your cart now has 2."
    assert [(item.variant.pk, item.quantity) for item in cart.items] == [(variant.pk, 2)]


def test_a_second_currency_is_refused_and_nothing_changes(customer):
    euro = variant_of(make_product())
    dollar = variant_of(make_product(shop=ShopFactory(currency="USD")))
    carts.cart_add(user=customer, session=None, variant_id=euro.pk)
    with pytest.raises(carts.ValidationError, match="Your cart holds prices in EUR"):
        carts.cart_add(user=customer, session=None, variant_id=dollar.pk)
    assert list(CartLine.objects.values_list("variant_id", flat=True)) == [euro.pk]


def test_a_product_unpublished_while_in_the_cart_is_dropped_with_a_clear_message(customer):
    product = make_product(name="Teapot")
    other = make_product(name="Cup")
    fill_cart(customer, variant_of(product), variant_of(other))
    product.live = False
    product.save(update_fields=["live"])
    cart = carts.cart_get(user=customer, session=None)
    assert cart.notices == ["Teapot is no longer for sale and was removed from your cart."]
    assert [item.name for item in cart.items] == ["Cup"]
    assert carts.cart_get(user=customer, session=None).notices == []  # said once


def test_a_closed_shop_and_stock_that_fell_are_rechecked(customer):
    product = make_product(name="Lamp", stock=5)
    fill_cart(customer, variant_of(product), quantity=4)
    variant_of(product).stock.__class__.objects.filter(variant=variant_of(product)).update(quantity=2)
    assert carts.cart_get(user=customer, session=None).notices == ["Only 2 left of Lamp; your cart now has 2."]
    Shop.objects.filter(pk=product.shop_id).update(is_active=False)
    assert "no longer for sale" in carts.cart_get(user=customer, session=None).notices[0]
    assert not CartLine.objects.exists()


def test_reading_a_cart_costs_one_query_however_many_lines(customer, django_assert_num_queries):
    fill_cart(customer, *(variant_of(make_product()) for _ in range(6)))
    with django_assert_num_queries(1):
        cart = carts.cart_get(user=customer, session=None)
        assert len(cart.items) == 6 and cart.subtotal.amount == 60
        assert [name for shop, items in cart.shops for name in [shop.name]]


def test_a_visitors_cart_lives_in_the_session_and_merges_on_sign_in(customer):
    first, second = variant_of(make_product(stock=3)), variant_of(make_product())
    fill_cart(customer, first, quantity=2)
    session = SessionStore()
    carts.cart_add(user=None, session=session, variant_id=first.pk, quantity=2)
    carts.cart_add(user=None, session=session, variant_id=second.pk, quantity=1)
    assert carts.cart_count(user=None, session=session) == 3
    notices = carts.cart_merge(user=customer, session=session)
    assert notices == [f"Only 3 left of {first.product.name}; your cart now has 3."]
    assert dict(CartLine.objects.values_list("variant_id", "quantity")) == {first.pk: 3, second.pk: 1}
    assert carts.cart_count(user=None, session=session) == 0


# --- Pages ------------------------------------------------------------------------------------


def test_a_visitor_adds_then_signs_in_and_finds_the_cart_merged(client, customer):
    variant = variant_of(make_product(name="Kettle"))
    response = client.post("/shop/cart/add/", {"variant": variant.pk, "quantity": 2}, HTTP_REFERER="/shop/")
    assert response.status_code == 302 and response["Location"] == "/shop/"
    assert CartLine.objects.count() == 0
    client.post("/accounts/login/", {"email": customer.email, "password": DEFAULT_PASSWORD})
    assert list(CartLine.objects.filter(cart__user=customer).values_list("quantity", flat=True)) == [2]
    page = client.get("/shop/cart/")
    assert b"Kettle" in page.content and b"data-cart-count>2<" in page.content


def test_htmx_add_answers_the_mini_cart_out_of_band_and_a_toast(client, customer):
    client.force_login(customer)
    variant = variant_of(make_product(name="Kettle"))
    response = client.post("/shop/cart/add/", {"variant": variant.pk, "quantity": 1}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="mini-cart" href="/shop/cart/" hx-swap-oob="true"' in body and "data-cart-count>1<" in body
    assert "Added 1 × Kettle to your cart." in body and "<html" not in body


@pytest.mark.parametrize("data", [{"variant": "nope"}, {"variant": "999999"}, {"quantity": "0"}, {"quantity": "x"}])
def test_bad_input_to_add_is_a_clear_422_for_htmx_and_changes_nothing(client, customer, data):
    client.force_login(customer)
    variant = variant_of(make_product())
    response = client.post("/shop/cart/add/", {"variant": variant.pk, **data}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert b"message--error" in response.content
    assert not CartLine.objects.exists()


def test_quantity_change_and_removal_in_place(client, customer):
    client.force_login(customer)
    variant = variant_of(make_product(name="Mug", stock=3))
    fill_cart(customer, variant)
    response = client.post(f"/shop/cart/lines/{variant.pk}/", {"quantity": 5}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="cart"' in body and "<html" not in body and "Only 3 left of Mug; your cart now has 3." in body
    assert CartLine.objects.get().quantity == 3
    response = client.post(f"/shop/cart/lines/{variant.pk}/", {"remove": "1"})
    assert response.status_code == 302 and not CartLine.objects.exists()
    assert b"Removed Mug from your cart." in client.get("/shop/cart/").content


def test_the_cart_page_is_full_for_a_plain_request_and_a_fragment_for_htmx(client):
    assert b"<html" in client.get("/shop/cart/").content
    assert b"<html" not in client.get("/shop/cart/", HTTP_HX_REQUEST="true").content


@pytest.mark.parametrize("path", ["/shop/cart/add/", "/shop/cart/lines/1/"])
def test_cart_writes_refuse_get(client, path):
    assert client.get(path).status_code == 405


def test_the_mini_cart_costs_a_customer_one_query_and_a_visitor_none(
    client, customer, django_assert_max_num_queries, django_assert_num_queries
):
    variant = variant_of(make_product())
    client.post("/shop/cart/add/", {"variant": variant.pk, "quantity": 2})
    with django_assert_num_queries(0):
        response = client.get("/shop/cart/mini/")
    assert b"data-cart-count>2<" in response.content and response["Cache-Control"] == "private, no-store"
    signed_in = Client()
    signed_in.force_login(customer)
    fill_cart(customer, variant)
    home = signed_in.get("/")
    assert b'id="mini-cart"' in home.content and b"data-cart-count>1<" in home.content
    # The visitor's header is shared: no count in it, it loads its own.
    assert b'hx-get="/shop/cart/mini/"' in client.get("/").content


@pytest.mark.parametrize("who", ["owner", "other_owner", "customer", "other_customer", "admin", "anonymous"])
def test_everyone_may_fill_a_cart(client, people, who):
    if people[who] is not None:
        client.force_login(people[who])
    variant = variant_of(make_product())
    assert client.post("/shop/cart/add/", {"variant": variant.pk}).status_code == 302
    assert client.get("/shop/cart/").status_code == 200
    assert carts.cart_count(user=people[who], session=client.session) == 1


def test_the_cart_page_query_count_is_flat(client, customer, django_assert_max_num_queries):
    client.force_login(customer)
    client.get("/shop/cart/")  # warm the session
    fill_cart(customer, *(variant_of(make_product(shop=ShopFactory())) for _ in range(8)))
    # the user and roles, the cart's lines (one query), the header's bell and mini-cart
    with django_assert_max_num_queries(8):
        response = client.get("/shop/cart/")
    assert response.content.count(b'id="cart-line-') == 8


def _sql_of_add(client, variant) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.post("/shop/cart/add/", {"variant": variant.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return [q["sql"].split()[0].upper() for q in captured.captured_queries]


def test_a_new_visitors_add_to_cart_reads_nothing_once_warm_and_writes_the_session_once(client):
    """The bench's add-to-cart (a new visitor's first, by htmx): no transaction around a cart the
    session holds, no second read of what was just checked, no look-up of the new session key;
    the variant and its shown stock are read once, then kept until the catalogue or stock
    changes."""
    transaction = {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"}
    variant = variant_of(make_product())

    def statements() -> list[str]:
        client.cookies.clear()  # a new visitor each time
        return [s for s in _sql_of_add(client, variant) if s not in transaction]

    assert statements() == ["SELECT", "SELECT", "INSERT"]  # the variant, its stock; the session
    assert statements() == ["INSERT"]
    stock.set_on_hand(variant.pk, 7)  # a stock change: its count is read again
    assert statements() == ["SELECT", "INSERT"]


def test_adding_to_a_visitors_cart_costs_the_same_however_many_lines_it_holds(client):
    shop = ShopFactory()
    first = _sql_of_add(client, variant_of(make_product(shop=shop)))
    for _ in range(6):
        _sql_of_add(client, variant_of(make_product(shop=shop)))
    # With lines: the variant, the lines (one query), the session's update.
    few = _sql_of_add(client, variant_of(make_product(shop=shop)))
    many = _sql_of_add(client, variant_of(make_product(shop=shop)))
    assert len(few) == len(many) and len(first) <= len(few)
    assert carts.cart_count(user=None, session=client.session) == 9
