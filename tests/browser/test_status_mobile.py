"""The status page on a phone: every part's row readable, and nothing wider than the screen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_the_status_table_fits_a_390_px_screen(open_page):
    page = open_page(viewport=PHONE)
    page.goto("/status/")
    expect(page.locator('tr[data-part="documents"] .badge')).to_have_text("ok")
    if os.environ.get("EDITOR_SCREENSHOTS"):
        page.screenshot(path=Path(os.environ["EDITOR_SCREENSHOTS"]) / "status-390.png", full_page=True)

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Each part's backend, status and latency are on the screen, not cut off or hidden.
    for cell in page.locator('tr[data-part="sql"] > *').all():
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    expect(page.locator('tr[data-part="sql"]')).to_contain_text("ms")


def test_the_status_table_stays_a_table_on_a_desktop(open_page):
    page = open_page(viewport={"width": 1280, "height": 900})
    page.goto("/status/")

    expect(page.locator("#status-panel thead")).to_be_visible()
    cells = [cell.bounding_box() for cell in page.locator('tr[data-part="sql"] > *').all()]
    assert len({round(box["y"]) for box in cells if box}) == 1  # one row, cells side by side
