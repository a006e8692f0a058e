"""Enrolment, access rules (drip, prerequisites, cohorts, openings) and progress, with a frozen
clock where dates matter."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core.platform import events
from apps.lms import permissions, selectors
from apps.lms.models import Cohort, Enrolment, Lesson, LessonProgress
from apps.lms.services import learning
from tests.lms.factories import enrol, lessons_of, make_cohort, make_course

pytestmark = pytest.mark.django_db


def _activity(name: str) -> list[dict]:
    events.deliver_pending()  # the outbox's relay, as the worker runs it
    return list(events.activity_query(name=name))


def _locks(course, enrolment, **kwargs):
    lessons = lessons_of(course)
    return lessons, selectors.locks(lessons, selectors.learner_state(enrolment), **kwargs)


# --- Enrolment ----------------------------------------------------------------------------------


def test_a_learner_enrols_in_a_free_course_once(learner, course):
    enrolment = learning.course_enrol(user=learner, course=course)
    assert enrolment.is_active and enrolment.source == Enrolment.Source.FREE
    with pytest.raises(ValidationError, match="already enrolled"):
        learning.course_enrol(user=learner, course=course)
    assert Enrolment.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("signed_out", "Sign in to enrol"),
        ("draft", "not open for enrolment"),
        ("paid", "sold in the shop"),
        ("prerequisite", "Complete “Basics” first"),
    ],
)
def test_enrolment_is_refused_with_the_reason_and_nothing_changes(case, message, learner, instructor):
    from django.contrib.auth.models import AnonymousUser

    course = make_course(owner=instructor, live=case != "draft", price="30" if case == "paid" else None)
    if case == "prerequisite":
        course.prerequisite = make_course(owner=instructor, title="Basics")
        course.save()
    user = AnonymousUser() if case == "signed_out" else learner
    with pytest.raises(ValidationError, match=message):
        learning.course_enrol(user=user, course=course)
    assert not Enrolment.objects.filter(course=course).exists()


def test_a_completed_prerequisite_lets_the_learner_in(learner, instructor):
    basics = make_course(owner=instructor, title="Basics")
    enrol(learner, basics, completed_at=timezone.now())
    course = make_course(owner=instructor, prerequisite=basics)
    assert learning.course_enrol(user=learner, course=course).is_active


def test_a_cohort_seat_is_taken_and_a_full_cohort_refuses(learner, outsider, course):
    cohort = make_cohort(course, seats=1)
    learning.course_enrol(user=learner, course=course, cohort=cohort)
    with pytest.raises(ValidationError, match="This cohort is full"):
        learning.course_enrol(user=outsider, course=course, cohort=cohort)
    cohort.refresh_from_db()
    assert cohort.seats_taken == 1 and not Enrolment.objects.filter(user=outsider).exists()


def test_the_database_refuses_more_seats_taken_than_there_are(course):
    from django.db import IntegrityError, transaction

    cohort = make_cohort(course, seats=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Cohort.objects.filter(pk=cohort.pk).update(seats_taken=3)


def test_an_ended_cohort_refuses_new_learners(learner, course):
    cohort = make_cohort(
        course, starts_on=timezone.localdate() - timedelta(days=30), ends_on=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="This cohort has ended"):
        learning.course_enrol(user=learner, course=course, cohort=cohort)


def test_revoking_keeps_progress_gives_the_seat_back_and_enrolling_again_restores_it(learner, course):
    cohort = make_cohort(course, seats=3)
    enrolment = learning.course_enrol(user=learner, course=course, cohort=cohort)
    first = lessons_of(course)[0]
    learning.lesson_complete(user=learner, enrolment=enrolment, lesson=first)
    learning.enrolment_revoke(enrolment=enrolment, reason="refunded")
    learning.enrolment_revoke(enrolment=enrolment, reason="refunded")  # twice: one seat back, one event
    cohort.refresh_from_db()
    assert cohort.seats_taken == 0 and len(_activity("lms.learner_unenrolled")) == 1
    with pytest.raises(PermissionDenied):
        learning.lesson_complete(
            user=learner, enrolment=Enrolment.objects.get(pk=enrolment.pk), lesson=lessons_of(course)[1]
        )
    again = learning.course_enrol(user=learner, course=course)
    assert again.pk == enrolment.pk and again.is_active
    assert selectors.learner_state(again).completed == {first.pk}


def test_enrolling_is_an_activity_event(learner, course):
    enrolment = learning.course_enrol(user=learner, course=course)
    [event] = _activity("lms.learner_enrolled")
    assert event["payload"]["enrolment_id"] == enrolment.pk and event["payload"]["source"] == "free"


# --- Access rules -------------------------------------------------------------------------------


def test_without_rules_every_live_lesson_is_open_to_an_enrolled_learner(course, enrolment):
    lessons, locks = _locks(course, enrolment)
    assert all(locks[lesson.pk] is None for lesson in lessons)


def test_a_learner_not_enrolled_is_told_to_enrol(course):
    lessons, locks = _locks(course, None)
    assert locks[lessons[0].pk].reason == "Enrol in this course to open this lesson."


@time_machine.travel("2026-03-01 09:00:00", tick=False)
def test_drip_by_days_after_enrolment_opens_on_its_day_and_says_when(course, learner):
    enrolment = enrol(learner, course, enrolled_at=timezone.now())
    lesson = lessons_of(course)[1]
    Lesson.objects.filter(pk=lesson.pk).update(opens_after_days=7)
    lessons, locks = _locks(course, enrolment)
    assert locks[lesson.pk].reason.startswith("Opens on 8 March 2026")
    with time_machine.travel("2026-03-08 09:00:01", tick=False):
        assert _locks(course, enrolment)[1][lesson.pk] is None


@time_machine.travel("2026-03-01 09:00:00", tick=False)
def test_drip_by_date_and_by_days_waits_for_the_later(course, learner):
    enrolment = enrol(learner, course, enrolled_at=timezone.now())
    lesson = lessons_of(course)[0]
    Lesson.objects.filter(pk=lesson.pk).update(opens_after_days=2, opens_at=timezone.now() + timedelta(days=5))
    with time_machine.travel("2026-03-04 09:00:00", tick=False):
        assert _locks(course, enrolment)[1][lesson.pk] is not None
    with time_machine.travel("2026-03-06 09:00:01", tick=False):
        assert _locks(course, enrolment)[1][lesson.pk] is None


@time_machine.travel("2026-03-01 09:00:00", tick=False)
def test_an_instructors_opening_overrides_the_drip_for_one_learner(course, learner, outsider, instructor):
    mine = enrol(learner, course)
    theirs = enrol(outsider, course)
    lesson = lessons_of(course)[2]
    Lesson.objects.filter(pk=lesson.pk).update(opens_after_days=30)
    lesson.refresh_from_db()
    learning.lesson_open_for(actor=instructor, enrolment=mine, lesson=lesson)
    assert _locks(course, mine)[1][lesson.pk] is None
    assert _locks(course, theirs)[1][lesson.pk] is not None
    assert _activity("lms.lesson_opened")[0]["payload"]["user_id"] == learner.pk
    learning.lesson_opening_clear(actor=instructor, enrolment=mine, lesson=lesson)
    assert _locks(course, mine)[1][lesson.pk] is not None


def test_only_who_teaches_the_course_opens_lessons(course, enrolment, other_instructor, learner):
    lesson = lessons_of(course)[0]
    for actor in (other_instructor, learner):
        with pytest.raises(PermissionDenied):
            learning.lesson_open_for(actor=actor, enrolment=enrolment, lesson=lesson)


def test_a_prerequisite_lesson_must_be_completed_first(course, enrolment, learner):
    first, second, _ = lessons_of(course)
    Lesson.objects.filter(pk=second.pk).update(prerequisite=first)
    second.refresh_from_db()
    assert _locks(course, enrolment)[1][second.pk].reason == "Complete “Lesson 1.1” first."
    with pytest.raises(ValidationError, match="Complete “Lesson 1.1” first"):
        learning.lesson_complete(user=learner, enrolment=enrolment, lesson=second)
    learning.lesson_complete(user=learner, enrolment=enrolment, lesson=first)
    assert _locks(course, enrolment)[1][second.pk] is None


@time_machine.travel("2026-03-01 09:00:00", tick=False)
def test_a_cohort_that_has_not_started_keeps_its_lessons_closed(course, learner):
    cohort = make_cohort(course, starts_on=timezone.localdate() + timedelta(days=3))
    enrolment = learning.course_enrol(user=learner, course=course, cohort=cohort)
    lessons, locks = _locks(course, enrolment)
    assert locks[lessons[0].pk].reason == "Your cohort starts on 4 March 2026."
    with time_machine.travel("2026-03-04 00:00:01", tick=False):
        assert _locks(course, enrolment)[1][lessons[0].pk] is None


def test_a_free_preview_is_open_to_anyone_and_a_draft_only_to_its_teachers(
    course, instructor, co_instructor, other_instructor, outsider
):
    first, second, _ = lessons_of(course)
    first.is_preview = True
    second.live = False
    for user in (None, outsider, other_instructor):
        assert permissions.can_view_lesson(user, first, lock=None, enrolment=None)
        assert not permissions.can_view_lesson(user, second, lock=None, enrolment=None)
    for user in (instructor, co_instructor):
        assert permissions.can_view_lesson(user, second, lock=None, enrolment=None)


# --- Progress -----------------------------------------------------------------------------------


def test_watching_most_of_a_video_completes_its_lesson_once(instructor, learner):
    course = make_course(owner=instructor, kind=Lesson.Kind.VIDEO, lessons=2)
    enrolment = enrol(learner, course)
    video = lessons_of(course)[0]
    assert learning.lesson_progress_record(
        user=learner, enrolment=enrolment, lesson=video, position_seconds=30, watched_percent=40
    ) == learning.Progressed(completed=False, just_completed=False)
    row = LessonProgress.objects.get(enrolment=enrolment, lesson=video)
    assert (row.position_seconds, row.watched_percent, row.completed_at) == (30, 40, None)
    learning.lesson_progress_record(
        user=learner, enrolment=enrolment, lesson=video, position_seconds=10, watched_percent=20
    )
    row.refresh_from_db()
    assert (row.position_seconds, row.watched_percent) == (10, 40)  # watched only grows
    assert learning.lesson_progress_record(
        user=learner, enrolment=enrolment, lesson=video, position_seconds=95, watched_percent=91
    ) == learning.Progressed(completed=True, just_completed=True)
    assert learning.lesson_progress_record(
        user=learner, enrolment=enrolment, lesson=video, position_seconds=99, watched_percent=99
    ) == learning.Progressed(completed=True, just_completed=False)
    row.refresh_from_db()
    assert (row.position_seconds, row.watched_percent) == (99, 99)  # a completed lesson keeps its place
    assert len(_activity("lms.lesson_completed")) == 1
    enrolment.refresh_from_db()
    assert enrolment.last_lesson_id == video.pk and enrolment.last_seen_at is not None


def test_completing_every_live_lesson_completes_the_course(course, enrolment, learner):
    first, second, third = lessons_of(course)
    Lesson.objects.filter(pk=third.pk).update(live=False)  # a draft does not count
    learning.lesson_complete(user=learner, enrolment=enrolment, lesson=first)
    assert learning.lesson_complete(user=learner, enrolment=enrolment, lesson=second).completed_at is not None
    learning.lesson_complete(user=learner, enrolment=enrolment, lesson=second)
    assert len(_activity("lms.course_completed")) == 1 and len(_activity("lms.lesson_completed")) == 2


def test_bad_progress_is_refused_and_someone_elses_enrolment_too(course, enrolment, learner, outsider):
    lesson = lessons_of(course)[0]
    with pytest.raises(ValidationError, match="position in seconds"):
        learning.lesson_progress_record(user=learner, enrolment=enrolment, lesson=lesson, position_seconds="soon")
    with pytest.raises(PermissionDenied):
        learning.lesson_progress_record(user=outsider, enrolment=enrolment, lesson=lesson, position_seconds=3)
    assert not LessonProgress.objects.exists()


def test_progress_in_a_lesson_of_another_course_is_refused(course, enrolment, learner, instructor):
    elsewhere = lessons_of(make_course(owner=instructor))[0]
    with pytest.raises(ValidationError, match="not open"):
        learning.lesson_complete(user=learner, enrolment=enrolment, lesson=elsewhere)


def test_my_learning_shows_progress_and_continue_leads_to_the_next_open_lesson(course, enrolment, learner):
    first, second, third = lessons_of(course)
    learning.lesson_complete(user=learner, enrolment=enrolment, lesson=first)
    [row] = selectors.my_learning(learner)
    assert (row.progress.done, row.progress.total, row.progress.percent) == (1, 3, 33)
    lessons = lessons_of(course)
    state = selectors.learner_state(Enrolment.objects.get(pk=enrolment.pk))
    assert selectors.next_lesson(lessons, state, selectors.locks(lessons, state)) == second


def test_my_learning_costs_one_query_however_many_courses(learner, instructor, django_assert_num_queries):
    for _ in range(4):
        enrol(learner, make_course(owner=instructor))
    with django_assert_num_queries(1):
        rows = selectors.my_learning(learner)
    assert len(rows) == 4
