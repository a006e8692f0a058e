"""Acceptance 1 of issue 10: an author writes a post in the writer's editor only (Markdown typing
shortcuts, the toolbar and keyboard shortcuts; no JSON, no HTML typed), with an image uploaded
from the editor; the draft autosaves through the publishing engine; a second editor's save makes
the next autosave show the conflict with both versions kept; the published post shows it all.

The live server leaves /media/ to S3 or the web server (tests/browser/test_block_images.py runs
on S3): here the browser is served a stand-in picture for the uploaded images' addresses, and the
files the server stored are removed afterwards.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from playwright.sync_api import Page, expect

from apps.blog import selectors
from apps.blog.models import Post
from apps.core.publishing import services as publishing
from tests.blog.factories import make_post
from tests.core.factories import UserFactory
from tests.core.images import image_bytes

pytestmark = pytest.mark.browser
PASSWORD = "Correct-Horse-42!"
# Screenshots for reviewers (CI keeps var/ as an artefact; nothing here is committed).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


def sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile("/dashboard/"))


STORED: set[str] = set()  # keys the live server stored, removed by the media fixture
UPLOADED = re.compile(r"/media/(uploads/blocks/[0-9a-f]{32}\.webp)")


@pytest.fixture
def media(settings):  # type: ignore[no-untyped-def]
    """``media(page)``: the page is served a picture at any uploaded image's address, as the
    storage's web server would; the uploads the server stored are removed after the test."""
    picture = image_bytes((80, 60), colour="#2f5bea")
    seen = STORED

    def serve(route) -> None:  # type: ignore[no-untyped-def]
        seen.add(UPLOADED.search(route.request.url).group(1))
        route.fulfill(status=200, content_type="image/png", body=picture)

    def prepare(page: Page) -> Page:
        page.route(UPLOADED, serve)
        return page

    yield prepare
    for key in seen:
        (Path(settings.MEDIA_ROOT) / key).unlink(missing_ok=True)
    seen.clear()


def keep_in_this_process(key: str) -> None:
    """The services in this process check that an image's file exists in their storage."""
    if not default_storage.exists(key):
        default_storage.save(key, ContentFile(image_bytes(image_format="WEBP")))


def saved(page: Page) -> None:
    expect(page.locator(".rich-editor__status")).to_have_text(re.compile(r"^Saved at "), timeout=15_000)


def test_an_author_writes_a_post_in_the_editor_it_autosaves_a_conflict_keeps_both_and_it_publishes(open_page, media):
    UserFactory(email="writer@example.com", password=PASSWORD, roles=["blog_admin"])
    other = UserFactory(email="other@example.com", password=PASSWORD, roles=["blog_admin"])
    # The conflict is a 409 answer, which Chromium logs.
    page = media(open_page(expected_failures=("/autosave/",)))
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
    keep_in_this_process(image["src"])
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


PASTED = (
    '<meta charset="utf-8"><div class="WordSection1" style="font-family:Calibri">'
    '<p class="MsoNormal" style="margin:0"><span style="color:red;font-size:14pt">Pasted <b>words</b></span>'
    "<o:p></o:p></p><script>window.pwned = true</script>"
    '<p><font face="Arial">and a <a href="javascript:alert(1)" onclick="x()">bad link</a></font></p>'
    '<img src="https://tracker.example/pixel.png" alt="tracker"></div>'
)


def test_paste_is_cleaned_blocks_move_by_drag_and_a_call_to_action_is_embedded(open_page, live_server_url):
    UserFactory(email="paster@example.com", password=PASSWORD, roles=["blog_author"])
    page = open_page()
    sign_in(page, "paster@example.com")
    page.goto("/blog/write/")
    page.get_by_label("Title").fill("Pasted and moved")
    body = page.get_by_role("textbox", name="Body")
    body.click()
    page.keyboard.type("First paragraph.")
    page.keyboard.press("Enter")
    page.keyboard.type("Second paragraph.")
    page.keyboard.press("Enter")

    # A word processor's clipboard: styles, classes, fonts, a script and a foreign image go.
    body.evaluate(
        """(element, html) => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", "Pasted words and a bad link");
            element.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        PASTED,
    )
    expect(body).to_contain_text("Pasted words")
    assert body.evaluate("element => element.querySelectorAll('[style], [class] span, font, img, script').length") == 0

    # A call to action from the toolbar, edited in its small form.
    page.get_by_role("button", name="Call to action").click()
    embed = page.locator(".rich-editor__embed")
    embed.get_by_label("Button text").fill("Join us")
    embed.get_by_label("Link").fill("/accounts/register/")
    embed.get_by_role("button", name="Done").click()
    expect(embed).to_contain_text("Call to action: “Join us” → /accounts/register/")

    # Drag the first paragraph's handle below the second.
    first = body.locator("p", has_text="First paragraph.")
    first.hover()
    handle = page.locator(".rich-editor__handle")
    expect(handle).to_have_class(re.compile("is-visible"))
    # (Playwright's drag_to moves too little for the browser to start a drag: the mouse, step by step.)
    target = body.locator("p", has_text="Second paragraph.").bounding_box()
    handle.hover()
    page.mouse.down()
    page.mouse.move(target["x"] + target["width"] - 5, target["y"] + target["height"] / 2, steps=8)
    page.mouse.up()
    expect(body.locator("p").first).to_have_text("Second paragraph.")

    saved(page)
    post = Post.objects.get(title="Pasted and moved")
    blocks = selectors.post_draft_content(post)["body"]
    assert [block["type"] for block in blocks] == ["rich_text", "cta"], blocks
    html = blocks[0]["html"]
    assert html.index("Second paragraph.") < html.index("First paragraph.")
    assert "<strong>words</strong>" in html or "<b>words</b>" in html
    for leftover in ("style", "class", "span", "font", "script", "javascript:", "onclick", "img", "tracker"):
        assert leftover not in html, html
    assert blocks[1] | {"id": ""} == {
        "type": "cta",
        "id": "",
        "text": "Join us",
        "url": "/accounts/register/",
        "style": "primary",
    }
    assert page.evaluate("() => window.pwned") is None


def upload_from(page: Page, colour: str) -> str:
    """An image uploaded through the live server (its storage is its own), also kept in this
    process's storage so the services here accept its key; returns the key."""
    token = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
    answer = page.request.post(
        "/editor/block-images/",
        multipart={"file": {"name": "x.png", "mimeType": "image/png", "buffer": image_bytes((80, 60), colour=colour)}},
        headers={"X-CSRFToken": token, "Referer": page.url},
    )
    assert answer.status == 201, answer.text()
    key = answer.json()["key"]
    STORED.add(key)
    keep_in_this_process(key)
    return key


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_existing_body_opens_in_the_editor_and_comes_back_as_the_same_blocks(open_page, media, scheme):
    author = UserFactory(email=f"keeper-{scheme}@example.com", password=PASSWORD, roles=["blog_author"])
    page = media(open_page(color_scheme=scheme, viewport={"width": 1280, "height": 900}))
    sign_in(page, author.email)
    page.goto("/blog/write/")
    key = upload_from(page, "#336699")
    inner = upload_from(page, "#993366")
    body = [
        {"type": "heading", "id": "intro", "text": "Kept as it was", "level": 2},
        {"type": "rich_text", "id": "words", "html": "<p>Some <strong>bold</strong> and <em>italic</em>.</p>"},
        {"type": "image", "id": "pic", "src": key, "alt": "Blue", "decorative": False, "caption": "A caption"},
        {"type": "cta", "id": "go", "text": "Read more", "url": "/blog/", "style": "secondary"},
        {"type": "columns", "id": "cols", "columns": [
            [{"type": "rich_text", "id": "c1", "html": "<p>Left side</p>"}],
            [{"type": "image", "id": "c2", "src": inner, "alt": "Pink", "decorative": False, "caption": ""}],
        ]},
        {"type": "slot", "id": "latest", "name": "latest_posts", "options": {"limit": 3}},
        {"type": "heading", "id": "end", "text": "The end", "level": 3},
    ]  # fmt: skip
    post = make_post(author=author, title="Round trip", body=body)
    stored = selectors.post_draft_content(post)["body"]

    page.goto(f"/blog/posts/{post.pk}/edit/")
    editor = page.get_by_role("textbox", name="Body")
    expect(editor.locator("h2")).to_have_text("Kept as it was")
    expect(page.locator(".rich-editor__embed")).to_have_count(3)
    expect(page.locator(".rich-editor__figure img")).to_have_js_property("complete", True)
    assert json.loads(page.locator("textarea[name=body]").input_value()) == stored
    page.screenshot(path=str(SCREENSHOTS / f"editor-{scheme}.png"), full_page=True)

    # The slot's small form: how many posts it shows.
    slot = page.locator(".rich-editor__embed", has_text="Slot: latest_posts")
    slot.get_by_role("button", name="Edit").click()
    slot.get_by_label("How many (optional)").fill("6")
    slot.get_by_role("button", name="Done").click()
    expect(slot).to_contain_text("Slot: latest_posts (6)")
    edited = json.loads(page.locator("textarea[name=body]").input_value())
    assert edited[5] == {**stored[5], "options": {"limit": 6}}

    # The columns' form: a text column is written as paragraphs; a column holding an image is kept.
    columns = page.locator(".rich-editor__embed", has_text="Columns: 2")
    columns.get_by_role("button", name="Edit").click()
    columns.get_by_label("Column 1").fill("Left side, rewritten.\n\nA second paragraph.")
    expect(columns.get_by_label("Column 2")).to_be_disabled()
    columns.get_by_role("button", name="Done").click()
    edited = json.loads(page.locator("textarea[name=body]").input_value())
    assert edited[4]["columns"] == [
        [{"type": "rich_text", "id": "c1", "html": "<p>Left side, rewritten.</p><p>A second paragraph.</p>"}],
        stored[4]["columns"][1],
    ]
    saved(page)


def test_on_a_conflict_the_author_may_edit_theirs_and_still_restore_their_own(open_page, live_server_url):
    author = UserFactory(email="mine@example.com", password=PASSWORD, roles=["blog_author"])
    other = UserFactory(roles=["blog_admin"])
    post = make_post(author=author, title="Shared", body=[{"type": "rich_text", "id": "p", "html": "<p>Start.</p>"}])
    page = open_page(expected_failures=("/autosave/",))
    sign_in(page, author.email)
    page.goto(f"/blog/posts/{post.pk}/edit/")
    theirs = {**selectors.post_draft_content(post), "body": [{"type": "rich_text", "html": "<p>Their text.</p>"}]}
    publishing.draft_save(obj=post, content=theirs, author=other, based_on=1)

    body = page.get_by_role("textbox", name="Body")
    body.locator("p").click()
    page.keyboard.press("End")
    page.keyboard.type(" Mine.")
    conflict = page.get_by_role("alert")
    expect(conflict).to_contain_text("Someone else saved this draft", timeout=15_000)
    conflict.get_by_role("button", name="Edit theirs").click()
    expect(body).to_have_text("Their text.")
    conflict.get_by_role("button", name="Restore my version").click()
    expect(body).to_have_text("Start. Mine.")
    expect(conflict).to_have_count(0)
    saved(page)
    post.refresh_from_db()
    assert post.latest_revision == 3
    assert selectors.post_draft_content(post)["body"][0]["html"] == "<p>Start. Mine.</p>"
