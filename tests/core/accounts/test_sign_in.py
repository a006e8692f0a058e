"""The account pages: registration, email confirmation, sign-in and out, profile and passwords."""

from __future__ import annotations

import time

from tests.core.accounts.helpers import (
    HTMX,
    non_field_errors,
    path_of_link,
    sign_in,
    signed_in_id,
)
from tests.core.factories import DEFAULT_PASSWORD, UserFactory

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
    response = sign_in(client, member.email.upper())

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert signed_in_id(client) == str(member.pk)


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
    wrong = sign_in(client, member.email, "not-the-password")
    unknown = sign_in(client, "nobody@example.com", "not-the-password")

    assert wrong.status_code == unknown.status_code == 200
    errors = non_field_errors(wrong.content.decode())
    assert errors == non_field_errors(unknown.content.decode())
    assert "Enter a correct email and password." in errors
    assert signed_in_id(client) is None


def test_login_requires_both_fields(client, db):
    response = client.post("/accounts/login/", {"email": "", "password": ""})

    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") == 2


def test_htmx_login_gets_the_form_fragment_with_its_errors(client, member):
    response = sign_in(client, member.email, "not-the-password", headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="login-form"') and "<html" not in html
    assert "Enter a correct email and password." in html


def test_htmx_login_success_redirects_the_browser(client, member):
    response = sign_in(client, member.email, headers=HTMX)

    assert response.status_code == 200 and response["HX-Redirect"] == "/dashboard/"
    assert signed_in_id(client) == str(member.pk)


def test_an_unverified_account_is_not_signed_in_and_gets_a_new_link(client, unverified, mailoutbox, queued_work):
    with queued_work():
        response = sign_in(client, unverified.email)

    assert response.status_code == 200
    assert "Confirm your email address first: we have sent you a new link." in response.content.decode()
    assert signed_in_id(client) is None
    assert [mail.to for mail in mailoutbox] == [[unverified.email]]
    assert path_of_link(mailoutbox[0].body).startswith("/accounts/verify/")


def test_a_deactivated_account_gets_the_wrong_credentials_error(client, db):
    inactive = UserFactory(is_active=False)

    response = sign_in(client, inactive.email)

    assert "Enter a correct email and password." in response.content.decode()
    assert signed_in_id(client) is None


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, member, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 3
    for _ in range(3):
        assert sign_in(client, member.email, "not-the-password").status_code == 200

    response = sign_in(client, member.email)

    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in" in response.content.decode()
    assert signed_in_id(client) is None


def test_a_locked_out_htmx_sign_in_gets_the_fragment_with_the_message(client, member, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 1
    sign_in(client, member.email, "not-the-password")

    response = sign_in(client, member.email, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 429 and html.lstrip().startswith('<form id="login-form"')
    assert "Too many failed sign-in attempts." in html


def test_sign_in_works_again_after_the_lockout_window(client, member, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 2
    settings.LOGIN_LOCKOUT_WINDOW = 1
    for _ in range(2):
        sign_in(client, member.email, "not-the-password")
    assert sign_in(client, member.email).status_code == 429

    time.sleep(1.1)
    response = sign_in(client, member.email)

    assert response.status_code == 302 and signed_in_id(client) == str(member.pk)


def test_an_address_guessing_at_many_accounts_is_made_to_wait(client, member, settings):
    # Not locked out for the window (see test_lockout.py): a short wait, growing with each failure.
    settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 100
    settings.LOGIN_BACKOFF_AFTER = 3
    for n in range(3):
        sign_in(client, f"guess{n}@example.com", "not-the-password")

    locked = sign_in(client, member.email)
    elsewhere = sign_in(type(client)(), member.email, REMOTE_ADDR="10.0.0.2")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


def test_a_successful_sign_in_clears_the_account_failures(client, member, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 2
    sign_in(client, member.email, "not-the-password")
    sign_in(client, member.email)
    client.post("/accounts/logout/")

    sign_in(client, member.email, "not-the-password")
    response = sign_in(client, member.email)

    assert response.status_code == 302


# --- Sign out -----------------------------------------------------------------------------------


def test_sign_out_by_post_ends_the_session_and_goes_home(client, member):
    client.force_login(member)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_id(client) is None


def test_sign_out_by_get_is_refused(client, member):
    client.force_login(member)

    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in_id(client) == str(member.pk)
