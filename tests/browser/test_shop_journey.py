"""Acceptance 3 of the shop in one real browser journey: a visitor filters the catalogue (in
place), puts a variant from each of two shops in an anonymous cart, signs in (the cart merges),
checks out (address, shipping per shop, a voucher), pays with the test provider, sees the
confirmation and gets the email; each shop owner sees only their part of the order and sends it
with a tracking number; the customer sees the status change and the notification; a refund by
one owner puts the stock back."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from apps.commerce.models import Order, Stock, Voucher
from apps.core.notifications.models import Notification
from tests.browser.test_comments import signed_in
from tests.browser.test_shop_checkout import use_a_paris_address
from tests.commerce.factories import ShopFactory, make_product, make_two_colour_tee
from tests.commerce.shopping import flat_shipping
from tests.core.factories import DEFAULT_PASSWORD, UserFactory
from tests.utils import wait_until

pytestmark = pytest.mark.browser


def _two_shops():  # type: ignore[no-untyped-def]
    """Olive's tee (two colours) and Bea's book, each shop with its own owner and shipping."""
    olive = UserFactory(email="olive@example.com", display_name="Olive Owner", roles=["shop_owner"])
    bea = UserFactory(email="bea@example.com", display_name="Bea Owner", roles=["shop_owner"])
    oddments = ShopFactory(owner=olive, name="Olive's Oddments", slug="olives")
    books = ShopFactory(owner=bea, name="Bea's Books", slug="beas")
    tee, white_tee = make_two_colour_tee(shop=oddments, name="Two-tone tee", price="20.00", stock=5)
    book = make_product(shop=books, name="Pocket poems", price="15.00", stock=3)
    make_product(shop=books, name="Atlas of everything", price="60.00", stock=3)
    flat_shipping(oddments, "5.00", name="Olive's post")
    flat_shipping(books, "4.00", name="Book post")
    flat_shipping(books, "9.00", name="Book courier")
    Voucher.objects.create(code="WELCOME10", value=10, per_customer_limit=1)
    return olive, bea, tee, white_tee, book


def _add_to_cart(page: Page, count: str) -> None:
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#mini-cart [data-cart-count]")).to_have_text(count)


def _sign_in(page: Page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _owner_sends_their_part(owner_page: Page, order: Order, mine: str, theirs: str, tracking: str) -> None:
    owner_page.goto("/shop/manage/orders/")
    owner_page.get_by_role("link", name=f"#{order.number}").click()
    expect(owner_page.get_by_role("heading", name=f"Order #{order.number}")).to_be_visible()
    main = owner_page.locator("main")
    expect(main).to_contain_text(mine)
    expect(main).not_to_contain_text(theirs)  # the other shop's lines stay theirs
    assert main.locator("section.card").count() == 1
    owner_page.get_by_label("Tracking number").fill(tracking)
    owner_page.get_by_role("button", name="Mark as sent").click()
    expect(owner_page.get_by_text("Marked as sent; the customer is told.")).to_be_visible()
    expect(main).to_contain_text(f"tracking {tracking}")
    expect(main.locator("section.card h2")).to_contain_text("Fulfilled")


def test_a_visitor_buys_from_two_shops_each_owner_sends_their_part_and_a_refund_restocks(
    open_page, live_server_url, celery_worker
):
    olive, bea, tee, white_tee, book = _two_shops()
    customer = UserFactory(email="cass@example.com", display_name="Cass Customer")

    # Anonymous: a facet narrows the catalogue in place, then a price range does.
    page = open_page()
    page.goto("/shop/")
    results = page.locator("#results")
    expect(results.get_by_role("status")).to_have_text("3 products.")
    page.evaluate("window.stayed = true")
    page.get_by_label("White").check()
    expect(results).to_contain_text("Two-tone tee")
    expect(results).not_to_contain_text("Pocket poems")
    expect(page).to_have_url(re.compile(r"attr=colour%3Awhite"))
    page.get_by_label("White").uncheck()
    expect(results.get_by_role("status")).to_have_text("3 products.")
    page.get_by_label("Maximum price").fill("18")
    page.get_by_label("Maximum price").press("Enter")
    expect(results.get_by_role("status")).to_have_text("1 product.")
    expect(results).to_contain_text("Pocket poems")
    assert page.evaluate("window.stayed") is True  # every change swapped the results, no reload

    # Two variants of two shops' products into the anonymous cart.
    results.get_by_role("link", name="Pocket poems").first.click()
    expect(page.get_by_role("heading", name="Pocket poems")).to_be_visible()
    _add_to_cart(page, "1")
    page.goto(tee.get_absolute_url())
    page.get_by_label("Option").select_option(value=str(white_tee.pk))
    expect(page.get_by_label("Option")).to_have_value(str(white_tee.pk))
    _add_to_cart(page, "2")

    # Checking out asks to sign in; back on the cart, both lines came along.
    page.goto("/shop/cart/")
    page.get_by_role("link", name="Sign in to check out").click()
    _sign_in(page, customer.email)
    expect(page).to_have_url(re.compile(r"/shop/cart/$"))
    expect(page.locator(f"#cart-line-{book.variants.get().pk}")).to_contain_text("Pocket poems")
    expect(page.locator(f"#cart-line-{white_tee.pk}")).to_contain_text("Two-tone tee")
    expect(page.locator("[data-cart-subtotal]")).to_have_text("€35.00")

    # The checkout: an address, shipping chosen per shop, the voucher.
    page.get_by_role("button", name="Check out").click()
    expect(page).to_have_url(re.compile(r"/shop/checkout/$"))
    use_a_paris_address(page)
    expect(page.get_by_role("heading", name="From Olive's Oddments")).to_be_visible()
    expect(page.get_by_role("heading", name="From Bea's Books")).to_be_visible()
    expect(page.locator("[data-total]")).to_have_text("€44.00")  # 35 + 5 + 4
    books_part = page.locator("section", has=page.get_by_role("heading", name="From Bea's Books"))
    books_part.get_by_label("Shipping").select_option(label="Book courier: €9.00")
    expect(page.locator("[data-total]")).to_have_text("€49.00")
    page.get_by_label("Voucher code").fill("WELCOME10")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("[data-discount]")).to_have_text("−€3.50")
    expect(page.locator("[data-total]")).to_have_text("€45.50")

    # The test provider's page, the confirmation and its email.
    page.get_by_role("button", name="Place order and pay").click()
    expect(page.get_by_role("heading", name="Test payment")).to_be_visible()
    expect(page.locator("[data-amount]")).to_have_text("€45.50")
    page.get_by_role("button", name="Approve").click()
    order = Order.objects.get()
    expect(page.get_by_role("heading", name=f"Thank you: order {order.number} is confirmed")).to_be_visible()
    subject = f"Your order {order.number} is confirmed"
    assert wait_until(lambda: any(m.subject == subject and m.to == [customer.email] for m in mail.outbox))
    assert Stock.objects.get(variant=white_tee).allocated == 1

    # Each owner sees only their shop's part and sends it.
    olive_page = signed_in(open_page, live_server_url, olive)
    _owner_sends_their_part(olive_page, order, "Two-tone tee", "Pocket poems", "OLIVE-1")
    bea_page = signed_in(open_page, live_server_url, bea)
    _owner_sends_their_part(bea_page, order, "Pocket poems", "Two-tone tee", "BEA-2")

    # The customer's order page says so, and so does the notification centre.
    page.goto(f"/shop/orders/{order.number}/")
    expect(page.locator("main")).to_contain_text("Fulfilled")
    expect(page.locator("main")).to_contain_text("OLIVE-1")
    assert wait_until(lambda: Notification.objects.filter(recipient=customer, kind="commerce.order_fulfilled").exists())
    page.goto("/notifications/")
    # Two shops' parcels may be grouped into one notification ("... sent 2 parcels of ...").
    expect(page.locator("main")).to_contain_text(re.compile(rf"sent .+ of your order #{order.number}"))

    # Olive refunds her part; the tee is back in stock, on her manage page.
    olive_page.goto(f"/shop/manage/orders/{order.number}/")
    olive_page.locator("summary", has_text="Refund").click()
    olive_page.get_by_label("Two-tone tee (White) (of 1)", exact=True).fill("1")
    olive_page.get_by_role("button", name="Refund").click()
    expect(olive_page.get_by_text("Refunded through the payment provider.")).to_be_visible()
    olive_page.goto(f"/shop/manage/products/{tee.pk}/")
    expect(olive_page.get_by_label(f"On hand for {white_tee.sku}")).to_have_value("5")
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_REFUNDED
    assert Stock.objects.get(variant=white_tee).quantity == 5
