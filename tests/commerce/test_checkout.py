"""Checkout: start (reserve), addresses, shipping, vouchers, completion (one order per checkout)
and its re-checks; the pages and who may see them."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from djmoney.money import Money

from apps.commerce import checkout_selectors as selectors
from apps.commerce.models import (
    Address,
    Checkout,
    Order,
    Payment,
    ProductVariant,
    Reservation,
    Stock,
    Voucher,
    VoucherUse,
)
from apps.commerce.services import checkout as checkouts
from apps.commerce.services.payments import checkouts_release_expired
from tests.commerce.factories import ShopFactory, make_product, variant_of
from tests.commerce.shopping import ADDRESS, fill_cart, flat_shipping, french_vat, ready_checkout, save_address

pytestmark = pytest.mark.django_db


def _stock(variant) -> Stock:
    return Stock.objects.get(variant=variant)


def test_start_reserves_the_cart_and_freezes_its_prices(customer):
    variant = variant_of(make_product(price="12.50", stock=5))
    checkout = ready_checkout(customer, variant, quantity=2)
    assert checkout.lines == [{"variant": variant.pk, "quantity": 2, "unit_price": "12.50"}]
    assert _stock(variant).reserved == 2
    assert Reservation.objects.get().quantity == 2
    assert checkout.shipping_address["city"] == "Paris"  # the saved default address


def test_starting_again_gives_back_the_earlier_reservation(customer):
    variant = variant_of(make_product(stock=5))
    first = ready_checkout(customer, variant, quantity=2)
    second = checkouts.checkout_start(user=customer)
    first.refresh_from_db()
    assert first.state == Checkout.State.ABANDONED and second.state == Checkout.State.OPEN
    assert _stock(variant).reserved == 2


def test_start_refuses_what_is_sold_out_and_reserves_nothing(customer, other_customer):
    scarce = variant_of(make_product(name="Rare vase", stock=1))
    plenty = variant_of(make_product(stock=9))
    ready_checkout(other_customer, scarce)
    fill_cart(customer, scarce, plenty)
    with pytest.raises(ValidationError) as refused:
        checkouts.checkout_start(user=customer)
    # The cart's own re-check speaks first: the vase is reserved by someone else.
    assert refused.value.messages == [
        "Rare vase is sold out and was removed from your cart.",
        "Check your cart, then check out again.",
    ]
    assert _stock(plenty).reserved == 0
    assert checkouts.checkout_start(user=customer).lines[0]["variant"] == plenty.pk


def test_an_empty_cart_has_no_checkout(customer):
    with pytest.raises(ValidationError, match="Your cart is empty"):
        checkouts.checkout_start(user=customer)


def _complete(customer, checkout):
    return checkouts.checkout_complete(user=customer, checkout=checkout)


def test_completion_creates_the_order_with_parts_lines_tax_and_the_payment(customer):
    french_vat("20.00")
    one = make_product(price="10.00", shop=ShopFactory(name="A"))
    two = make_product(price="30.00", shop=ShopFactory(name="B"))
    flat_shipping(one.shop, "4.00")
    flat_shipping(two.shop, "6.00", free_above=Money("25", "EUR"))
    checkout = ready_checkout(customer, variant_of(one), variant_of(two))
    completion = _complete(customer, checkout)
    order = completion.order
    assert re.fullmatch(r"/shop/pay/[^/]+/", completion.redirect_url)
    assert (order.subtotal.amount, order.shipping_total.amount, order.total.amount) == (
        Decimal("40.00"),
        Decimal("4.00"),
        Decimal("44.00"),
    )
    assert order.tax_total.amount == Decimal("7.34")  # 20/120 per line (1.67 + 5.00) and of 4 (0.67)
    assert [(p.shop.name, p.shipping_price.amount) for p in order.parts.order_by("shop__name")] == [
        ("A", Decimal("4.00")),
        ("B", Decimal("0.00")),
    ]
    assert order.lines.count() == 2 and order.status == Order.Status.UNPAID
    payment = Payment.objects.get()
    assert (payment.provider, payment.amount, payment.idempotency_key) == ("test", order.total, f"order-{order.token}")
    assert payment.events.get().kind == "start"
    checkout.refresh_from_db()
    assert checkout.state == Checkout.State.PAYING


def test_an_order_line_keeps_the_product_and_the_variant_names_apart(customer):
    tee = make_product(name="Two-tone tee", variants=2)
    white = variant_of(tee, 1)
    line = _complete(customer, ready_checkout(customer, white)).order.lines.get()
    # Shown as "product (variant)" everywhere, so the product's name must not hold the variant's.
    assert (line.product_name, line.variant_name) == ("Two-tone tee", "Variant 2")


def test_completing_a_completed_checkout_answers_the_same(customer):
    checkout = ready_checkout(customer, variant_of(make_product()))
    first = _complete(customer, checkout)
    again = _complete(customer, checkout)
    assert (again.order.pk, again.redirect_url) == (first.order.pk, first.redirect_url)
    assert Order.objects.count() == 1 and Payment.objects.count() == 1


def test_a_price_changed_during_checkout_is_said_and_nothing_is_charged(customer):
    variant = variant_of(make_product(name="Clock", price="20.00"))
    checkout = ready_checkout(customer, variant)
    ProductVariant.objects.filter(pk=variant.pk).update(price=Decimal("25.00"))
    with pytest.raises(ValidationError) as refused:
        _complete(customer, checkout)
    assert refused.value.messages == [
        "The price of Clock changed from €20.00 to €25.00: check the new total and confirm again. Nothing was charged."
    ]
    assert not Order.objects.exists() and not Payment.objects.exists()
    checkout.refresh_from_db()
    assert checkout.lines[0]["unit_price"] == "25.00"  # the checkout shows the new price
    assert _complete(customer, checkout).order.total.amount == Decimal("30.00")  # and 5.00 shipping


def test_a_product_unpublished_during_checkout_is_taken_out(customer):
    gone, kept = make_product(name="Gone"), make_product(name="Kept")
    checkout = ready_checkout(customer, variant_of(gone), variant_of(kept))
    gone.live = False
    gone.save(update_fields=["live"])
    with pytest.raises(ValidationError, match="Gone is no longer for sale"):
        _complete(customer, checkout)
    assert _stock(variant_of(gone)).reserved == 0 and _stock(variant_of(kept)).reserved == 1
    assert not Order.objects.exists()
    assert [line.product_name for line in _complete(customer, checkout).order.lines.all()] == ["Kept"]


def test_an_expired_reservation_is_taken_again_when_the_stock_is_there(customer):
    variant = variant_of(make_product(stock=3))
    checkout = ready_checkout(customer, variant)
    Checkout.objects.filter(pk=checkout.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert checkouts_release_expired() == 1
    assert _stock(variant).reserved == 0
    checkout.refresh_from_db()
    assert checkout.state == Checkout.State.EXPIRED
    completion = _complete(customer, checkout)
    assert completion.order.status == Order.Status.UNPAID and _stock(variant).reserved == 1


def test_an_expired_reservation_whose_stock_sold_says_so_and_charges_nothing(customer, other_customer):
    variant = variant_of(make_product(name="Last lamp", stock=1))
    checkout = ready_checkout(customer, variant)
    Checkout.objects.filter(pk=checkout.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    checkouts_release_expired()
    ready_checkout(other_customer, variant)  # someone else takes it meanwhile
    checkout.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        _complete(customer, checkout)
    assert "Your reservation of Last lamp ran out and it has sold out since" in refused.value.messages[0]
    assert not Order.objects.exists() and _stock(variant).reserved == 1


def test_shipping_needs_an_address_the_shop_ships_to(customer):
    product = make_product()
    flat_shipping(product.shop, countries=["DE"])
    checkout = ready_checkout(customer, variant_of(product))
    with pytest.raises(ValidationError, match="does not ship to that country"):
        _complete(customer, checkout)
    checkouts.checkout_set_address(user=customer, checkout=checkout, address={**ADDRESS, "country": "DE"})
    assert _complete(customer, checkout).order.shipping_total.amount == Decimal("5.00")


def test_digital_goods_need_no_address(customer):
    product = make_product(kind="digital")
    fill_cart(customer, variant_of(product))
    checkout = checkouts.checkout_start(user=customer)
    assert checkout.shipping_address == {}
    assert _complete(customer, checkout).order.shipping_total.amount == 0


def test_choosing_shipping_takes_only_a_method_open_to_the_part(customer):
    product = make_product()
    flat_shipping(product.shop, "5.00")
    express = flat_shipping(product.shop, "15.00", name="Express")
    elsewhere = flat_shipping(ShopFactory(), "1.00")
    checkout = ready_checkout(customer, variant_of(product))
    with pytest.raises(ValidationError, match="not available"):
        checkouts.checkout_choose_shipping(
            user=customer, checkout=checkout, shop_id=product.shop_id, method_id=elsewhere.pk
        )
    checkouts.checkout_choose_shipping(user=customer, checkout=checkout, shop_id=product.shop_id, method_id=express.pk)
    assert selectors.checkout_totals(checkout).shipping == Decimal("15.00")


def test_vouchers_apply_with_clear_reasons_and_are_counted_once_per_order(customer):
    product = make_product(price="50.00")
    checkout = ready_checkout(customer, variant_of(product))
    with pytest.raises(ValidationError, match="There is no voucher NOPE"):
        checkouts.checkout_apply_voucher(user=customer, checkout=checkout, code="nope")
    Voucher.objects.create(code="BIG", value=10, min_spend=Money("100", "EUR"))
    with pytest.raises(ValidationError, match="at least"):
        checkouts.checkout_apply_voucher(user=customer, checkout=checkout, code="big")
    voucher = Voucher.objects.create(code="welcome10", value=10, usage_limit=1, per_customer_limit=1)
    message = checkouts.checkout_apply_voucher(user=customer, checkout=checkout, code="Welcome10")
    assert message == "Voucher WELCOME10 applied: €5.00 off."
    order = _complete(customer, checkout).order
    assert (order.discount_total.amount, order.voucher_code, order.total.amount) == (
        Decimal("5.00"),
        "WELCOME10",
        Decimal("50.00"),  # and 5.00 shipping
    )
    voucher.refresh_from_db()
    assert voucher.used == 1 and VoucherUse.objects.get().order == order


def test_a_voucher_used_up_meanwhile_is_taken_off_and_nothing_is_charged(customer, other_customer):
    voucher = Voucher.objects.create(code="ONCE", value=10, usage_limit=1)
    variant = variant_of(make_product(price="20.00", stock=5))
    mine = ready_checkout(customer, variant)
    theirs = ready_checkout(other_customer, variant)
    for who, checkout in ((customer, mine), (other_customer, theirs)):
        checkouts.checkout_apply_voucher(user=who, checkout=checkout, code="ONCE")
    _complete(other_customer, theirs)
    with pytest.raises(ValidationError, match="The voucher ONCE has been used up. It was taken off your order"):
        _complete(customer, mine)
    mine.refresh_from_db()
    assert mine.voucher is None and Order.objects.count() == 1
    assert _complete(customer, mine).order.discount_total.amount == 0
    voucher.refresh_from_db()
    assert voucher.used == 1


def test_someone_elses_checkout_is_refused(customer, other_customer):
    checkout = ready_checkout(customer, variant_of(make_product()))
    with pytest.raises(checkouts.PermissionDenied):
        checkouts.checkout_complete(user=other_customer, checkout=checkout)


# --- Pages ------------------------------------------------------------------------------------


def test_a_visitor_signs_in_to_check_out_and_comes_back_to_the_merged_cart(client):
    response = client.post("/shop/checkout/start/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/shop/cart/"
    assert client.get("/shop/checkout/")["Location"] == "/accounts/login/?next=/shop/checkout/"
    client.post("/shop/cart/add/", {"variant": variant_of(make_product()).pk})
    assert b'href="/accounts/login/?next=/shop/cart/"' in client.get("/shop/cart/").content


def test_the_whole_checkout_through_the_pages(client, customer, queued_work, mailoutbox):
    client.force_login(customer)
    french_vat()
    product = make_product(name="Teapot", price="24.00")
    flat_shipping(product.shop, "5.00")
    fill_cart(customer, variant_of(product))
    assert client.post("/shop/checkout/start/")["Location"] == "/shop/checkout/"
    page = client.get("/shop/checkout/")
    assert "Post: €5.00".encode() in page.content and b"Shipping address" in page.content
    response = client.post("/shop/checkout/address/", {**ADDRESS, "save_to_account": "on"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"<html" not in response.content and b"data-total" in response.content
    assert Address.objects.get(user=customer).is_default
    Voucher.objects.create(code="WELCOME10", value=10)
    response = client.post("/shop/checkout/voucher/", {"code": "welcome10"}, follow=True)
    assert b"Voucher WELCOME10 applied" in response.content
    body = response.content.decode()
    assert "€2.40" in body or "2.40" in body
    key = re.search(r'name="_idempotency" value="([^"]+)"', body[body.index("/shop/checkout/complete/") :]).group(1)
    token = re.search(r'name="checkout" value="([^"]+)"', body).group(1)
    complete = client.post("/shop/checkout/complete/", {"checkout": token, "_idempotency": key})
    assert complete.status_code == 302 and complete["Location"].startswith("/shop/pay/")
    again = client.post("/shop/checkout/complete/", {"checkout": token, "_idempotency": key})
    assert again["Location"] == complete["Location"] and again["Idempotent-Replayed"] == "true"
    pay_page = client.get(complete["Location"])
    assert b"Approve" in pay_page.content and b"\xe2\x82\xac26.60" in pay_page.content  # 24 - 2.40 + 5
    with queued_work():
        done = client.post(complete["Location"], {"outcome": "approve"})
    order = Order.objects.get()
    assert done["Location"] == f"/shop/checkout/done/{order.token}/"
    assert order.status == Order.Status.PAID
    confirmation = client.get(done["Location"])
    assert f"order {order.number} is confirmed".encode() in confirmation.content
    assert [m.subject for m in mailoutbox] == [f"Your order {order.number} is confirmed"]
    assert "1 x Teapot" in mailoutbox[0].body and "Total: €26.60" in mailoutbox[0].body


def test_bad_address_input_is_a_422_form_and_changes_nothing(client, customer):
    client.force_login(customer)
    checkout = ready_checkout(customer, variant_of(make_product()))
    response = client.post("/shop/checkout/address/", {"name": "x", "country": "ZZ"})
    assert response.status_code == 422
    checkout.refresh_from_db()
    assert checkout.shipping_address["country"] == "FR"


def test_complete_with_a_forged_checkout_goes_back_to_the_cart(client, customer, other_customer):
    checkout = ready_checkout(other_customer, variant_of(make_product()))
    client.force_login(customer)
    for token in ("not-a-uuid", str(checkout.token)):
        response = client.post("/shop/checkout/complete/", {"checkout": token})
        assert response["Location"] == "/shop/cart/"
    assert not Order.objects.exists()


def test_checkout_page_query_count_is_flat(client, customer, django_assert_max_num_queries):
    client.force_login(customer)
    shops = [ShopFactory() for _ in range(3)]
    for shop in shops:
        flat_shipping(shop)
    variants = [variant_of(make_product(shop=shops[i % 3])) for i in range(9)]
    save_address(customer)
    fill_cart(customer, *variants)
    checkout = checkouts.checkout_start(user=customer)
    checkout.voucher = Voucher.objects.create(code="TEN", value=10)
    checkout.save()
    client.get("/shop/cart/")  # the session's first page reads what it then caches (roles, unread counts)
    with django_assert_max_num_queries(14):
        assert client.get("/shop/checkout/").status_code == 200


MATRIX = {"owner": 404, "other_owner": 404, "customer": 200, "other_customer": 404, "admin": 200, "anonymous": 302}


@pytest.mark.parametrize("who", list(MATRIX))
def test_the_confirmation_and_the_payment_page_are_the_customers_and_staffs(client, people, who):
    checkout = ready_checkout(people["customer"], variant_of(make_product()))
    completion = checkouts.checkout_complete(user=people["customer"], checkout=checkout)
    if people[who] is not None:
        client.force_login(people[who])
    assert client.get(f"/shop/checkout/done/{completion.order.token}/").status_code == MATRIX[who]
    assert client.get(completion.redirect_url).status_code == MATRIX[who]


@pytest.mark.parametrize("who", list(MATRIX))
def test_everyone_signed_in_has_their_own_checkout(client, people, who):
    if people[who] is not None:
        client.force_login(people[who])
        fill_cart(people[who], variant_of(make_product()))
    response = client.post("/shop/checkout/start/")
    expected = "/shop/checkout/" if people[who] is not None else "/accounts/login/?next=/shop/cart/"
    assert response["Location"] == expected


def test_tax_is_added_on_top_when_prices_exclude_it(customer, settings):
    settings.SHOP_PRICES_INCLUDE_TAX = False
    french_vat("20.00")
    checkout = ready_checkout(customer, variant_of(make_product(price="10.00")))
    order = _complete(customer, checkout).order
    # 10.00 + 5.00 shipping, and 20 % of each on top
    assert (order.tax_total.amount, order.total.amount, order.prices_include_tax) == (
        Decimal("3.00"),
        Decimal("18.00"),
        False,
    )


def test_the_page_says_when_the_reservation_ran_out(client, customer):
    client.force_login(customer)
    checkout = ready_checkout(customer, variant_of(make_product()))
    Checkout.objects.filter(pk=checkout.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert b"data-lapsed" in client.get("/shop/checkout/").content


@pytest.mark.parametrize(
    "path",
    [
        "/shop/checkout/start/",
        "/shop/checkout/address/",
        "/shop/checkout/shipping/",
        "/shop/checkout/voucher/",
        "/shop/checkout/complete/",
    ],
)
def test_checkout_writes_refuse_get(client, customer, path):
    client.force_login(customer)
    assert client.get(path).status_code == 405


@pytest.mark.parametrize(
    ("path", "data", "said"),
    [
        ("/shop/checkout/shipping/", {"shop": "x", "method": "y"}, b"That shipping method is not available"),
        ("/shop/checkout/voucher/", {"code": ""}, b"Enter a voucher code."),
        ("/shop/checkout/voucher/", {"code": "NOSUCH"}, b"There is no voucher NOSUCH."),
        ("/shop/checkout/address/", {"saved": "999999"}, b"Choose one of your saved addresses."),
    ],
)
def test_bad_checkout_input_is_a_422_fragment_for_htmx_and_changes_nothing(client, customer, path, data, said):
    client.force_login(customer)
    checkout = ready_checkout(customer, variant_of(make_product()))
    before = Checkout.objects.values().get(pk=checkout.pk)
    response = client.post(path, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and said in response.content and b"<html" not in response.content
    assert Checkout.objects.values().get(pk=checkout.pk) == before


def test_checkout_forms_without_a_checkout_in_progress_are_404(client, customer):
    client.force_login(customer)
    assert client.post("/shop/checkout/voucher/", {"code": "X"}).status_code == 404
    assert client.get("/shop/checkout/")["Location"] == "/shop/cart/"
