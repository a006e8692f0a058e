"""The checkout in a real browser: a customer changes a quantity in place, checks out, types an
address (the summary swaps in place), applies WELCOME10, pays with the test provider, sees the
confirmation and gets the email."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from djmoney.money import Money
from playwright.sync_api import Page, expect

from apps.commerce.models import Order, Stock, Voucher
from tests.browser.test_accessibility import _assert_no_serious_violation
from tests.browser.test_comments import signed_in
from tests.commerce.factories import make_product, variant_of
from tests.commerce.shopping import fill_cart, flat_shipping, french_vat
from tests.core.factories import UserFactory
from tests.utils import wait_until

pytestmark = pytest.mark.browser


def use_a_paris_address(page: Page) -> None:
    """The checkout's address step, as Cass Customer types it (the summary swaps in place)."""
    page.get_by_label("Full name").fill("Cass Customer")
    page.get_by_label("Address", exact=True).fill("1 Rue de la Paix")
    page.get_by_label("City").fill("Paris")
    page.get_by_label("Postal code").fill("75002")
    page.get_by_label("Country").select_option("FR")
    page.get_by_role("button", name="Use this address").click()
    expect(page.locator("[data-shipping-address]")).to_contain_text("1 Rue de la Paix")


def test_a_customer_checks_out_with_a_voucher_and_the_test_provider(open_page, live_server_url, celery_worker):
    customer = UserFactory(display_name="Cass Customer")
    product = make_product(name="Blue teapot", price="20.00", stock=5)
    flat_shipping(product.shop, "5.00")
    french_vat()
    Voucher.objects.create(code="WELCOME10", value=10, per_customer_limit=1)
    fill_cart(customer, variant_of(product))

    page = signed_in(open_page, live_server_url, customer)
    page.goto("/shop/cart/")
    expect(page.locator("#mini-cart [data-cart-count]")).to_have_text("1")
    page.get_by_label("Quantity of Blue teapot").fill("2")
    page.get_by_role("button", name="Update").click()
    expect(page.locator("[data-cart-subtotal]")).to_have_text("€40.00")
    expect(page.locator("#mini-cart [data-cart-count]")).to_have_text("2")  # out of band
    _assert_no_serious_violation(page, "the cart")

    page.get_by_role("button", name="Check out").click()
    expect(page).to_have_url(re.compile(r"/shop/checkout/$"))
    use_a_paris_address(page)
    expect(page.locator("[data-total]")).to_have_text("€45.00")

    page.get_by_label("Voucher code").fill("welcome10")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("[data-discount]")).to_have_text("−€4.00")
    expect(page.locator("[data-total]")).to_have_text("€41.00")
    _assert_no_serious_violation(page, "the checkout")

    page.get_by_role("button", name="Place order and pay").click()
    expect(page.get_by_role("heading", name="Test payment")).to_be_visible()
    expect(page.locator("[data-amount]")).to_have_text("€41.00")
    _assert_no_serious_violation(page, "the test provider's page")
    page.get_by_role("button", name="Approve").click()
    order = Order.objects.get()
    expect(page.get_by_role("heading", name=f"Thank you: order {order.number} is confirmed")).to_be_visible()
    _assert_no_serious_violation(page, "the confirmation")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.total == Money("41.00", "EUR")
    assert Stock.objects.get(variant=variant_of(product)).allocated == 2
    # The worker (in this process) sends the confirmation the server queued.
    subject = f"Your order {order.number} is confirmed"
    assert wait_until(lambda: any(m.subject == subject and m.to == [customer.email] for m in mail.outbox))
