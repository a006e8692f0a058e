"""What the LMS keeps rendered (apps/lms/fragments.py, the selectors' cached course, outline and
lessons): shared only with readers who neither teach nor are enrolled, never stale after a write,
and a visitor's landing page and free preview cost no query once warm."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.lms.models import Lesson
from apps.lms.services import courses as services
from apps.lms.services import learning
from tests.lms.factories import enrol, lessons_of

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _preview(course) -> Lesson:
    lesson = lessons_of(course)[0]
    Lesson.objects.filter(pk=lesson.pk).update(is_preview=True)
    services.forget_course_pages()
    return lesson


def test_a_visitors_landing_page_and_free_preview_cost_no_query_once_warm(course, django_assert_num_queries):
    lesson = _preview(course)
    visitor = Client()
    for path in (course.get_absolute_url(), lesson.get_absolute_url()):
        assert visitor.get(path, headers={"Cookie": "bench=1"}).status_code == 200
        with django_assert_num_queries(0):
            page = visitor.get(path, headers={"Cookie": "bench=1"})  # a cookie: past the page cache
        assert page.status_code == 200 and page["X-Page-Cache"] == "bypass"


def test_an_edit_shows_at_once_on_the_shared_pages(course, instructor, outsider):
    lesson = _preview(course)
    reader = _client(outsider)
    assert "Part 1" in reader.get(course.get_absolute_url()).content.decode()
    section = course.sections.get()
    services.section_rename(actor=instructor, section=section, title="Throwing basics")
    services.lesson_update(
        actor=instructor,
        lesson=lesson,
        based_on=lesson.latest_revision,
        data=services.LessonInput(title="Welcome, potters", body=[{"type": "rich_text", "html": "<p>New words.</p>"}]),
    )
    services.lesson_publish(actor=instructor, lesson=Lesson.objects.get(pk=lesson.pk))
    landing = reader.get(course.get_absolute_url()).content.decode()
    assert "Throwing basics" in landing and "Part 1" not in landing and "Welcome, potters" in landing
    assert "New words." in reader.get(lesson.get_absolute_url()).content.decode()


def test_learners_and_teachers_get_their_own_pages_not_the_shared_ones(course, learner, instructor, outsider):
    lesson = _preview(course)
    enrolment = enrol(learner, course)
    learning.lesson_complete(user=learner, enrolment=enrolment, lesson=lesson)
    draft = lessons_of(course)[2]
    Lesson.objects.filter(pk=draft.pk).update(live=False)
    services.forget_course_pages()
    shared = _client(outsider).get(course.get_absolute_url()).content.decode()  # warms the shared copy
    assert "Your progress" not in shared and draft.title not in shared
    mine = _client(learner).get(course.get_absolute_url()).content.decode()
    assert "Your progress" in mine and "Done:" in mine
    taught = _client(instructor).get(course.get_absolute_url()).content.decode()
    assert draft.title in taught and "· draft" in taught
    assert "Mark as done" not in _client(outsider).get(lesson.get_absolute_url()).content.decode()
    assert "Done" in _client(learner).get(lesson.get_absolute_url()).content.decode()


def test_a_heartbeat_in_the_same_lesson_leaves_the_enrolment_alone_for_a_minute(course, learner):
    lesson = lessons_of(course)[0]
    enrolment = enrol(learner, course)
    learning.lesson_progress_record(user=learner, enrolment=enrolment, lesson=lesson, position_seconds=5)
    enrolment.refresh_from_db()
    first = enrolment.last_seen_at
    learning.lesson_progress_record(user=learner, enrolment=enrolment, lesson=lesson, position_seconds=9)
    enrolment.refresh_from_db()
    assert enrolment.last_seen_at == first and enrolment.progress.get().position_seconds == 9
    other = lessons_of(course)[1]
    learning.lesson_progress_record(user=learner, enrolment=enrolment, lesson=other, position_seconds=1)
    enrolment.refresh_from_db()
    assert enrolment.last_lesson_id == other.pk and enrolment.last_seen_at > first


def test_a_cached_course_keeps_no_teachers_password_hash(course, co_instructor):
    import pickle

    from apps.lms import selectors

    found = selectors.course_get_for_user(user=None, slug=course.slug)
    kept = pickle.dumps(found)
    for person in (course.owner, co_instructor):
        assert person.password and person.password.encode() not in kept
    assert "password" in found.owner.get_deferred_fields()
    assert all("password" in grant.user.get_deferred_fields() for grant in found.co_instructors.all())
