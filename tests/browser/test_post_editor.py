"""Acceptance 1 of issue 10: an author writes a post in the writer's editor only (Markdown typing
shortcuts, the toolbar and keyboard shortcuts; no JSON, no HTML typed), with an image uploaded
from the editor; the draft autosaves through the publishing engine; a second editor's save makes
the next autosave show the conflict with both versions kept; the published post shows it all.

It runs against the DEBUG server, which serves /media/, so the uploaded image loads in the editor
(the production server leaves /media/ to S3 or the web server: tests/browser/test_block_images.py).
"""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from playwright.sync_api import Page, expect

from apps.blog import selectors
from apps.blog.models import Post
from apps.core.publishing import services as publishing
from tests.core.factories import UserFactory
from tests.core.images import image_bytes

pytestmark = pytest.mark.browser
PASSWORD = "Correct-Horse-42!"


def sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile("/dashboard/"))


def saved(page: Page) -> None:
    expect(page.locator(".rich-editor__status")).to_have_text(re.compile(r"^Saved at "), timeout=15_000)


def test_an_author_writes_a_post_in_the_editor_it_autosaves_a_conflict_keeps_both_and_it_publishes(
    open_page, live_debug_server_url
):
    UserFactory(email="writer@example.com", password=PASSWORD, roles=["blog_admin"])
    other = UserFactory(email="other@example.com", password=PASSWORD, roles=["blog_admin"])
    # The conflict is a 409 answer, which Chromium logs.
    page = open_page(base_url=live_debug_server_url, expected_failures=("/autosave/",))
    sign_in(page, "writer@example.com")
    page.goto("/blog/write/")
    page.get_by_label("Title").fill("Made in the editor")

    body = page.get_by_role("textbox", name="Body")
    expect(page.get_by_role("button", name="Add block")).to_have_count(0)
    expect(page.get_by_role("button", name="Edit as JSON")).to_have_count(0)
    body.click()
    # Markdown typing shortcuts: a heading, bold, a bulleted list, a quote.
    page.keyboard.type("## Why we write")
    page.keyboard.press("Enter")
    page.keyboard.type("Words are **bold** ")
    page.keyboard.type("and plain. ")
    # A link through the toolbar's dialog, with the keyboard shortcut.
    page.keyboard.press("Control+k")
    dialog = page.get_by_role("dialog", name="Link")
    dialog.get_by_label("Address").fill("https://example.org/guide")
    dialog.get_by_role("button", name="Apply").click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("- first point")
    page.keyboard.press("Enter")
    page.keyboard.type("second point")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("> A quote worth keeping")
    expect(page.get_by_role("button", name="Quote")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")

    # An image uploaded from the editor, with its alt text and caption.
    with page.expect_response(lambda response: "/editor/block-images/" in response.url) as upload:
        page.get_by_label("Upload an image").set_input_files(
            {"name": "desk.png", "mimeType": "image/png", "buffer": image_bytes((320, 200), colour="#c0392b")}
        )
    assert upload.value.status == 201
    figure = page.locator(".rich-editor__figure")
    expect(figure.locator("img")).to_have_js_property("complete", True)
    figure.get_by_label("Alt text").fill("A red desk")
    figure.get_by_label("Caption").fill("Where it happens")
    expect(page.locator(".rich-editor__counts")).to_contain_text("min read")

    # The new post's first autosave creates its draft; the editor moves to the post's address.
    saved(page)
    page.wait_for_url(re.compile(r"/blog/posts/.+/edit/$"))
    post = Post.objects.get(title="Made in the editor")
    draft = selectors.post_draft_content(post)
    types = [block["type"] for block in draft["body"]]
    assert types == ["heading", "rich_text", "image"], draft["body"]
    heading, text, image = draft["body"]
    assert heading["text"] == "Why we write" and heading["level"] == 2
    assert "<strong>bold</strong>" in text["html"]
    assert '<a href="https://example.org/guide" rel="noopener noreferrer nofollow">' in text["html"]
    assert "<ul><li><p>first point</p></li><li><p>second point</p></li></ul>" in text["html"]
    assert "<blockquote><p>A quote worth keeping</p></blockquote>" in text["html"]
    assert image["alt"] == "A red desk" and image["caption"] == "Where it happens"
    assert re.fullmatch(r"uploads/blocks/[0-9a-f]{32}\.webp", image["src"])

    # Keyboard reordering: the heading moves below the text and back.
    page.get_by_role("textbox", name="Body").locator("h2").click()
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator(".rich-editor__content > *").first).not_to_have_text("Why we write")
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator(".rich-editor__content > *").first).to_have_text("Why we write")

    # A second editor saves in the meantime: the next autosave shows the conflict, keeps both.
    # (The server stores uploads in its own temporary folder: give this process the same file.)
    stored = page.request.get(figure.locator("img").get_attribute("src"))
    assert default_storage.save(image["src"], ContentFile(stored.body())) == image["src"]
    post.refresh_from_db()
    theirs = {**selectors.post_draft_content(post), "excerpt": "Their excerpt"}
    theirs["body"] = [*theirs["body"], {"type": "heading", "text": "Their addition", "level": 3}]
    publishing.draft_save(obj=post, content=theirs, author=other, based_on=post.latest_revision)
    page.locator(".rich-editor__content p").last.click()
    page.keyboard.type("My late addition.")
    conflict = page.get_by_role("alert")
    expect(conflict).to_contain_text("Someone else saved this draft", timeout=15_000)
    expect(conflict).to_contain_text("Their addition")
    expect(page.get_by_role("textbox", name="Body")).to_contain_text("My late addition.")
    conflict.get_by_role("button", name=re.compile("Keep mine")).click()
    saved(page)
    post.refresh_from_db()
    assert "My late addition." in str(selectors.post_draft_content(post)["body"])

    # Publishing shows every piece on the post page.
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text("published")
    post.refresh_from_db()
    page.goto(post.get_absolute_url())
    article = page.locator(".blocks")
    expect(article.locator("h2")).to_have_text("Why we write")
    expect(article.locator("strong")).to_have_text("bold")
    expect(article.locator('a[href="https://example.org/guide"]')).to_be_visible()
    expect(article.locator("ul > li")).to_have_count(2)
    expect(article.locator("blockquote")).to_contain_text("A quote worth keeping")
    expect(article.get_by_role("img", name="A red desk")).to_be_visible()
    expect(article.locator("figcaption")).to_have_text("Where it happens")
