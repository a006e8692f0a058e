"""The account pages: registration, email confirmation, sign-in and out, profile and passwords."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.core.platform.uploads import AVATAR_MAX_SIDE
from tests.core.accounts.helpers import (
    jpeg_with_gps_and_trailer,
    png,
)

# --- Profile ------------------------------------------------------------------------------------


def test_profile_sends_visitors_to_sign_in(client, db):
    response = client.get("/accounts/profile/")

    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/accounts/profile/"


def test_profile_refuses_other_methods(client, member):
    client.force_login(member)

    assert client.delete("/accounts/profile/").status_code == 405


def test_profile_shows_email_verification_and_roles(client, user_with_role):
    instructor = user_with_role("instructor", display_name="Ines Instructor")
    client.force_login(instructor)

    html = client.get("/accounts/profile/").content.decode()

    assert instructor.email in html and "verified" in html
    assert "<strong>Instructor</strong>" in html
    assert 'value="Ines Instructor"' in html and 'enctype="multipart/form-data"' in html
    assert 'name="remove_avatar"' not in html  # nothing to remove yet


def test_profile_shows_an_unverified_address(client, unverified):
    client.force_login(unverified)

    assert "not verified" in client.get("/accounts/profile/").content.decode()


def test_profile_saves_name_and_bio(client, member):
    client.force_login(member)

    response = client.post("/accounts/profile/", {"display_name": "  Mia M.  ", "bio": "Likes <b>tea</b>."})

    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    member.refresh_from_db()
    assert (member.display_name, member.bio) == ("Mia M.", "Likes <b>tea</b>.")
    page = client.get("/accounts/profile/").content.decode()
    assert "Your profile is saved." in page and "Likes &lt;b&gt;tea&lt;/b&gt;." in page


def test_profile_requires_a_display_name(client, member):
    client.force_login(member)

    response = client.post("/accounts/profile/", {"display_name": "", "bio": "new bio"})

    assert response.status_code == 200 and "This field is required." in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Mia Member" and member.bio == ""


def test_profile_stores_an_uploaded_png_avatar_and_shows_it(client, member, media):
    client.force_login(member)

    response = client.post("/accounts/profile/", {"display_name": "Mia", "bio": "", "avatar": png()})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.avatar.name.startswith(f"avatars/{member.pk}/") and member.avatar.name.endswith(".png")
    assert media.exists(member.avatar.name)
    page = client.get("/accounts/profile/").content.decode()
    assert f'src="{member.avatar.url}"' in page and 'name="remove_avatar"' in page


def test_the_avatar_is_picked_beside_the_current_picture_and_labels_have_no_colon(client, member, media):
    client.force_login(member)
    empty = client.get("/accounts/profile/").content.decode()
    client.post("/accounts/profile/", {"display_name": "Mia", "bio": "", "avatar": png()})
    member.refresh_from_db()

    page = client.get("/accounts/profile/").content.decode()

    assert '<div class="picker" data-picker>' in empty and "<span>M</span>" in empty  # the initial
    picker = page[page.index('<div class="picker"') :]
    assert f'<img src="{member.avatar.url}" alt="Your current avatar">' in picker
    assert 'class="picker__input"' in picker and 'accept="image/png,image/jpeg,image/gif,image/webp"' in picker
    assert '<label class="field__label" for="id_remove_avatar">Remove my avatar</label>' in page
    assert ":</label>" not in page and ":</label>" not in client.get("/accounts/password/").content.decode()


def test_an_avatar_is_named_after_its_content_not_its_upload_name(client, member, media):
    client.force_login(member)

    client.post("/accounts/profile/", {"display_name": "Mia", "bio": "", "avatar": png("page.html")})

    member.refresh_from_db()
    assert member.avatar.name.endswith(".png")


def test_profile_refuses_a_fake_image_and_changes_nothing(client, member, media):
    client.force_login(member)
    fake = SimpleUploadedFile("me.png", b"just some text, not a picture", content_type="image/png")

    response = client.post("/accounts/profile/", {"display_name": "Changed", "bio": "Changed", "avatar": fake})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_avatar_error"' in html and "Upload a PNG, JPEG, GIF or WebP image." in html
    member.refresh_from_db()
    assert (member.display_name, member.bio, member.avatar.name) == ("Mia Member", "", "")


def test_profile_removes_the_avatar_when_asked(client, member, media):
    client.force_login(member)
    client.post("/accounts/profile/", {"display_name": "Mia", "avatar": png()})

    client.post("/accounts/profile/", {"display_name": "Mia", "remove_avatar": "on"})

    member.refresh_from_db()
    assert not member.avatar


def test_an_avatar_is_re_encoded_without_metadata_or_trailing_bytes_and_turned_upright(client, member, media):
    client.force_login(member)
    upload = jpeg_with_gps_and_trailer()
    assert b"Canon" in upload.read() and upload.size > 0
    upload.seek(0)

    response = client.post("/accounts/profile/", {"display_name": "Mia", "bio": "", "avatar": upload})

    assert response.status_code == 302
    member.refresh_from_db()
    with media.open(member.avatar.name) as stored:
        data = stored.read()
    assert b"Canon" not in data and b"<script>" not in data and b"Exif" not in data
    assert data.endswith(b"\xff\xd9")  # nothing after the JPEG's end-of-image marker
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.size == (8, 16)  # the orientation is applied
        exif = image.getexif()
        assert not exif and not exif.get_ifd(0x8825)
    assert member.avatar.name.endswith(".jpg")


def test_a_large_avatar_is_scaled_down_to_a_bounded_size(client, member, media):
    client.force_login(member)
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1000), (10, 200, 10)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")

    client.post("/accounts/profile/", {"display_name": "Mia", "bio": "", "avatar": upload})

    member.refresh_from_db()
    with media.open(member.avatar.name) as stored, Image.open(stored) as image:
        assert max(image.size) == AVATAR_MAX_SIDE and image.size == (AVATAR_MAX_SIDE, AVATAR_MAX_SIDE // 2)
