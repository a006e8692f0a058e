"""The catalogue in a real browser: a visitor filters by a facet and searches (the results swap in
place and the address follows), opens a product, picks another option (the buy box swaps), and a
shop owner sets the stock of a variant from the manage page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.commerce.models import Stock
from tests.commerce.factories import ShopFactory, make_product, make_two_colour_tee, variant_of
from tests.core.factories import UserFactory

pytestmark = pytest.mark.browser
PASSWORD = "Correct-Horse-42!"


def _catalogue():
    owner = UserFactory(email="owner@example.com", roles=["shop_owner"])
    shop = ShopFactory(owner=owner, name="Olive's Oddments", slug="olives")
    tee, second = make_two_colour_tee(shop=shop, name="Black and white tee", stock=9)
    Stock.objects.filter(variant=second).update(quantity=2)
    make_product(shop=shop, name="Plain mug", price="12.00")
    return owner, tee


def test_a_visitor_filters_in_place_and_picks_an_option(open_page, live_server_url):
    _, tee = _catalogue()
    page = open_page()
    page.goto("/shop/")
    expect(page.get_by_role("status").first).to_have_text("2 products.")
    page.evaluate("window.stayed = true")
    page.get_by_label("Black").check()
    expect(page.locator("#results")).not_to_contain_text("Plain mug")
    expect(page.locator("#results")).to_contain_text("Black and white tee")
    expect(page).to_have_url(re.compile(r"attr=colour%3Ablack"))
    assert page.evaluate("window.stayed") is True  # swapped in place, no reload
    page.get_by_label("Black").uncheck()
    page.get_by_label("Search products").fill("mug")
    expect(page.locator("#results")).to_contain_text("Plain mug")
    expect(page.locator("#results")).not_to_contain_text("Black and white tee")
    assert page.evaluate("window.stayed") is True

    page.goto(tee.get_absolute_url())
    expect(page.get_by_role("heading", name="Black and white tee")).to_be_visible()
    expect(page.locator("#buy-box")).to_contain_text("In stock")
    page.get_by_label("Option").select_option(value=str(variant_of(tee, 1).pk))
    expect(page.locator("#buy-box")).to_contain_text("Only 2 left")
    expect(page.get_by_role("button", name="Add to cart")).to_be_visible()
    assert page.locator('#buy-box input[name="csrfmiddlewaretoken"]').count() == 1


def test_an_owner_sets_stock_from_the_manage_page(open_page, live_server_url):
    owner, tee = _catalogue()
    page = open_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile("/dashboard/"))
    page.goto("/shop/manage/")
    page.get_by_role("link", name="Black and white tee").click()
    variant = variant_of(tee)
    page.get_by_label(f"On hand for {variant.sku}").fill("4")
    page.locator(f"#stock-{variant.pk}").locator("xpath=..").get_by_role("button", name="Set").click()
    expect(page.get_by_text(f"{variant.sku}: 4 on hand, 4 available.")).to_be_visible()
    assert Stock.objects.get(variant=variant).quantity == 4


@pytest.mark.parametrize("width", [390, 1280])
def test_the_shop_pages_have_no_serious_axe_violation(open_page, live_server_url, width):
    from tests.browser.test_accessibility import _assert_no_serious_violation

    owner, tee = _catalogue()
    page = open_page(viewport={"width": width, "height": 900})
    for url in ("/shop/", "/shop/?attr=colour:black", tee.get_absolute_url(), "/shop/s/olives/"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
        _assert_no_serious_violation(page, f"{url} at {width}px")
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile("/dashboard/"))
    for url in ("/shop/manage/", f"/shop/manage/products/{tee.pk}/", "/shop/manage/products/new/"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        _assert_no_serious_violation(page, f"{url} at {width}px")
