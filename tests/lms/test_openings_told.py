"""Learners hear of drip lessons as they open (beat runs ``openings_tell`` through the LMS's
hook): once each, at the right time by a frozen clock, an instructor's opening included, never
twice when two runs overlap; and beat's schedule takes the apps' periodic tasks."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from celery.beat import Scheduler
from django.utils import timezone

from apps.core.notifications.models import Notification
from apps.core.platform import registry
from apps.lms.models import Enrolment, Lesson
from apps.lms.services import learning
from config.celery import add_apps_periodic_tasks
from config.celery import app as celery_app
from tests.lms.factories import enrol, lessons_of

pytestmark = pytest.mark.django_db


def _told(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="lms.lesson_opened"))


def test_a_lesson_opening_days_after_enrolment_is_told_once_when_it_opens(course, learner):
    second, third = lessons_of(course)[1:]
    Lesson.objects.filter(pk=second.pk).update(opens_after_days=2)
    start = timezone.now()
    enrol(learner, course, enrolled_at=start)
    with time_machine.travel(start + timedelta(days=1)):
        assert learning.openings_tell() == 0
    with time_machine.travel(start + timedelta(days=2, minutes=5)):
        assert learning.openings_tell() == 1
        assert learning.openings_tell() == 0
    (notice,) = _told(learner)
    assert notice.target_url == second.get_absolute_url() and notice.target_label == course.title
    Lesson.objects.filter(pk=third.pk).update(opens_at=start + timedelta(days=3))
    with time_machine.travel(start + timedelta(days=3, minutes=1)):
        assert learning.openings_tell() == 1
    assert Notification.objects.get(recipient=learner, kind="lms.lesson_opened").count == 2  # grouped per course


def test_an_instructors_opening_is_told_and_nothing_for_ended_or_finished_places(course, learner, outsider, instructor):
    second = lessons_of(course)[1]
    Lesson.objects.filter(pk=second.pk).update(opens_after_days=30)
    second.refresh_from_db()
    mine = enrol(learner, course)
    gone = enrol(outsider, course, revoked_at=timezone.now())
    learning.lesson_open_for(actor=instructor, enrolment=mine, lesson=second)
    learning.lesson_open_for(actor=instructor, enrolment=gone, lesson=second)
    assert learning.openings_tell() == 1
    assert len(_told(learner)) == 1 and not _told(outsider)


def test_two_overlapping_runs_tell_a_learner_once(course, learner):
    Lesson.objects.filter(pk=lessons_of(course)[1].pk).update(opens_after_days=1)
    start = timezone.now()
    enrolment = enrol(learner, course, enrolled_at=start)
    stale = Enrolment.objects.get(pk=enrolment.pk)  # what a second run read before the first claimed it
    with time_machine.travel(start + timedelta(days=1, minutes=1)):
        assert learning.openings_tell() == 1
        lessons = list(Lesson.objects.filter(course=course, opens_after_days__isnull=False).select_related("course"))
        assert learning._tell_openings(stale, lessons, {}, timezone.now()) == 0
    assert len(_told(learner)) == 1


def test_beat_runs_the_apps_periodic_tasks_beside_cores():
    schedule = registry().beat_schedule()
    assert schedule["lms.tell_opened_lessons"]["schedule"] == 300.0
    assert schedule["commerce.release_expired"]["schedule"] == 60.0
    scheduler = Scheduler(celery_app, lazy=True)
    add_apps_periodic_tasks(SimpleNamespace(scheduler=scheduler))
    assert {"lms.tell_opened_lessons", "commerce.release_expired"} <= set(scheduler.schedule)
    celery_app.loader.import_default_modules()  # what a worker does at start: each app's tasks.py
    assert "lms.tell_opened_lessons" in celery_app.tasks
