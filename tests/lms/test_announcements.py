"""Announcements: who teaches a course posts one (page and API), every active learner is told
once through the notification centre, its learners and teachers read them on the course's page;
who may not, bad input and a draft course change nothing; flat queries."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.core.models import Notification
from apps.core.platform import events
from apps.lms.models import Announcement, Enrolment
from apps.lms.services import announcements
from tests.lms.factories import enrol, make_course

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _page(course) -> str:
    return f"/courses/manage/{course.pk}/announcements/"


def _post(course, title="Kiln day moved", body="Firing is on Friday,\nnot Thursday.") -> Announcement:
    return announcements.announcement_post(actor=course.owner, course=course, title=title, body=body)


def test_every_active_learner_is_told_once_and_the_teachers_are_not(course, enrolment, learner, user_with_role):
    gone = enrol(user_with_role("student"), course)
    Enrolment.objects.filter(pk=gone.pk).update(revoked_at="2026-01-01T00:00:00Z")
    announcement = _post(course)

    events.deliver_pending()
    events.deliver_pending()  # a second delivery run sends nothing more

    told = Notification.objects.filter(kind="lms.announcement")
    assert list(told.values_list("recipient_id", flat=True)) == [learner.pk]
    assert told.get().target_url == f"/courses/{course.slug}/#announcements"
    assert Announcement.objects.get(pk=announcement.pk).sent_to == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("co_instructor", 200),
        ("admin", 200),
        ("other_instructor", 404),
        ("learner", 404),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_the_announcements_page_is_for_who_teaches_the_course(people, course, who, status):
    client = _client(people[who])
    assert client.get(_page(course)).status_code == status
    response = client.post(_page(course), {"title": "Hello", "body": "Welcome to the class."})
    assert response.status_code == (302 if status == 200 else status)
    assert Announcement.objects.filter(course=course).count() == (1 if status == 200 else 0)


def test_bad_input_is_a_form_error_and_posts_nothing(course, instructor):
    response = _client(instructor).post(_page(course), {"title": "  ", "body": "x" * 5001})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page and "at most 5000 characters" in page.lower()
    assert not Announcement.objects.exists()


def test_a_draft_course_has_no_learners_to_tell(instructor):
    draft = make_course(owner=instructor, live=False)
    response = _client(instructor).post(_page(draft), {"title": "Soon", "body": "Coming."})
    assert response.status_code == 400 and "Publish the course" in response.content.decode()
    with pytest.raises(PermissionDenied):
        announcements.announcement_post(actor=make_course().owner, course=draft, title="x", body="y")
    assert not Announcement.objects.exists()


def test_a_course_gets_at_most_ten_a_day(course):
    for n in range(announcements.ANNOUNCE_LIMIT):
        _post(course, title=f"Note {n}")
    with pytest.raises(ValidationError) as refused:
        _post(course, title="One too many")
    assert refused.value.code == "too_many"
    assert Announcement.objects.count() == announcements.ANNOUNCE_LIMIT


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("owner", True),
        ("co_instructor", True),
        ("admin", True),
        ("learner", True),
        ("other_instructor", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_the_course_page_shows_announcements_to_its_class_alone(people, course, who, shown):
    _post(course)
    page = _client(people[who]).get(course.get_absolute_url()).content.decode()
    assert ("Kiln day moved" in page) is shown
    assert ("Firing is on Friday,<br>not Thursday." in page) is shown
    assert ("Post an announcement" in page) is (shown and who != "learner")


def test_the_pages_read_the_same_however_many_announcements(
    course, instructor, learner, enrolment, django_assert_num_queries
):
    _post(course)
    client, student = _client(instructor), _client(learner)
    client.get(_page(course)), student.get(course.get_absolute_url())
    with CaptureQueriesContext(connection) as manage_one:
        client.get(_page(course))
    with CaptureQueriesContext(connection) as course_one:
        student.get(course.get_absolute_url())
    for n in range(4):
        _post(course, title=f"More {n}")
    with django_assert_num_queries(len(manage_one.captured_queries)):
        client.get(_page(course))
    with django_assert_num_queries(len(course_one.captured_queries)):
        student.get(course.get_absolute_url())
