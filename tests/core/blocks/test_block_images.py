"""Uploading images for image blocks: the service, who may call it, and the editor's endpoint."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image

from apps.core.accounts.permissions import can_upload_block_image
from apps.core.blocks import clean_blocks, render_blocks
from apps.core.blocks.forms import BlocksField
from apps.core.blocks.images import MAX_SIDE, block_image_upload
from tests.core.images import image_bytes, image_upload, png_claiming, stored_key

URL = reverse("block-image-upload")


@pytest.fixture
def filesystem_media(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Keys become /media/ URLs, whatever storage the run is configured with."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/media/"},
        },
    }


def stored_block_images() -> list[str]:
    try:
        return default_storage.listdir("uploads/blocks")[1]
    except FileNotFoundError:  # nothing was ever stored
        return []


def exif_with_rotation_and_location() -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned a quarter; shown rotated 90° clockwise
    exif[0x010F] = "Snoopy Cameras"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPSInfo
    return exif


# --- Who may upload ------------------------------------------------------------------------------

MAY_UPLOAD = {
    "anonymous": False,
    "member": False,
    "student": False,
    # Instructors draft course pages and lessons, shop owners product descriptions, in the editor.
    "instructor": True,
    "shop_owner": True,
    "blog_author": True,
    "blog_admin": True,
    "admin": True,
    "super_admin": True,
}


@pytest.mark.parametrize(("who", "allowed"), MAY_UPLOAD.items())
def test_anyone_who_may_draft_some_publishable_content_may_upload_block_images(cast, who, allowed):
    assert can_upload_block_image(cast[who]) is allowed


@pytest.mark.parametrize(("who", "allowed"), MAY_UPLOAD.items())
def test_the_upload_endpoint_answers_each_visitor_by_their_roles(cast, client_for, who, allowed):
    response = client_for(cast[who]).post(URL, {"file": image_upload()})

    assert response.status_code == (201 if allowed else 403)
    assert response["Content-Type"] == "application/json"
    if allowed:
        assert response.json()["key"].startswith("uploads/blocks/")
    else:
        assert response.json()["error"]["message"] == "Only editors may upload images."
        assert stored_block_images() == []


def test_a_deactivated_editor_may_not_upload(user_with_role):
    editor = user_with_role("admin", is_active=False)

    assert can_upload_block_image(editor) is False


def test_the_service_refuses_a_user_who_may_not_upload(member):
    with pytest.raises(PermissionDenied):
        block_image_upload(user=member, file=image_upload())

    assert stored_block_images() == []


# --- The endpoint --------------------------------------------------------------------------------


def test_an_uploaded_image_is_stored_re_encoded_without_its_metadata_and_turned_upright(staff, client_for):
    photo = image_bytes((64, 48), image_format="JPEG", exif=exif_with_rotation_and_location())

    response = client_for(staff).post(URL, {"file": image_upload("holiday.jpg", photo, "image/jpeg")})

    assert response.status_code == 201
    answer = response.json()
    key = answer["key"]
    assert answer == {"key": key, "url": answer["url"], "width": 48, "height": 64}
    assert answer["url"].split("?")[0] == default_storage.url(key).split("?")[0]  # S3 signs each time
    assert key.startswith("uploads/blocks/") and key.endswith(".webp") and "holiday" not in key
    with default_storage.open(key) as stored, Image.open(stored) as image:
        assert image.format == "WEBP" and image.size == (48, 64)
        assert not image.getexif() and "exif" not in image.info
        assert "icc_profile" not in image.info and "xmp" not in image.info


def test_uploading_the_same_image_again_returns_the_same_key_and_stores_it_once(staff, client_for):
    client = client_for(staff)

    first = client.post(URL, {"file": image_upload("a.png")}).json()
    second = client.post(URL, {"file": image_upload("b.png")}).json()

    assert first == second
    assert stored_block_images() == [first["key"].rsplit("/", 1)[1]]


def test_a_large_image_is_scaled_down_to_the_largest_side_allowed(staff):
    stored = block_image_upload(user=staff, file=image_upload(content=image_bytes((MAX_SIDE + 600, 1000))))

    assert (stored.width, stored.height) == (MAX_SIDE, 800)
    with default_storage.open(stored.key) as file, Image.open(file) as image:
        assert image.size == (MAX_SIDE, 800)


BAD_FILES = [
    ("not_an_image", image_upload("notes.png", b"just some text, not a picture"), "Upload a PNG, JPEG, GIF or WebP"),
    ("svg", image_upload("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"), "Upload a PNG"),
    ("too_large", image_upload("big.png", b"\x89PNG" + b"\x00" * (5 * 1024 * 1024)), "Images may be at most 5 MB."),
    ("too_many_pixels", image_upload("bomb.png", png_claiming(8000, 6000)), "This image has too many pixels."),
    ("a_true_bomb", image_upload("bomb.png", png_claiming(30_000, 30_000)), "Upload a PNG, JPEG, GIF or WebP"),
]


@pytest.mark.parametrize(("case", "upload", "message"), BAD_FILES, ids=[case for case, _, _ in BAD_FILES])
def test_a_bad_file_gets_a_400_naming_the_problem_and_nothing_is_stored(staff, client_for, case, upload, message):
    response = client_for(staff).post(URL, {"file": upload})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and error["message"].startswith(message)
    assert stored_block_images() == []


def test_a_post_without_a_file_gets_a_400_asking_for_one(staff, client_for):
    response = client_for(staff).post(URL, {})

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Choose an image file to upload."


def test_the_endpoint_takes_only_post(staff, client_for):
    response = client_for(staff).get(URL)

    assert response.status_code == 405
    assert response["Allow"] == "POST" and response.json()["error"]["code"] == "method_not_allowed"


def test_the_endpoint_needs_the_csrf_token(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = client.post(URL, {"file": image_upload()})

    assert response.status_code == 403
    assert stored_block_images() == []


# --- From upload to page ---------------------------------------------------------------------------


def test_an_uploaded_image_becomes_a_block_that_renders_at_its_storage_url(staff, s3_storage, s3_server, s3_bucket):
    stored = block_image_upload(user=staff, file=image_upload())

    body = clean_blocks([{"type": "image", "src": stored.key, "alt": "A blue square"}])
    html = str(render_blocks(body))

    assert body[0]["src"] == stored.key
    assert f'<img src="{s3_server}/{s3_bucket}/media/{stored.key}?' in html
    with s3_storage.open(stored.key) as file:
        assert Image.open(io.BytesIO(file.read())).format == "WEBP"


def test_the_demo_seed_uploads_the_images_of_its_bodies_and_shows_them_from_the_storage(client, db, settings):
    settings.DEBUG = True

    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: the same image, stored once

    html = client.get("/blog/writing-accessible-posts/").content.decode()
    [key] = re.findall(r'<img src="[^"]*/(uploads/blocks/[0-9a-f]{32}\.webp)[?"]', html)
    assert default_storage.exists(key) and stored_block_images() == [key.rsplit("/", 1)[1]]
    assert 'alt="A yellow circle above a yellow band on a purple background"' in html


def test_the_block_editor_widget_names_the_upload_address_and_previews_the_images_it_holds(filesystem_media):
    key = stored_key()
    body = [{"type": "columns", "columns": [[{"type": "image", "src": key, "alt": "A"}], []]}]

    html = BlocksField().widget.render("body", body, attrs={"id": "id_body"})

    assert f'data-image-upload="{URL}"' in html and 'data-image-urls="id_body-images"' in html
    assert f'<script id="id_body-images" type="application/json">{{"{key}": "/media/{key}"}}</script>' in html
