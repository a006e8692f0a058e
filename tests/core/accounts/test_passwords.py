"""The account pages: registration, email confirmation, sign-in and out, profile and passwords."""

from __future__ import annotations

from tests.core.accounts.helpers import (
    NEW_PASSWORD,
    path_of_link,
    sign_in,
)
from tests.core.factories import DEFAULT_PASSWORD

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

    form = client.get(path_of_link(body), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )

    assert done.redirect_chain[-1][0] == "/accounts/reset/done/" and "Your password is set" in done.content.decode()
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD) and member.role_version == version + 1
    assert sign_in(client, member.email, NEW_PASSWORD).status_code == 302


def test_password_reset_answers_the_same_for_an_unknown_email(client, member, mailoutbox):
    known = client.post("/accounts/reset/", {"email": member.email})
    unknown = client.post("/accounts/reset/", {"email": "nobody@example.com"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [mail.to for mail in mailoutbox] == [[member.email]]


def test_a_used_password_reset_link_is_refused(client, member, mailoutbox):
    client.post("/accounts/reset/", {"email": member.email})
    path = path_of_link(mailoutbox[0].body)
    form = client.get(path, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(path, follow=True)

    assert "This link does not work" in again.content.decode()


def test_password_reset_refuses_passwords_that_differ(client, member, mailoutbox):
    client.post("/accounts/reset/", {"email": member.email})
    form = client.get(path_of_link(mailoutbox[0].body), follow=True)

    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": "Other-1234!"})

    assert response.status_code == 200 and "The two password fields didn’t match." in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(DEFAULT_PASSWORD)


def test_password_reset_is_rate_limited_per_address(client, member, settings, mailoutbox):
    settings.REGISTRATION_RATE_LIMIT = 1
    client.post("/accounts/reset/", {"email": member.email})

    response = client.post("/accounts/reset/", {"email": member.email})

    assert response.status_code == 429 and len(mailoutbox) == 1
