"""The account pages: registration, email confirmation, sign-in and out, profile and passwords."""

from __future__ import annotations

import re
import time

from django.core import signing

from apps.core.accounts import services
from apps.core.models import User
from tests.core.accounts.helpers import (
    NEW_PASSWORD,
    path_of_link,
    register,
    signed_in_id,
    without_csrf,
)
from tests.core.factories import DEFAULT_PASSWORD, UserFactory

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


def test_registering_a_new_email_creates_an_unverified_account_and_mails_a_link(client, db, mailoutbox, queued_work):
    with queued_work():
        response = register(client, "Nina@Example.com")

    assert response.status_code == 302 and response["Location"] == "/accounts/register/done/"
    user = User.objects.get(email="nina@example.com")
    assert user.display_name == "Nina New"
    assert not user.email_verified and user.check_password(NEW_PASSWORD)
    assert [mail.to for mail in mailoutbox] == [["nina@example.com"]]
    assert path_of_link(mailoutbox[0].body).startswith("/accounts/verify/")
    assert signed_in_id(client) is None


def test_registering_an_existing_email_answers_identically_and_mails_the_owner(client, member, mailoutbox, queued_work):
    with queued_work():
        fresh = register(client, "someone.new@example.com")
        taken = register(client, member.email.upper())

    assert (fresh.status_code, fresh["Location"]) == (taken.status_code, taken["Location"])
    fresh_page, taken_page = client.get(fresh["Location"]), client.get(taken["Location"])
    assert without_csrf(fresh_page.content.decode()) == without_csrf(taken_page.content.decode())
    assert "Check your inbox" in taken_page.content.decode()
    assert User.objects.filter(email__iexact=member.email).count() == 1
    member.refresh_from_db()
    assert member.display_name == "Mia Member" and member.check_password(DEFAULT_PASSWORD)
    owner_mail = mailoutbox[-1]
    assert owner_mail.to == [member.email] and "already has one" in owner_mail.body


def test_registering_queues_one_email_for_a_worker_whether_or_not_the_address_is_taken(
    client, member, task_queue, django_capture_on_commit_callbacks
):
    queued = []
    for email in ("someone.new@example.com", member.email):
        with django_capture_on_commit_callbacks(execute=True):
            register(client, email)
        # Only the emails: a new account's outbox also wakes the relay (its UserRegistered event).
        queued.append([(task.name, task.kwargs["to"]) for task in task_queue.take() if task.name == "core.send_email"])

    assert queued == [[("core.send_email", "someone.new@example.com")], [("core.send_email", member.email)]]


def test_register_refuses_passwords_that_differ(client, db, mailoutbox):
    response = register(client, "nina@example.com", password2="Something-Else-99")

    assert response.status_code == 200
    assert "The two passwords differ." in response.content.decode()
    assert not User.objects.exists() and mailoutbox == []


def test_register_checks_the_password_against_the_email_and_display_name(client, db):
    response = register(client, "quentin.blake@example.com", password="quentin.blake@example.com")

    assert response.status_code == 200
    assert "The password is too similar to the email address." in response.content.decode()
    assert not User.objects.exists()


def test_register_is_rate_limited_per_address(client, db, settings, mailoutbox, queued_work):
    settings.REGISTRATION_RATE_LIMIT = 1
    with queued_work():
        assert register(client, "first@example.com").status_code == 302
        response = register(client, "second@example.com")

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
    assert signed_in_id(client) == str(unverified.pk)


def test_the_emailed_link_of_a_new_registration_works(client, db, mailoutbox, queued_work):
    with queued_work():
        register(client, "nina@example.com")

    response = client.get(path_of_link(mailoutbox[0].body), follow=True)

    assert response.redirect_chain[0] == ("/dashboard/", 302)
    assert "Your email address is confirmed." in response.content.decode()
    assert User.objects.get(email="nina@example.com").email_verified


def test_a_used_verification_link_does_not_sign_in_again(client, unverified):
    path = f"/accounts/verify/{services.verification_token(unverified)}/"
    client.get(path)
    later = type(client)()

    response = later.get(path)

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert signed_in_id(later) is None


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
    assert not unverified.email_verified and signed_in_id(client) is None


def test_a_tampered_verification_link_is_refused(client, unverified):
    token = services.verification_token(unverified)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.get(f"/accounts/verify/{tampered}/")

    assert response.status_code == 400 and "This link is not valid." in response.content.decode()
    unverified.refresh_from_db()
    assert not unverified.email_verified and signed_in_id(client) is None


def test_verification_link_refuses_post(client, unverified):
    assert client.post(f"/accounts/verify/{services.verification_token(unverified)}/").status_code == 405


def test_resend_verification_mails_only_an_unconfirmed_account_and_answers_the_same(
    client, unverified, member, mailoutbox, queued_work
):
    with queued_work():
        pages = [
            client.post("/accounts/resend-verification/", {"email": email})
            for email in (unverified.email, member.email, "nobody@example.com")
        ]

    assert {page.status_code for page in pages} == {200}
    assert len({without_csrf(page.content.decode()) for page in pages}) == 1
    assert "if an account needs confirming" in pages[0].content.decode().lower()
    assert [mail.to for mail in mailoutbox] == [[unverified.email]]
    assert path_of_link(mailoutbox[0].body).startswith("/accounts/verify/")


def test_resend_verification_ignores_a_deactivated_account(client, db, mailoutbox, queued_work):
    inactive = UserFactory(email_verified_at=None, is_active=False)

    with queued_work():
        client.post("/accounts/resend-verification/", {"email": inactive.email})

    assert mailoutbox == []


def test_resend_verification_refuses_a_malformed_address(client, db, mailoutbox):
    response = client.post("/accounts/resend-verification/", {"email": "not-an-email"})

    assert response.status_code == 200 and "Enter a valid email address." in response.content.decode()
    assert mailoutbox == []
