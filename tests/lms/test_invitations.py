"""Invitations: an instructor invites people into a course by email (the page and the API); an
account is enrolled at once and told, an unknown address gets a signed link that enrols whoever
signs in with it, once, before it expires. Paid courses too (no payment: the instructor's gift)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.core.notifications.models import Notification
from apps.lms.models import Enrolment, Invitation
from apps.lms.services import invitations
from tests.core.factories import UserFactory
from tests.lms.factories import lessons_of, paid_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """``with sent() as emails:``: the emails queued (``mail.send_later``) in the block, as the
    keyword arguments of their send task (the worker's part is core's, tested there)."""
    from contextlib import contextmanager

    @contextmanager
    def capture():  # type: ignore[no-untyped-def]
        emails: list[dict] = []
        with django_capture_on_commit_callbacks() as callbacks:
            yield emails
        emails += [c.keywords for c in callbacks if getattr(c, "args", None) and c.args[0].name == "core.send_email"]

    return capture


def _link(email: dict) -> str:
    return re.search(r"https?://\S+(/courses/mine/invitations/\S+/)", email["body"]).group(1)


def _page(course) -> str:  # type: ignore[no-untyped-def]
    return reverse("lms:invitations", args=[course.pk])


def test_an_account_is_enrolled_at_once_and_told_through_the_notification_centre(instructor, course, outsider):
    done = invitations.invitations_send(actor=instructor, course=course, emails=outsider.email.upper())
    assert done.enrolled == [outsider.email.lower()] and not done.emailed
    enrolment = Enrolment.objects.get(user=outsider, course=course)
    assert (enrolment.source, enrolment.is_active) == ("invitation", True)
    note = Notification.objects.get(recipient=outsider, kind="lms.invited")
    assert note.target_url == course.get_absolute_url() and note.target_label == course.title
    again = invitations.invitations_send(actor=instructor, course=course, emails=[outsider.email])
    assert again.already == [outsider.email.lower()]
    assert Enrolment.objects.filter(user=outsider).count() == 1


def test_a_paid_course_is_given_without_payment(instructor, outsider, client_for):
    course = paid_course(owner=instructor)
    invitations.invitations_send(actor=instructor, course=course, emails=[outsider.email])
    assert client_for(outsider).get(lessons_of(course)[0].get_absolute_url()).status_code == 200


def test_an_unknown_address_gets_a_link_that_enrols_who_signs_in_once(instructor, course, client, client_for, sent):
    with sent() as emails:
        done = invitations.invitations_send(actor=instructor, course=course, emails="newcomer@example.com")
    assert done.emailed == ["newcomer@example.com"]
    (message,) = emails
    assert message["to"] == "newcomer@example.com" and course.title in message["subject"]
    link = _link(message)

    response = client.get(link)  # signed out: sign in (or up) first, then back here
    assert response.status_code == 302 and reverse("login") in response.url and "next=" in response.url

    newcomer = UserFactory(email="newcomer@example.com")
    browser = client_for(newcomer)
    assert "Accept my place" in browser.get(link).content.decode()
    assert browser.post(link).status_code == 302
    enrolment = Enrolment.objects.get(user=newcomer, course=course)
    assert enrolment.source == "invitation"
    invitation = Invitation.objects.get(email="newcomer@example.com")
    assert invitation.accepted_by == newcomer

    someone = UserFactory()
    response = client_for(someone).post(link, follow=True)  # used once
    assert "already used" in response.content.decode()
    assert not Enrolment.objects.filter(user=someone).exists()


def test_an_expired_link_enrols_nobody(instructor, course, client_for, sent):
    with sent() as emails:
        invitations.invitations_send(actor=instructor, course=course, emails="late@example.com")
    link = _link(emails[0])
    late = UserFactory(email="late@example.com")
    with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
        response = client_for(late).post(link)
    assert response.status_code in (302, 404)
    assert not Enrolment.objects.filter(user=late).exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.parametrize("token", ["nope", "x" * 300, "eyJpIjoxfQ:forged:sig"])
def test_a_bad_link_is_a_404_page(client_for, outsider, token):
    response = client_for(outsider).post(reverse("lms:invitation", args=[token]))
    assert response.status_code == 404 and "does not work" in response.content.decode()
    assert not Enrolment.objects.filter(user=outsider).exists()


def test_an_invitation_into_a_course_already_taken_changes_nothing(instructor, course, learner, enrolment):
    Invitation.objects.create(
        course=course, email="x@example.com", invited_by=instructor, expires_at=timezone.now() + timedelta(days=1)
    )
    invitation = Invitation.objects.get()
    with pytest.raises(ValidationError, match="already enrolled"):
        invitations.invitation_accept(user=learner, invitation=invitation)
    assert Invitation.objects.get().accepted_at is None  # still usable by whom it was meant for


@pytest.mark.parametrize(
    "emails",
    [
        "",
        "   ",
        "not-an-address",
        "ok@example.com, broken@",
        [1, 2],
        {"a": 1},
        ",".join(f"u{n}@x.io" for n in range(51)),
    ],
)
def test_bad_addresses_refuse_the_lot_and_change_nothing(instructor, course, emails, sent):
    with sent() as queued, pytest.raises(ValidationError) as refused:
        invitations.invitations_send(actor=instructor, course=course, emails=emails)
    assert "emails" in refused.value.message_dict
    assert not Invitation.objects.exists() and not queued


# --- The page's permission matrix ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("co_instructor", 200),
        ("other_instructor", 404),
        ("learner", 404),
        ("outsider", 404),
        ("admin", 200),
        ("anonymous", 302),
    ],
)
def test_who_sees_the_invitations_page(people, course, client_for, who, status):
    assert client_for(people[who]).get(_page(course)).status_code == status


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("owner", True),
        ("co_instructor", True),
        ("other_instructor", False),
        ("learner", False),
        ("outsider", False),
        ("admin", True),
        ("anonymous", False),
    ],
)
def test_who_invites_through_the_page(people, course, client_for, who, allowed):
    response = client_for(people[who]).post(_page(course), {"emails": "friend@example.com"})
    assert Invitation.objects.exists() is allowed
    assert response.status_code == 302 if allowed or who == "anonymous" else response.status_code == 404


def test_the_page_lists_invitations_and_says_what_was_done(instructor, course, client_for, outsider):
    client = client_for(instructor)
    response = client.post(_page(course), {"emails": f"{outsider.email}\nfresh@example.com"}, follow=True)
    page = response.content.decode()
    assert "1 given a place now" in page and "1 sent a link by email" in page
    assert "fresh@example.com" in page and "Link sent" in page and "Enrolled" in page


def test_the_page_shows_bad_input_as_a_form_error(instructor, course, client_for):
    response = client_for(instructor).post(_page(course), {"emails": "nobody-at-all"})
    assert response.status_code == 422 and "Not email addresses" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_page_is_get_and_post_only(instructor, course, client_for):
    assert client_for(instructor).delete(_page(course)).status_code == 405


def test_the_page_costs_the_same_queries_with_more_invitations(
    instructor, course, client_for, django_assert_max_num_queries
):
    client = client_for(instructor)
    invitations.invitations_send(actor=instructor, course=course, emails="a@example.com")
    with django_assert_max_num_queries(12) as few:
        client.get(_page(course))
    invitations.invitations_send(actor=instructor, course=course, emails=[f"p{n}@example.com" for n in range(20)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_page(course))


def test_the_service_refuses_who_does_not_teach(other_instructor, course):
    with pytest.raises(PermissionDenied):
        invitations.invitations_send(actor=other_instructor, course=course, emails="a@example.com")
    assert not Invitation.objects.exists()


def test_the_instructors_home_links_each_course_to_its_invitations(instructor, course, client_for):
    page = client_for(instructor).get("/dashboard/instructor/").content.decode()
    assert _page(course) in page
