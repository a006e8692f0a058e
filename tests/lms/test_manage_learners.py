"""The course editor's learners: the course's enrolments with progress (flat queries), one
learner's drip-locked lessons, and an instructor opening one for them now or clearing that
override — the permission matrix and what the learner then may open."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.lms.models import Lesson, LessonOpening, LessonProgress
from tests.core.factories import UserFactory
from tests.lms.factories import enrol, lessons_of, make_course

pytestmark = pytest.mark.django_db

WHO = ("owner", "co_instructor", "other_instructor", "learner", "outsider", "admin", "anonymous")


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def expected(who: str) -> int:
    return {"anonymous": 302, "learner": 403, "outsider": 403, "other_instructor": 404}.get(who, 200)


@pytest.fixture
def dripped(course):
    """The course's last lesson opens a week after enrolment."""
    lesson = lessons_of(course)[-1]
    Lesson.objects.filter(pk=lesson.pk).update(opens_after_days=7)
    lesson.refresh_from_db()
    return lesson


@pytest.mark.parametrize("who", WHO)
def test_the_learners_pages_are_for_who_teaches_the_course(client_for, people, course, enrolment, who):
    client = client_for(people[who])
    assert client.get(f"/courses/manage/{course.pk}/learners/").status_code == expected(who)
    assert client.get(f"/courses/manage/{course.pk}/learners/{enrolment.pk}/").status_code == expected(who)


@pytest.mark.parametrize("who", WHO)
def test_only_who_teaches_the_course_opens_a_lesson_for_a_learner(client_for, people, course, enrolment, dripped, who):
    client = client_for(people[who])
    opened = client.post(f"/courses/manage/{course.pk}/learners/{enrolment.pk}/open/", {"lesson": dripped.pk})
    assert opened.status_code == (302 if expected(who) == 200 else expected(who))
    assert LessonOpening.objects.filter(enrolment=enrolment).exists() == (expected(who) == 200)
    LessonOpening.objects.get_or_create(enrolment=enrolment, lesson=dripped)
    cleared = client.post(f"/courses/manage/{course.pk}/learners/{enrolment.pk}/clear/", {"lesson": dripped.pk})
    assert cleared.status_code == (302 if expected(who) == 200 else expected(who))
    assert LessonOpening.objects.filter(enrolment=enrolment).exists() == (expected(who) != 200)


def test_the_list_shows_progress_last_seen_and_completion(client_for, instructor, course, enrolment):
    first = lessons_of(course)[0]
    LessonProgress.objects.create(enrolment=enrolment, lesson=first, completed_at=timezone.now())
    done = enrol(UserFactory(display_name="Finn Finished"), course, completed_at=timezone.now())
    for lesson in lessons_of(course):
        LessonProgress.objects.create(enrolment=done, lesson=lesson, completed_at=timezone.now())
    page = client_for(instructor).get(f"/courses/manage/{course.pk}/learners/").content.decode()
    assert "Lea Learner" in page and "33%" in page
    assert "Finn Finished" in page and "100%" in page
    assert "never" in page


def test_the_learners_page_costs_the_same_queries_for_more_learners(
    client_for, instructor, course, enrolment, django_assert_max_num_queries
):
    client = client_for(instructor)
    url = f"/courses/manage/{course.pk}/learners/"
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    for _ in range(12):
        learner = enrol(UserFactory(), course)
        LessonProgress.objects.create(enrolment=learner, lesson=lessons_of(course)[0], completed_at=timezone.now())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_an_instructor_opens_a_dripped_lesson_for_one_learner_and_clears_it(
    client_for, instructor, course, enrolment, dripped, learner, outsider
):
    other = enrol(outsider, course)
    teacher = client_for(instructor)
    student = client_for(learner)
    page = teacher.get(f"/courses/manage/{course.pk}/learners/{enrolment.pk}/").content.decode()
    assert dripped.title in page and "Open now for this learner" in page and "Opens on" in page
    assert student.get(dripped.get_absolute_url()).status_code == 403
    assert (
        teacher.post(f"/courses/manage/{course.pk}/learners/{enrolment.pk}/open/", {"lesson": dripped.pk}).status_code
        == 302
    )
    assert student.get(dripped.get_absolute_url()).status_code == 200
    assert client_for(outsider).get(dripped.get_absolute_url()).status_code == 403  # for that learner alone
    page = teacher.get(f"/courses/manage/{course.pk}/learners/{enrolment.pk}/").content.decode()
    assert "Clear override" in page and "Open now for this learner" not in page
    assert (
        teacher.post(f"/courses/manage/{course.pk}/learners/{enrolment.pk}/clear/", {"lesson": dripped.pk}).status_code
        == 302
    )
    assert student.get(dripped.get_absolute_url()).status_code == 403
    assert not LessonOpening.objects.filter(enrolment__in=[enrolment, other]).exists()


def test_a_lesson_or_learner_of_another_course_is_a_404(client_for, instructor, course, enrolment, dripped):
    other = make_course(owner=instructor)
    foreign = lessons_of(other)[0]
    stranger = enrol(UserFactory(), other)
    client = client_for(instructor)
    assert (
        client.post(f"/courses/manage/{course.pk}/learners/{enrolment.pk}/open/", {"lesson": foreign.pk}).status_code
        == 404
    )
    assert client.post(f"/courses/manage/{course.pk}/learners/{enrolment.pk}/open/", {"lesson": "x"}).status_code == 404
    assert client.get(f"/courses/manage/{course.pk}/learners/{stranger.pk}/").status_code == 404
    assert not LessonOpening.objects.exists()


def test_a_lesson_opening_on_a_date_shows_until_when(client_for, instructor, course, enrolment):
    lesson = lessons_of(course)[1]
    Lesson.objects.filter(pk=lesson.pk).update(opens_at=timezone.now() + timedelta(days=30))
    page = client_for(instructor).get(f"/courses/manage/{course.pk}/learners/{enrolment.pk}/").content.decode()
    assert lesson.title in page and "Locked" in page


def test_a_learners_drip_page_costs_the_same_queries_for_more_lessons(
    client_for, instructor, learner, django_assert_max_num_queries
):
    small = make_course(owner=instructor, lessons=2)
    big = make_course(owner=instructor, lessons=6, sections=3)
    client = client_for(instructor)
    pages = []
    for course in (small, big):
        Lesson.objects.filter(course=course).update(opens_after_days=5)
        enrolment = enrol(learner, course)
        for lesson in lessons_of(course)[:2]:
            LessonOpening.objects.create(enrolment=enrolment, lesson=lesson)
        pages.append(f"/courses/manage/{course.pk}/learners/{enrolment.pk}/")
    with django_assert_max_num_queries(20) as few:
        assert client.get(pages[0]).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(pages[1]).status_code == 200
