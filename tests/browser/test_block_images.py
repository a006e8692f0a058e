"""An editor puts an uploaded image into a page with the writer's editor; visitors see it from S3.

This module runs its own live server on S3 (moto), as production does: on disk the live server
would not serve /media/ (DEBUG is off), and S3 is where the storage's own, signed URLs and the
CSP's img-src for the S3 origin matter.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator

import boto3
import pytest
from daphne.testing import DaphneProcess
from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import default_storage
from django.test.utils import override_settings
from playwright.sync_api import expect

from apps.core.models import SitePage
from apps.core.publishing import services
from tests.browser.conftest import _application, _forget_inherited_connections
from tests.conftest import S3_CREDENTIALS
from tests.core.factories import UserFactory
from tests.core.images import image_bytes

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def _daphne(django_db_setup, django_db_blocker, s3_server: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A live server whose default storage is a bucket on moto's S3, and whose CSP allows it."""
    bucket = f"browser-{os.urandom(4).hex()}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=S3_CREDENTIALS["access_key"],
        aws_secret_access_key=S3_CREDENTIALS["secret_key"],
        region_name=S3_CREDENTIALS["region_name"],
    )
    client.create_bucket(Bucket=bucket)
    policy = settings.CONTENT_SECURITY_POLICY
    directives = {**policy["DIRECTIVES"]}
    # As config/settings.py does with AWS_S3_ENDPOINT_URL set: images and media from the S3 origin
    # (tests/browser/test_course_journey.py plays a lesson's video from this bucket too).
    for name in ("img-src", "media-src"):
        directives[name] = [*directives[name], s3_server]
    storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": s3_server,
            "location": "media",
            "file_overwrite": False,
            "default_acl": None,
            **S3_CREDENTIALS,
        },
    }
    overrides = override_settings(
        STORAGES={**settings.STORAGES, "default": storage},
        AWS_STORAGE_BUCKET_NAME=bucket,
        CONTENT_SECURITY_POLICY={**policy, "DIRECTIVES": directives},
        SITE_CACHE_SECONDS=0,
        PAGE_CACHE_SECONDS=0,
    )
    overrides.enable()  # kept for the module, so this process reads the same bucket
    for alias in settings.CACHES:
        caches[alias].clear()
    try:
        with django_db_blocker.unblock():
            process = DaphneProcess(host="127.0.0.1", get_application=_application, setup=_forget_inherited_connections)
            process.daemon = True
            process.start()
        if not process.ready.wait(20):
            process.terminate()
            raise RuntimeError("daphne did not start")
        yield f"http://127.0.0.1:{process.port.value}"
        process.terminate()
        process.join(10)
    finally:
        overrides.disable()
        for obj in client.list_objects_v2(Bucket=bucket).get("Contents", []):
            client.delete_object(Bucket=bucket, Key=obj["Key"])
        client.delete_bucket(Bucket=bucket)


def test_an_editor_uploads_an_image_into_a_page_and_visitors_see_it_from_the_storage(open_page, s3_server):
    admin = UserFactory(email="editor@example.com", password="Editor-Pass-123!", roles=["admin"])
    content = {"title": "Gallery", "slug": "gallery", "body": [{"type": "heading", "text": "Our door", "level": 2}]}
    page = services.draft_create(model=SitePage, content=content, author=admin)
    services.publish(obj=page, author=admin)
    editor = open_page()

    editor.goto("/admin/")
    editor.get_by_label(re.compile("Email")).fill("editor@example.com")
    editor.get_by_label("Password").fill("Editor-Pass-123!")
    editor.get_by_role("button", name=re.compile("Log in", re.I)).click()
    editor.goto(f"/admin/core/sitepage/{page.pk}/change/")
    body = editor.get_by_role("textbox", name="Body")
    body.get_by_text("Our door").click()
    editor.keyboard.press("End")
    editor.get_by_label("Upload an image").set_input_files(
        {"name": "door.png", "mimeType": "image/png", "buffer": image_bytes((320, 200), colour="#c0392b")}
    )

    # The preview is the stored image, at the storage's own (signed) S3 address.
    figure = editor.locator(".rich-editor__figure")
    preview = figure.locator("img")
    # The upload goes through the embedded S3 server and Pillow: on a loaded machine it took more
    # than the default 5 s (a CI run failed here while its neighbours ran their own suites).
    expect(preview).to_be_visible(timeout=20_000)
    expect(editor.locator(".rich-editor__status")).to_have_text(
        "Uploaded (320 × 200). Describe the image in its alt text."
    )
    expect(preview).to_have_attribute("src", re.compile(rf"^{re.escape(s3_server)}/.+/media/uploads/blocks/"))
    assert preview.evaluate("img => img.complete && img.naturalWidth") == 320
    figure.get_by_label("Alt text").fill("Our red front door")
    stored = json.loads(editor.locator("textarea[name=body]").input_value())
    key = stored[1]["src"]
    assert re.fullmatch(r"uploads/blocks/[0-9a-f]{32}\.webp", key)
    editor.get_by_role("button", name="Save and publish").click()
    expect(editor.locator(".messagelist")).to_contain_text("published")

    page.refresh_from_db()
    assert page.body[1] == {
        "type": "image",
        "id": page.body[1]["id"],
        "src": key,
        "alt": "Our red front door",
        "decorative": False,
        "caption": "",
    }
    assert default_storage.exists(key)

    # A visitor sees it, loaded from S3 under the site's CSP (open_page fails on any violation).
    visitor = open_page()
    visitor.goto("/gallery/")
    image = visitor.get_by_role("img", name="Our red front door")
    expect(image).to_have_attribute("src", re.compile(rf"^{re.escape(s3_server)}/.+/media/{re.escape(key)}\?"))
    image.scroll_into_view_if_needed()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") == 320


def test_a_file_that_is_not_an_image_is_refused_in_the_editor_with_the_servers_message(browser, live_server_url):
    UserFactory(email="editor2@example.com", password="Editor-Pass-123!", roles=["admin"])
    content = {"title": "Notes", "slug": "notes", "body": [{"type": "heading", "text": "Notes", "level": 2}]}
    page = services.draft_create(model=SitePage, content=content, author=UserFactory(roles=["admin"]))
    # Its own context rather than open_page's: the 400 answer is logged by Chromium on purpose.
    context = browser.new_context(base_url=live_server_url)
    editor = context.new_page()
    errors: list[str] = []
    editor.on("pageerror", lambda exc: errors.append(str(exc)))
    editor.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    editor.goto("/admin/")
    editor.get_by_label(re.compile("Email")).fill("editor2@example.com")
    editor.get_by_label("Password").fill("Editor-Pass-123!")
    editor.get_by_role("button", name=re.compile("Log in", re.I)).click()
    editor.goto(f"/admin/core/sitepage/{page.pk}/change/")
    with editor.expect_response(lambda response: "/editor/block-images/" in response.url) as answer:
        editor.get_by_label("Upload an image").set_input_files(
            {"name": "notes.png", "mimeType": "image/png", "buffer": b"not a picture at all"}
        )

    assert answer.value.status == 400
    expect(editor.locator(".rich-editor__status")).to_have_text("Upload a PNG, JPEG, GIF or WebP image.")
    expect(editor.locator(".rich-editor__figure")).to_have_count(0)
    assert [block["type"] for block in json.loads(editor.locator("textarea[name=body]").input_value())] == ["heading"]
    context.close()
    assert [error for error in errors if "status of 400" not in error] == []
