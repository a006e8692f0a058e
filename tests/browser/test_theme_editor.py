from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.core.models import Theme
from apps.core.publishing import services
from tests.core.factories import UserFactory

pytestmark = pytest.mark.browser

OLD, NEW = "rgb(47, 91, 234)", "rgb(192, 57, 43)"


def test_an_admin_changes_the_primary_colour_previews_it_and_publishes_it(open_page):
    admin = UserFactory(email="boss@example.com", password="Boss-Pass-123!", roles=["admin"])
    theme = services.draft_create(model=Theme, content={"name": "Brand", "tokens": {}}, author=admin)
    services.publish(obj=theme, author=admin)
    services.theme_activate(theme=theme, author=admin)
    visitor = open_page()
    editor = open_page()

    editor.goto("/admin/")
    editor.get_by_label(re.compile("Email")).fill("boss@example.com")
    editor.get_by_label("Password").fill("Boss-Pass-123!")
    editor.get_by_role("button", name=re.compile("Log in", re.I)).click()
    editor.goto(f"/admin/core/theme/{theme.pk}/change/")
    editor.locator("#id_color-primary__light").fill("#c0392b")
    editor.get_by_role("button", name="Save draft").click()
    expect(editor.locator(".messagelist")).to_contain_text("Revision 2 saved as a draft")

    # The preview opens in a new tab, with the draft colour.
    with editor.context.expect_page() as new_tab:
        editor.get_by_role("link", name="Preview the newest draft").click()
    preview = new_tab.value
    expect(preview.get_by_role("status").filter(has_text="Previewing revision 2")).to_be_visible()
    expect(preview.get_by_role("link", name="Explore the API")).to_have_css("background-color", NEW)

    # A visitor still sees the published look.
    visitor.goto("/")
    expect(visitor.get_by_role("link", name="Explore the API")).to_have_css("background-color", OLD)

    editor.get_by_role("button", name="Save and publish").click()
    expect(editor.locator(".messagelist")).to_contain_text("published")
    visitor.reload()
    expect(visitor.get_by_role("link", name="Explore the API")).to_have_css("background-color", NEW)
