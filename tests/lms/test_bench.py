"""The LMS's bench seed: a thirty-lesson course and the demo learner's session, once; the measured
pages answer as the bench expects (cached for visitors without cookies, fresh with one) and the
progress write is the learner's own, with flat queries."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from apps.lms import bench, demo
from apps.lms.models import Course, Enrolment, LessonProgress
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    UserFactory(email=demo.INSTRUCTOR_EMAIL, roles=["instructor"])
    UserFactory(email=demo.STUDENT_EMAIL, roles=["student"])
    return bench.seed()


def test_the_bench_seed_writes_one_thirty_lesson_course_and_enrols_the_learner_once(seeded):
    again = bench.seed()
    assert {name: again[name] for name in again if name != "progress_write_session"} == {
        name: seeded[name] for name in seeded if name != "progress_write_session"
    }
    course = Course.objects.get(slug=bench.SLUG)
    assert course.live and course.lessons.filter(live=True).count() == 30 and course.sections.count() == 5
    assert Enrolment.objects.filter(course=course, user__email=demo.STUDENT_EMAIL).count() == 1
    assert seeded["course_page"] == "/courses/bench-course/"


def test_the_measured_pages_are_cached_for_visitors_without_cookies(seeded):
    for page in (seeded["course_page"], seeded["lesson_page"]):
        client = Client()
        assert [client.get(page)["X-Page-Cache"] for _ in range(2)] == ["miss", "hit"]
        with_cookie = Client().get(page, headers={"Cookie": "bench=1"})
        assert with_cookie.status_code == 200 and with_cookie["X-Page-Cache"] == "bypass"


def test_the_progress_write_is_the_learners_own_with_flat_queries(seeded, django_assert_num_queries):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = seeded["progress_write_session"]
    form = seeded["progress_write_form"]
    kind = "application/x-www-form-urlencoded"
    first = client.post(seeded["progress_write"], form, content_type=kind, headers={"HX-Request": "true"})
    assert first.status_code == 200 and first.json() == {"completed": False}
    # The session's user (its roles are cached by role version), the enrolment, the one UPDATE
    # (course and lesson are cached, and the enrolment's "last seen" is fresh).
    with django_assert_num_queries(3):
        again = client.post(seeded["progress_write"], form, content_type=kind, headers={"HX-Request": "true"})
    assert again.status_code == 200
    row = LessonProgress.objects.get(enrolment__user__email=demo.STUDENT_EMAIL)
    assert (row.position_seconds, row.watched_percent, row.completed_at) == (42, 40, None)
