from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_home_page_renders_with_the_theme_and_htmx(page):
    page.goto("/")

    expect(page).to_have_title(re.compile("Platform"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(settings.SITE_TAGLINE)
    # The stylesheet's custom properties reached the page, and htmx loaded from our own server.
    button = page.get_by_role("link", name="Read the blog")
    expect(button).to_have_css("background-color", "rgb(47, 91, 234)")  # --color-primary, light
    assert page.evaluate("typeof window.htmx") == "object"


def test_status_check_again_swaps_the_panel_without_reloading_the_page(page):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Status").click()
    expect(page.get_by_role("heading", name="System status")).to_be_visible()
    for part in ("sql", "cache", "channels", "documents", "storage"):
        expect(page.locator(f'tr[data-part="{part}"] .badge')).to_have_text("ok")

    page.evaluate("window.__sameDocument = true")
    before = page.locator("[data-checked-at]").get_attribute("data-checked-at")
    with page.expect_response(lambda r: r.url.endswith("/status/") and r.request.headers.get("hx-request") == "true"):
        page.get_by_role("link", name="Check again").click()

    expect(page.locator("[data-checked-at]")).not_to_have_attribute("data-checked-at", before)
    assert page.evaluate("window.__sameDocument") is True  # swapped in place, no navigation
    expect(page.locator('tr[data-part="documents"] .badge')).to_have_text("ok")


def test_dark_mode_follows_the_system_preference(open_page):
    page = open_page(color_scheme="dark")
    page.goto("/")

    expect(page.locator("body")).to_have_css("background-color", "rgb(15, 18, 26)")  # --color-bg, dark


def test_the_navigation_collapses_into_a_menu_on_small_screens(page):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/")

    nav_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Status")
    expect(nav_link).to_be_hidden()
    page.locator("label.nav-toggle__label").click()
    expect(nav_link).to_be_visible()


def test_the_api_docs_render_under_the_content_security_policy(page):
    page.goto("/api/docs/")

    expect(page.get_by_text("/api/v1/auth/token/").first).to_be_visible()


def test_publishing_a_new_primary_colour_changes_what_visitors_see(page, user_with_role):
    from apps.core.models import Theme
    from apps.core.publishing import services

    admin = user_with_role("admin")
    theme = services.draft_create(model=Theme, content={"name": "Brand", "tokens": {}}, author=admin)
    services.publish(obj=theme, author=admin)
    services.theme_activate(theme=theme, author=admin)
    services.draft_save(
        obj=theme,
        content={"name": "Brand", "tokens": {"color-primary": {"light": "#c0392b", "dark": "#ff8a80"}}},
        author=admin,
        based_on=1,
    )
    button = page.get_by_role("link", name="Read the blog")

    page.goto("/")
    expect(button).to_have_css("background-color", "rgb(47, 91, 234)")  # a draft changes nothing

    services.publish(obj=theme, author=admin)
    page.goto("/")
    expect(button).to_have_css("background-color", "rgb(192, 57, 43)")
