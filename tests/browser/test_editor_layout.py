"""The site and theme editors' layout: a wide form with the live preview beside it, on desktops."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from apps.core.models import SitePage, Theme
from apps.core.publishing import services
from apps.core.site import services as core_services
from tests.core.factories import UserFactory

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "boss@example.com", "Boss-Pass-123!"
# The site's phone layout starts below 48rem (static/css/site.css): wider is the desktop layout.
DESKTOP_BREAKPOINT = 768
# Screenshots of every editor land here when the variable is set, to look at them by eye.
SCREENSHOTS = Path(os.environ["EDITOR_SCREENSHOTS"]) if os.environ.get("EDITOR_SCREENSHOTS") else None


def _editors() -> dict[str, str]:
    """Every site and theme editor, by name: their change pages, with content in each."""
    admin = UserFactory(email=EMAIL, password=PASSWORD, roles=["admin"])
    theme = services.draft_create(model=Theme, content={"name": "Brand", "tokens": {}}, author=admin)
    services.publish(obj=theme, author=admin)
    services.theme_activate(theme=theme, author=admin)
    page = services.draft_create(
        model=SitePage,
        content={"title": "About", "slug": "about", "body": [{"type": "heading", "text": "Our story", "level": 2}]},
        author=admin,
    )
    services.publish(obj=page, author=admin)
    editors = {
        "theme": f"/admin/core/theme/{theme.pk}/change/",
        "new theme": "/admin/core/theme/add/",
        "free page": f"/admin/core/sitepage/{page.pk}/change/",
        "new free page": "/admin/core/sitepage/add/",
    }
    for key in ("header", "home", "footer"):
        component = core_services.site_component_get_or_create(key=key, author=admin)
        editors[key] = f"/admin/core/sitecomponent/{component.pk}/change/"
    return editors


def _sign_in(page: Page) -> None:
    page.goto("/admin/")
    page.get_by_label(re.compile("Email")).fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Log in", re.I)).click()
    expect(page.get_by_role("link", name="Site", exact=True)).to_be_visible()


def _box(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not laid out"
    return box


def _preview_loaded(page: Page) -> None:
    frame = page.frame_locator("iframe[name=live-preview]")
    expect(frame.locator(".site-header")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 1920])
def test_every_editor_shows_a_wide_form_with_a_desktop_live_preview_beside_it(open_page, width):
    editors = _editors()
    page = open_page(viewport={"width": width, "height": 900})
    _sign_in(page)
    for name, url in editors.items():
        page.goto(url)
        _preview_loaded(page)
        if SCREENSHOTS is not None:
            page.screenshot(path=SCREENSHOTS / f"editor-{name.replace(' ', '-')}-{width}.png")
        form, frame = _box(page, "#editor-form"), _box(page, "iframe[name=live-preview]")
        assert form["width"] >= 560, f"{name}: the form is {form['width']} px wide at {width} px"
        # Beside: to the form's right, starting level with it (not below it).
        assert frame["x"] >= form["x"] + form["width"], f"{name}: the preview is not right of the form"
        assert frame["y"] < form["y"] + 100, f"{name}: the preview starts below the form's top"
        assert frame["x"] + frame["width"] <= width, f"{name}: the preview runs off the screen"
        inner = page.frame("live-preview")
        assert inner is not None
        inner_width = inner.evaluate("document.documentElement.clientWidth")
        assert inner_width >= DESKTOP_BREAKPOINT, f"{name}: the preview is {inner_width} px wide inside"
        # The phone layout's menu button is hidden on desktops; the menu itself shows.
        preview = page.frame_locator("iframe[name=live-preview]")
        expect(preview.locator(".nav-toggle__label")).to_be_hidden()
        expect(preview.locator(".site-nav")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name}: the page overflows"


@pytest.mark.parametrize("width", [390, 1024])
def test_on_narrow_screens_the_live_preview_sits_below_the_full_width_form(open_page, width):
    editors = _editors()
    page = open_page(viewport={"width": width, "height": 900})
    _sign_in(page)
    for name, url in editors.items():
        page.goto(url)
        _preview_loaded(page)
        if SCREENSHOTS is not None:
            page.screenshot(path=SCREENSHOTS / f"editor-{name.replace(' ', '-')}-{width}.png", full_page=True)
        form, frame = _box(page, "#editor-form"), _box(page, "iframe[name=live-preview]")
        assert frame["y"] >= form["y"] + form["height"], f"{name}: the preview is not below the form"
        assert frame["width"] >= form["width"] - 2, f"{name}: the stacked preview is narrower than the form"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name}: the page overflows"
