"""The account pages: registration, email confirmation, sign-in and out, profile and passwords."""

from __future__ import annotations

import io
import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.core import services
from apps.core.models import User
from tests.core.factories import DEFAULT_PASSWORD, UserFactory

NEW_PASSWORD = "Another-Secret-77!"
HTMX = {"HX-Request": "true"}


# --- Helpers ------------------------------------------------------------------------------------


def _path_of_link(body: str) -> str:
    """The path of the first link in an email body (emails link to SITE_URL)."""
    match = re.search(r"https?://\S+", body)
    assert match, body
    return urlsplit(match.group(0)).path


def _without_csrf(html: str) -> str:
    # The masked CSRF token differs on every render; everything else must be the same.
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html))


def _non_field_errors(html: str) -> str:
    match = re.search(r'<ul class="errorlist nonfield">.*?</ul>', html, re.S)
    return match.group(0) if match else ""


def _png(name: str = "me.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _signed_in_id(client) -> str | None:  # type: ignore[no-untyped-def]
    return client.session.get("_auth_user_id")


def _register(client, email: str, password: str = NEW_PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    data = {"email": email, "display_name": "Nina New", "password1": password, "password2": password, **extra}
    return client.post("/accounts/register/", data)


def _sign_in(client, email: str, password: str = DEFAULT_PASSWORD, **extra):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"email": email, "password": password}, **extra)


@pytest.fixture
def unverified(db):  # type: ignore[no-untyped-def]
    return UserFactory(display_name="Una Unverified", email_verified_at=None)


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploads go to a temporary directory (or the configured S3 bucket)."""
    if not settings.AWS_STORAGE_BUCKET_NAME:
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path, "base_url": "/media/"}},
        }
    return default_storage


# --- Header -------------------------------------------------------------------------------------


def test_header_offers_sign_in_and_register_to_visitors(client, db):
    html = client.get("/status/").content.decode()

    assert 'href="/accounts/login/?next=/status/">Sign in</a>' in html
    assert 'href="/accounts/register/">Register</a>' in html
    assert "Staff sign in" not in html


def test_header_links_a_signed_in_user_to_their_profile_and_signs_out_by_post(client, member):
    client.force_login(member)

    html = client.get("/").content.decode()

    assert 'href="/accounts/profile/">Mia Member</a>' in html
    assert 'action="/accounts/logout/"' in html
    assert "/admin/logout/" not in html


def test_account_pages_have_no_inline_script_or_style(client, db):
    for url in ("/accounts/login/", "/accounts/register/", "/accounts/reset/", "/accounts/resend-verification/"):
        html = client.get(url).content.decode()
        assert "style=" not in html, url
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html)), url


# --- Registration -------------------------------------------------------------------------------


def test_register_page_renders_the_form(client, db):
    response = client.get("/accounts/register/")

    assert response.status_code == 200
    html = response.content.decode()
    for name in ("email", "display_name", "password1", "password2"):
        assert f'name="{name}"' in html


def test_register_refuses_other_methods(client, db):
    assert client.delete("/accounts/register/").status_code == 405


def test_register_sends_a_signed_in_user_to_their_profile(client, member):
    client.force_login(member)

    response = client.get("/accounts/register/")

    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"


def test_registering_a_new_email_creates_an_unverified_account_and_mails_a_link(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(client, "Nina@Example.com")

    assert response.status_code == 302 and response["Location"] == "/accounts/register/done/"
    user = User.objects.get(email="nina@example.com")
    assert user.display_name == "Nina New"
    assert not user.email_verified and user.check_password(NEW_PASSWORD)
    assert [mail.to for mail in mailoutbox] == [["nina@example.com"]]
    assert _path_of_link(mailoutbox[0].body).startswith("/accounts/verify/")
    assert _signed_in_id(client) is None


def test_registering_an_existing_email_answers_identically_and_mails_the_owner(
    client, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fresh = _register(client, "someone.new@example.com")
        taken = _register(client, member.email.upper())

    assert (fresh.status_code, fresh["Location"]) == (taken.status_code, taken["Location"])
    fresh_page, taken_page = client.get(fresh["Location"]), client.get(taken["Location"])
    assert _without_csrf(fresh_page.content.decode()) == _without_csrf(taken_page.content.decode())
    assert "Check your inbox" in taken_page.content.decode()
    assert User.objects.filter(email__iexact=member.email).count() == 1
    member.refresh_from_db()
    assert member.display_name == "Mia Member" and member.check_password(DEFAULT_PASSWORD)
    owner_mail = mailoutbox[-1]
    assert owner_mail.to == [member.email] and "already has one" in owner_mail.body


def test_register_refuses_passwords_that_differ(client, db, mailoutbox):
    response = _register(client, "nina@example.com", password2="Something-Else-99")

    assert response.status_code == 200
    assert "The two passwords differ." in response.content.decode()
    assert not User.objects.exists() and mailoutbox == []


def test_register_checks_the_password_against_the_email_and_display_name(client, db):
    response = _register(client, "quentin.blake@example.com", password="quentin.blake@example.com")

    assert response.status_code == 200
    assert "The password is too similar to the email address." in response.content.decode()
    assert not User.objects.exists()


def test_register_is_rate_limited_per_address(client, db, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.REGISTRATION_RATE_LIMIT = 1
    with django_capture_on_commit_callbacks(execute=True):
        assert _register(client, "first@example.com").status_code == 302
        response = _register(client, "second@example.com")

    assert response.status_code == 429
    assert "Too many requests from your network" in response.content.decode()
    assert not User.objects.filter(email="second@example.com").exists()
    assert [mail.to for mail in mailoutbox] == [["first@example.com"]]


def test_register_done_page_says_to_check_the_inbox(client, db):
    response = client.get("/accounts/register/done/")

    assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    assert client.post("/accounts/register/done/").status_code == 405


# --- Email verification -------------------------------------------------------------------------


def test_verification_link_confirms_the_address_and_signs_in(client, unverified):
    response = client.get(f"/accounts/verify/{services.verification_token(unverified)}/")

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    unverified.refresh_from_db()
    assert unverified.email_verified
    assert _signed_in_id(client) == str(unverified.pk)


def test_the_emailed_link_of_a_new_registration_works(client, db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _register(client, "nina@example.com")

    response = client.get(_path_of_link(mailoutbox[0].body), follow=True)

    assert response.redirect_chain[0] == ("/dashboard/", 302)
    assert "Your email address is confirmed." in response.content.decode()
    assert User.objects.get(email="nina@example.com").email_verified


def test_a_used_verification_link_does_not_sign_in_again(client, unverified):
    path = f"/accounts/verify/{services.verification_token(unverified)}/"
    client.get(path)
    later = type(client)()

    response = later.get(path)

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert _signed_in_id(later) is None


class _SignedLongAgo(signing.TimestampSigner):
    """Signs as the verification service does, with a clock shifted into the past."""

    shift = 0

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - self.shift)


def test_an_expired_verification_link_is_refused_and_offers_a_new_one(client, unverified, settings):
    signer = _SignedLongAgo(salt=services._VERIFY_SALT)
    signer.shift = settings.EMAIL_VERIFICATION_MAX_AGE + 60
    token = signer.sign_object({"user": unverified.pk, "email": unverified.email})

    response = client.get(f"/accounts/verify/{token}/")

    assert response.status_code == 400
    html = response.content.decode()
    assert "This link has expired." in html and 'action="/accounts/resend-verification/"' in html
    unverified.refresh_from_db()
    assert not unverified.email_verified and _signed_in_id(client) is None


def test_a_tampered_verification_link_is_refused(client, unverified):
    token = services.verification_token(unverified)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.get(f"/accounts/verify/{tampered}/")

    assert response.status_code == 400 and "This link is not valid." in response.content.decode()
    unverified.refresh_from_db()
    assert not unverified.email_verified and _signed_in_id(client) is None


def test_verification_link_refuses_post(client, unverified):
    assert client.post(f"/accounts/verify/{services.verification_token(unverified)}/").status_code == 405


def test_resend_verification_mails_only_an_unconfirmed_account_and_answers_the_same(
    client, unverified, member, mailoutbox
):
    pages = [
        client.post("/accounts/resend-verification/", {"email": email})
        for email in (unverified.email, member.email, "nobody@example.com")
    ]

    assert {page.status_code for page in pages} == {200}
    assert len({_without_csrf(page.content.decode()) for page in pages}) == 1
    assert "if an account needs confirming" in pages[0].content.decode().lower()
    assert [mail.to for mail in mailoutbox] == [[unverified.email]]
    assert _path_of_link(mailoutbox[0].body).startswith("/accounts/verify/")


def test_resend_verification_ignores_a_deactivated_account(client, db, mailoutbox):
    inactive = UserFactory(email_verified_at=None, is_active=False)

    client.post("/accounts/resend-verification/", {"email": inactive.email})

    assert mailoutbox == []


def test_resend_verification_refuses_a_malformed_address(client, db, mailoutbox):
    response = client.post("/accounts/resend-verification/", {"email": "not-an-email"})

    assert response.status_code == 200 and "Enter a valid email address." in response.content.decode()
    assert mailoutbox == []


# --- Sign in ------------------------------------------------------------------------------------


def test_login_page_renders_the_full_page_with_an_htmx_form(client, db):
    response = client.get("/accounts/login/")

    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert 'hx-post="/accounts/login/"' in html and 'method="post"' in html
    assert "HX-Request" in response["Vary"]


def test_login_refuses_other_methods(client, db):
    assert client.put("/accounts/login/").status_code == 405


def test_signing_in_goes_to_the_dashboard(client, member):
    response = _sign_in(client, member.email.upper())

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert _signed_in_id(client) == str(member.pk)


def test_signing_in_follows_a_next_page_on_this_site(client, member):
    response = client.post(
        "/accounts/login/", {"email": member.email, "password": DEFAULT_PASSWORD, "next": "/accounts/profile/"}
    )

    assert response["Location"] == "/accounts/profile/"


def test_signing_in_ignores_a_next_page_on_another_host(client, member):
    for target in ("https://evil.example/", "//evil.example/steal"):
        response = client.post(
            "/accounts/login/", {"email": member.email, "password": DEFAULT_PASSWORD, "next": target}
        )
        assert response["Location"] == "/dashboard/", target


def test_a_signed_in_user_visiting_login_goes_to_the_dashboard(client, member):
    client.force_login(member)

    response = client.get("/accounts/login/")

    assert response.status_code == 302 and response["Location"] == "/dashboard/"


def test_wrong_password_and_unknown_email_get_the_same_error(client, member):
    wrong = _sign_in(client, member.email, "not-the-password")
    unknown = _sign_in(client, "nobody@example.com", "not-the-password")

    assert wrong.status_code == unknown.status_code == 200
    errors = _non_field_errors(wrong.content.decode())
    assert errors == _non_field_errors(unknown.content.decode())
    assert "Enter a correct email and password." in errors
    assert _signed_in_id(client) is None


def test_login_requires_both_fields(client, db):
    response = client.post("/accounts/login/", {"email": "", "password": ""})

    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") == 2


def test_htmx_login_gets_the_form_fragment_with_its_errors(client, member):
    response = _sign_in(client, member.email, "not-the-password", headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="login-form"') and "<html" not in html
    assert "Enter a correct email and password." in html


def test_htmx_login_success_redirects_the_browser(client, member):
    response = _sign_in(client, member.email, headers=HTMX)

    assert response.status_code == 200 and response["HX-Redirect"] == "/dashboard/"
    assert _signed_in_id(client) == str(member.pk)


def test_an_unverified_account_is_not_signed_in_and_gets_a_new_link(client, unverified, mailoutbox):
    response = _sign_in(client, unverified.email)

    assert response.status_code == 200
    assert "Confirm your email address first: we have sent you a new link." in response.content.decode()
    assert _signed_in_id(client) is None
    assert [mail.to for mail in mailoutbox] == [[unverified.email]]
    assert _path_of_link(mailoutbox[0].body).startswith("/accounts/verify/")


def test_a_deactivated_account_gets_the_wrong_credentials_error(client, db):
    inactive = UserFactory(is_active=False)

    response = _sign_in(client, inactive.email)

    assert "Enter a correct email and password." in response.content.decode()
    assert _signed_in_id(client) is None


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, member, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 3
    for _ in range(3):
        assert _sign_in(client, member.email, "not-the-password").status_code == 200

    response = _sign_in(client, member.email)

    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in" in response.content.decode()
    assert _signed_in_id(client) is None


def test_a_locked_out_htmx_sign_in_gets_the_fragment_with_the_message(client, member, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 1
    _sign_in(client, member.email, "not-the-password")

    response = _sign_in(client, member.email, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 429 and html.lstrip().startswith('<form id="login-form"')
    assert "Too many failed sign-in attempts." in html


def test_sign_in_works_again_after_the_lockout_window(client, member, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 2
    settings.LOGIN_LOCKOUT_WINDOW = 1
    for _ in range(2):
        _sign_in(client, member.email, "not-the-password")
    assert _sign_in(client, member.email).status_code == 429

    time.sleep(1.1)
    response = _sign_in(client, member.email)

    assert response.status_code == 302 and _signed_in_id(client) == str(member.pk)


def test_an_address_guessing_at_many_accounts_is_locked_out(client, member, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 100
    settings.LOGIN_LOCKOUT_IP_LIMIT = 3
    for n in range(3):
        _sign_in(client, f"guess{n}@example.com", "not-the-password")

    locked = _sign_in(client, member.email)
    elsewhere = _sign_in(type(client)(), member.email, REMOTE_ADDR="10.0.0.2")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


def test_a_successful_sign_in_clears_the_account_failures(client, member, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 2
    _sign_in(client, member.email, "not-the-password")
    _sign_in(client, member.email)
    client.post("/accounts/logout/")

    _sign_in(client, member.email, "not-the-password")
    response = _sign_in(client, member.email)

    assert response.status_code == 302


# --- Sign out -----------------------------------------------------------------------------------


def test_sign_out_by_post_ends_the_session_and_goes_home(client, member):
    client.force_login(member)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in_id(client) is None


def test_sign_out_by_get_is_refused(client, member):
    client.force_login(member)

    assert client.get("/accounts/logout/").status_code == 405
    assert _signed_in_id(client) == str(member.pk)


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

    response = client.post("/accounts/profile/", {"display_name": "Mia", "bio": "", "avatar": _png()})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.avatar.name.startswith(f"avatars/{member.pk}/") and member.avatar.name.endswith(".png")
    assert media.exists(member.avatar.name)
    page = client.get("/accounts/profile/").content.decode()
    assert f'src="{member.avatar.url}"' in page and 'name="remove_avatar"' in page


def test_an_avatar_is_named_after_its_content_not_its_upload_name(client, member, media):
    client.force_login(member)

    client.post("/accounts/profile/", {"display_name": "Mia", "bio": "", "avatar": _png("page.html")})

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
    client.post("/accounts/profile/", {"display_name": "Mia", "avatar": _png()})

    client.post("/accounts/profile/", {"display_name": "Mia", "remove_avatar": "on"})

    member.refresh_from_db()
    assert not member.avatar


# --- Password change ----------------------------------------------------------------------------


def test_password_change_sends_visitors_to_sign_in(client, db):
    response = client.get("/accounts/password/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_password_change_sets_the_password_keeps_the_session_and_revokes_tokens(client, member):
    client.force_login(member)
    version = member.role_version

    response = client.post(
        "/accounts/password/",
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD) and member.role_version == version + 1
    done = client.get(response["Location"])
    assert done.status_code == 200 and "Password changed" in done.content.decode()


def test_password_change_refuses_a_wrong_old_password(client, member):
    client.force_login(member)
    version = member.role_version

    response = client.post(
        "/accounts/password/",
        {"old_password": "not-the-password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200 and "Your old password was entered incorrectly." in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(DEFAULT_PASSWORD) and member.role_version == version


# --- Password reset -----------------------------------------------------------------------------


def test_password_reset_by_the_emailed_link_sets_a_new_password(client, member, mailoutbox, settings):
    version = member.role_version

    asked = client.post("/accounts/reset/", {"email": member.email})
    assert asked.status_code == 302 and asked["Location"] == "/accounts/reset/sent/"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [member.email]
    body = mailoutbox[0].body
    assert settings.SITE_URL in body and "text/html" in [kind for _, kind in mailoutbox[0].alternatives]

    form = client.get(_path_of_link(body), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )

    assert done.redirect_chain[-1][0] == "/accounts/reset/done/" and "Your password is set" in done.content.decode()
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD) and member.role_version == version + 1
    assert _sign_in(client, member.email, NEW_PASSWORD).status_code == 302


def test_password_reset_answers_the_same_for_an_unknown_email(client, member, mailoutbox):
    known = client.post("/accounts/reset/", {"email": member.email})
    unknown = client.post("/accounts/reset/", {"email": "nobody@example.com"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [mail.to for mail in mailoutbox] == [[member.email]]


def test_a_used_password_reset_link_is_refused(client, member, mailoutbox):
    client.post("/accounts/reset/", {"email": member.email})
    path = _path_of_link(mailoutbox[0].body)
    form = client.get(path, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(path, follow=True)

    assert "This link does not work" in again.content.decode()


def test_password_reset_refuses_passwords_that_differ(client, member, mailoutbox):
    client.post("/accounts/reset/", {"email": member.email})
    form = client.get(_path_of_link(mailoutbox[0].body), follow=True)

    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": "Other-1234!"})

    assert response.status_code == 200 and "The two password fields didn’t match." in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(DEFAULT_PASSWORD)


def test_password_reset_is_rate_limited_per_address(client, member, settings, mailoutbox):
    settings.REGISTRATION_RATE_LIMIT = 1
    client.post("/accounts/reset/", {"email": member.email})

    response = client.post("/accounts/reset/", {"email": member.email})

    assert response.status_code == 429 and len(mailoutbox) == 1
