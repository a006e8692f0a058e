"""The style guide in a real browser: it loads within the CSP with no console error, its components
behave (modal, tabs, image preview, toasts), and at 390 px nothing is wider than the screen."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from tests.browser.test_comments import CSP_WATCH
from tests.core.factories import UserFactory
from tests.core.images import image_bytes

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def staff_page(open_page, live_server_url: str, **options) -> Page:
    client = Client()
    client.force_login(UserFactory(roles=["admin"]))
    page = open_page(**options)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server_url}])
    page.add_init_script(CSP_WATCH)
    return page


def screenshot(page: Page, name: str) -> None:
    """A full-page picture for reviewers, under var/screenshots/ (not committed; CI keeps var/)."""
    folder = Path(os.environ.get("SCREENSHOTS") or settings.BASE_DIR / "var" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / name, full_page=True)


def test_the_style_guide_shows_both_schemes_and_its_components_work(open_page, live_server_url):
    page = staff_page(open_page, live_server_url, viewport=DESKTOP)
    page.goto("/styleguide/")

    light, dark = page.locator('[data-scheme="light"].sg-scheme'), page.locator('[data-scheme="dark"].sg-scheme')
    expect(light).to_be_visible()
    expect(dark).to_be_visible()
    # Side by side, each in its own scheme: the dark panel's background is darker than the light one's.
    assert light.bounding_box()["y"] == dark.bounding_box()["y"]
    backgrounds = [panel.evaluate("el => getComputedStyle(el).backgroundColor") for panel in (light, dark)]
    assert backgrounds[0] != backgrounds[1]
    screenshot(page, "styleguide-1280.png")

    # The modal opens from its button and closes with Escape.
    light.get_by_role("button", name="Open the dialog").click()
    dialog = page.locator("#light-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Delete this post?")).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Button tabs show one panel at a time; the arrow keys move between them.
    expect(page.locator("#light-tab-preview-panel")).to_be_hidden()
    light.get_by_role("tab", name="Preview").click()
    expect(page.locator("#light-tab-preview-panel")).to_be_visible()
    expect(page.locator("#light-tab-write-panel")).to_be_hidden()
    page.keyboard.press("ArrowRight")
    expect(light.get_by_role("tab", name="History")).to_be_focused()
    expect(light.get_by_role("tab", name="History")).to_have_attribute("aria-selected", "true")

    # The image picker previews the chosen file before anything is uploaded.
    picker = light.locator("[data-picker]").first
    picker.locator("input[type=file]").set_input_files(
        {"name": "cover.png", "mimeType": "image/png", "buffer": image_bytes()}
    )
    expect(picker.locator("img[data-picker-chosen]")).to_have_attribute("src", re.compile("^blob:"))
    expect(picker.locator("[data-picker-name]")).to_have_text("cover.png")

    # The menu opens, and Escape closes it.
    light.locator("details.menu > summary").click()
    expect(light.locator(".menu__list")).to_be_visible()
    page.keyboard.press("Escape")
    expect(light.locator(".menu__list")).to_be_hidden()

    assert page.evaluate("window.cspViolations") == []


def test_the_style_guide_fits_a_390_px_screen(open_page, live_server_url):
    page = staff_page(open_page, live_server_url, viewport=PHONE)
    page.goto("/styleguide/")
    expect(page.locator('[data-scheme="dark"].sg-scheme')).to_be_visible()
    screenshot(page, "styleguide-390.png")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The data table scrolls inside its own box instead.
    table = page.locator(".table-wrap").first
    assert table.evaluate("el => el.scrollWidth > el.clientWidth")
    assert page.evaluate("window.cspViolations") == []


def test_a_success_toast_fades_and_an_error_stays(open_page, live_server_url):
    page = staff_page(open_page, live_server_url, viewport=DESKTOP)
    page.clock.install()
    page.goto("/styleguide/")
    page.evaluate(
        """() => {
          const region = document.getElementById("messages");
          for (const [tone, text] of [["success", "Saved."], ["error", "Failed."]]) {
            const toast = document.createElement("div");
            toast.className = `message message--${tone}`;
            if (tone !== "error") toast.dataset.autodismiss = "";
            toast.textContent = text;
            region.append(toast);
          }
          document.dispatchEvent(new Event("DOMContentLoaded"));
        }"""
    )
    expect(page.locator("#messages .message--success")).to_be_visible()
    page.clock.run_for(10_000)

    expect(page.locator("#messages .message--success")).to_have_count(0)
    expect(page.locator("#messages .message--error")).to_be_visible()
