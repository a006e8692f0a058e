"""The instructor's home (/dashboard/instructor/): their courses and enrolments, completion by
lesson, learners away for a week with a one-click nudge, and the newest questions; who sees what,
what a nudge does and refuses, and flat query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from apps.core.comments import services as comments
from apps.core.notifications.models import Notification
from apps.lms import panels
from apps.lms.models import Enrolment
from apps.lms.services import learning
from tests.lms.factories import enrol, lessons_of, make_course

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def away(course, user_with_role):
    """A learner who enrolled ten days ago, did one lesson then, and has not been back."""
    learner = user_with_role("student", display_name="Al Away")
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        enrolment = enrol(learner, course)
        learning.lesson_complete(user=learner, enrolment=enrolment, lesson=lessons_of(course)[0])
    return Enrolment.objects.get(pk=enrolment.pk)


def test_the_instructors_home_shows_their_courses_funnel_learners_away_and_questions(course, instructor, away, admin):
    learner = away.user
    newcomer = make_course(owner=instructor, title="Raku firing")
    question = comments.comment_create(author=learner, target=lessons_of(course)[0], body="Can I fire at home?")
    comments.comment_approve(comment=question, moderator=admin)
    page = _client(instructor).get("/dashboard/instructor/").content.decode()
    for text in ("Your courses", "Pottery for beginners", "Raku firing", "Completion by lesson", "Lesson 1.1"):
        assert text in page
    assert "Learners away for a week" in page and "Al Away" in page and "last seen 1" in page
    assert "Can I fire at home?" in page and "not answered" in page
    assert newcomer.title in page


def test_an_instructor_sees_only_what_they_teach(course, other_instructor, away):
    page = _client(other_instructor).get("/dashboard/instructor/").content.decode()
    assert "Pottery for beginners" not in page and "Al Away" not in page
    assert panels.at_risk(other_instructor) == []


def test_a_learner_who_came_back_or_finished_is_not_at_risk(course, instructor, away):
    assert panels.at_risk(instructor) == [away]
    learning.lesson_progress_record(user=away.user, enrolment=away, lesson=lessons_of(course)[1], position_seconds=3)
    assert panels.at_risk(instructor) == []


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("co_instructor", 200), ("admin", 200), ("other_instructor", 404), ("outsider", 404)],
)
def test_who_nudges_a_learner(people, away, who, status):
    response = _client(people[who]).post(f"/courses/manage/enrolments/{away.pk}/nudge/", headers={"HX-Request": "true"})
    assert response.status_code == status
    sent = Notification.objects.filter(recipient=away.user, kind="lms.nudge")
    assert sent.count() == (1 if status == 200 else 0)
    if status == 200:
        assert "was reminded of Pottery for beginners" in response.content.decode()
        assert sent.get().target_url == f"/courses/{away.course.slug}/continue/"


def test_a_nudge_once_a_day_and_never_to_who_finished(course, instructor, away, people):
    client = _client(instructor)
    url = f"/courses/manage/enrolments/{away.pk}/nudge/"
    assert client.post(url, headers={"HX-Request": "true"}).status_code == 200
    again = client.post(url, headers={"HX-Request": "true"})
    assert again.status_code == 409 and "in the last day already" in again.content.decode()
    assert Notification.objects.filter(kind="lms.nudge").count() == 1
    assert _client().post(url).status_code == 302  # anonymous: to sign in
    assert client.get(url).status_code == 405
    assert client.post("/courses/manage/enrolments/999999999/nudge/").status_code == 404
    Enrolment.objects.filter(pk=away.pk).update(completed_at=timezone.now())
    redirected = client.post(f"/courses/manage/enrolments/{away.pk}/nudge/", follow=True)
    assert "no longer taking the course" in redirected.content.decode() or redirected.status_code == 200


def test_the_home_costs_the_same_however_many_courses_and_learners(
    instructor, user_with_role, django_assert_max_num_queries
):
    client = _client(instructor)
    make_course(owner=instructor, lessons=2)
    client.get("/dashboard/instructor/")
    with django_assert_max_num_queries(60) as few:
        client.get("/dashboard/instructor/")
    for n in range(4):
        course = make_course(owner=instructor, lessons=4, sections=2)
        for m in range(3):
            enrol(user_with_role("student", display_name=f"Learner {n}-{m}"), course)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/dashboard/instructor/").status_code == 200
