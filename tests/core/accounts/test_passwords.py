"""The account pages: registration, email confirmation, sign-in and out, profile and passwords."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.accounts import services
from tests.core.accounts.helpers import (
    NEW_PASSWORD,
    path_of_link,
    sign_in,
)
from tests.core.factories import DEFAULT_PASSWORD, UserFactory
from tests.core.platform.test_worker_smoke import wait_until

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


def test_password_reset_by_the_emailed_link_sets_a_new_password(client, member, mailoutbox, settings, queued_work):
    version = member.role_version

    with queued_work():
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


def test_password_reset_does_the_same_work_for_a_known_and_an_unknown_address(
    client, member, task_queue, django_capture_on_commit_callbacks
):
    answers, queries, queued = [], [], []
    for email in (member.email, "nobody@example.com"):
        with CaptureQueriesContext(connection) as ran, django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/reset/", {"email": email})
        answers.append((response.status_code, response["Location"], response.content))
        queries.append([query["sql"] for query in ran.captured_queries])
        queued.append(task_queue.take())

    assert answers[0] == answers[1] and answers[0][:2] == (302, "/accounts/reset/sent/")
    assert queries[0] == queries[1]  # the request does not look the address up
    assert [[(t.name, t.kwargs, t.queue) for t in tasks] for tasks in queued] == [
        [("core.password_reset_email", {"email": member.email}, "default")],
        [("core.password_reset_email", {"email": "nobody@example.com"}, "default")],
    ]


def test_the_worker_mails_a_reset_link_to_a_known_address_only(member, mailoutbox, task_queue, queued_work):
    UserFactory(email="no-password@example.com", password=None)
    UserFactory(email="gone@example.com", is_active=False)
    with queued_work():
        for email in (member.email.upper(), "nobody@example.com", "no-password@example.com", "gone@example.com"):
            services.password_reset_request(email=email)

    assert [mail.to for mail in mailoutbox] == [[member.email]]
    assert "/accounts/reset/" in path_of_link(mailoutbox[0].body)


def test_a_reset_email_leaves_from_a_real_worker(celery_worker, member, mailoutbox):
    services.password_reset_request(email=member.email)  # no transaction open: queued at once

    assert wait_until(lambda: len(mailoutbox) == 1)
    assert mailoutbox[0].to == [member.email] and "text/html" in [kind for _, kind in mailoutbox[0].alternatives]


def test_a_used_password_reset_link_is_refused(client, member, mailoutbox, queued_work):
    with queued_work():
        client.post("/accounts/reset/", {"email": member.email})
    path = path_of_link(mailoutbox[0].body)
    form = client.get(path, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(path, follow=True)

    assert "This link does not work" in again.content.decode()


def test_password_reset_refuses_passwords_that_differ(client, member, mailoutbox, queued_work):
    with queued_work():
        client.post("/accounts/reset/", {"email": member.email})
    form = client.get(path_of_link(mailoutbox[0].body), follow=True)

    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": "Other-1234!"})

    assert response.status_code == 200 and "The two password fields didn’t match." in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(DEFAULT_PASSWORD)


def test_password_reset_is_rate_limited_per_address(client, member, settings, mailoutbox, queued_work):
    settings.REGISTRATION_RATE_LIMIT = 1
    with queued_work():
        client.post("/accounts/reset/", {"email": member.email})
        response = client.post("/accounts/reset/", {"email": member.email})

    assert response.status_code == 429 and len(mailoutbox) == 1
