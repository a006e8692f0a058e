from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.core.models import Theme
from apps.core.publishing import services
from apps.core.site import services as core_services
from tests.core.factories import UserFactory

pytestmark = pytest.mark.browser

OLD, NEW = "rgb(47, 91, 234)", "rgb(192, 57, 43)"
SECTIONS = [
    {"type": "heading", "text": "Welcome aboard", "level": 2},
    {"type": "cta", "text": "Start here", "url": "/accounts/register/"},
]


def test_an_admin_previews_a_new_colour_and_home_section_together_then_publishes_them(open_page):
    admin = UserFactory(email="boss@example.com", password="Boss-Pass-123!", roles=["admin"])
    theme = services.draft_create(model=Theme, content={"name": "Brand", "tokens": {}}, author=admin)
    services.publish(obj=theme, author=admin)
    services.theme_activate(theme=theme, author=admin)
    home = core_services.site_component_get_or_create(key="home", author=admin)
    services.draft_save(obj=home, content={"content": {"sections": SECTIONS}}, author=admin, based_on=0)
    services.publish(obj=home, author=admin)
    visitor = open_page()
    editor = open_page()

    editor.goto("/admin/")
    editor.get_by_label(re.compile("Email")).fill("boss@example.com")
    editor.get_by_label("Password").fill("Boss-Pass-123!")
    editor.get_by_role("button", name=re.compile("Log in", re.I)).click()
    expect(editor.get_by_role("link", name="Site", exact=True)).to_be_visible()

    # The theme: the live preview beside the form follows the colour picker before anything is saved.
    editor.goto(f"/admin/core/theme/{theme.pk}/change/")
    editor.locator("#id_color-primary__light").fill("#c0392b")
    frame = editor.frame_locator("iframe[name=live-preview]")
    expect(frame.get_by_role("link", name="Start here")).to_have_css("background-color", NEW)
    editor.get_by_role("button", name="Save draft").click()
    expect(editor.locator(".messagelist")).to_contain_text("Revision 2 saved as a draft")
    with editor.context.expect_page() as first_tab:
        editor.get_by_role("link", name="Preview the site with this draft").click()
    expect(first_tab.value.get_by_role("link", name="Start here")).to_have_css("background-color", NEW)

    # The home page: the writer's editor, its live preview, then the site preview with both drafts.
    editor.goto(f"/admin/core/sitecomponent/{home.pk}/change/")
    heading = editor.get_by_role("textbox", name="Sections").locator("h2")
    heading.click(click_count=3)  # selects the heading's text
    editor.keyboard.type("Spring sale")
    expect(editor.frame_locator("iframe[name=live-preview]").get_by_role("heading", name="Spring sale")).to_be_visible()
    editor.get_by_role("button", name="Save draft").click()
    expect(editor.locator(".messagelist")).to_contain_text("Revision 2 saved as a draft")
    with editor.context.expect_page() as second_tab:
        editor.get_by_role("link", name="Preview the site with this draft").click()
    preview = second_tab.value
    expect(preview.locator("[data-site-preview]")).to_contain_text(
        "theme “Brand” (revision 2), site component “Home page” (revision 2)"
    )
    expect(preview.get_by_role("heading", name="Spring sale")).to_be_visible()
    expect(preview.get_by_role("link", name="Start here")).to_have_css("background-color", NEW)

    # A visitor still sees the published look and words.
    visitor.goto("/")
    expect(visitor.get_by_role("heading", name="Welcome aboard")).to_be_visible()
    expect(visitor.get_by_role("link", name="Start here")).to_have_css("background-color", OLD)

    # The admin publishes both; the visitor now sees them.
    editor.get_by_role("button", name="Save and publish").click()
    expect(editor.locator(".messagelist")).to_contain_text("published")
    editor.goto(f"/admin/core/theme/{theme.pk}/change/")
    editor.get_by_role("button", name="Save and publish").click()
    expect(editor.locator(".messagelist")).to_contain_text("published")
    visitor.reload()
    expect(visitor.get_by_role("heading", name="Spring sale")).to_be_visible()
    expect(visitor.get_by_role("link", name="Start here")).to_have_css("background-color", NEW)
