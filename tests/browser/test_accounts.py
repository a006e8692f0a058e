from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.core.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def _fill_sign_in(page, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _fail_sign_in_in_place(page, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    # Mark the form, so the wait below ends only once htmx has swapped in the server's new one.
    page.locator("#login-form").evaluate("form => form.dataset.stale = 'yes'")
    _fill_sign_in(page, email, password)
    expect(page.locator("#login-form:not([data-stale])")).to_be_visible()


def test_sign_in_shows_errors_in_place_and_then_returns_to_the_page(page):
    user = UserFactory(display_name="Bea Browser")
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    page.evaluate("window.__sameDocument = true")

    _fail_sign_in_in_place(page, user.email, "not-the-password")

    expect(page.get_by_role("alert")).to_contain_text("Enter a correct email and password.")
    assert page.evaluate("window.__sameDocument") is True  # swapped by htmx, no navigation
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/")  # the header's link asked to come back here
    expect(page.get_by_role("link", name="Bea Browser")).to_be_visible()


def test_a_locked_out_sign_in_shows_the_message_in_place(browser, live_server_url):
    # Its own page: Chromium logs every 429 as a console error, which the page fixture refuses.
    context = browser.new_context(base_url=live_server_url)
    page = context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda exc: script_errors.append(str(exc)))
    user = UserFactory()
    page.goto("/accounts/login/")
    for _ in range(5):  # LOGIN_LOCKOUT_ACCOUNT_LIMIT's default
        _fail_sign_in_in_place(page, user.email, "not-the-password")

    with page.expect_response(lambda response: response.status == 429):
        _fail_sign_in_in_place(page, user.email, DEFAULT_PASSWORD)

    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-in attempts.")
    context.close()
    assert script_errors == []


def test_sign_out_returns_home(page):
    user = UserFactory(display_name="Olle Out")
    page.goto("/accounts/login/")
    _fill_sign_in(page, user.email, DEFAULT_PASSWORD)
    expect(page.get_by_role("link", name="Olle Out")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
