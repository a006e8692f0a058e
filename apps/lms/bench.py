"""The LMS's data for ``make bench`` (bench/README.md): a course of five sections and thirty live
lessons written and published through the course services, its first lesson a free preview (so
a visitor without a session reads it, and the page cache can keep it), and the demo learner enrolled in
it with a signed-in session for the progress write. Idempotent: the course and learner are kept.

The progress write is what a video lesson's player sends every few seconds
(``lms:lesson-progress``), POSTed as the player posts it with the learner's session cookie."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.urls import reverse

from apps.core.models import User
from apps.lms import selectors
from apps.lms.demo import INSTRUCTOR_EMAIL, STUDENT_EMAIL
from apps.lms.models import Course, Lesson
from apps.lms.services import courses as services
from apps.lms.services import learning

SLUG = "bench-course"
SECTIONS = 5
LESSONS_PER_SECTION = 6


def _body(number: int) -> list[dict]:
    paragraph = (
        "<p>Lesson {n} of the benchmark's course: a few paragraphs of text, "
        '<a href="/courses/">a link</a>, <strong>strong words</strong> and <em>emphasis</em>.</p>'
    )
    return [
        {"type": "heading", "text": f"What lesson {number} covers", "level": 2},
        {"type": "rich_text", "html": paragraph.format(n=number) * 4},
        {"type": "rich_text", "html": "<ul><li>Watch</li><li>Try</li><li>Mark as done</li></ul>"},
    ]


def _course(owner: User) -> Course:
    course = Course.objects.filter(slug=SLUG).first()
    if course is not None:
        return course
    course = services.course_create(
        actor=owner,
        data=services.CourseInput(
            title="Benchmark course: thirty lessons",
            slug=SLUG,
            summary="A course written for the benchmark, with five sections of six lessons.",
            description=_body(0),
            outcomes=("Measure pages", "Keep them fast"),
            requirements=("A terminal",),
        ),
    )
    number = 0
    for part in range(1, SECTIONS + 1):
        section = services.section_create(actor=owner, course=course, title=f"Part {part}")
        for _ in range(LESSONS_PER_SECTION):
            number += 1
            lesson = services.lesson_create(
                actor=owner,
                section=section,
                kind=Lesson.Kind.VIDEO if number % 3 == 2 else Lesson.Kind.TEXT,
                data=services.LessonInput(title=f"Lesson {number:02}", body=_body(number), duration_minutes=7),
            )
            if number == 1:
                services.lesson_set_rules(actor=owner, lesson=lesson, rules=services.LessonRules(is_preview=True))
            services.lesson_publish(actor=owner, lesson=lesson)
    services.course_publish(actor=owner, course=course)
    return course


def _signed_in_session(user: User) -> str:
    """A session of ``user``'s, as signing in makes it, in the configured session store."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def seed() -> dict[str, str]:
    """The bench course and its enrolled learner; returns the addresses to measure."""
    owner = User.objects.get(email=INSTRUCTOR_EMAIL)
    course = _course(owner)
    learner = User.objects.get(email=STUDENT_EMAIL)
    if selectors.enrolment_get(user=learner, course=course) is None:
        learning.course_enrol(user=learner, course=course)
    lessons = selectors.lessons_in_order(selectors.outline(course))
    watched = next(lesson for lesson in lessons if lesson.kind == Lesson.Kind.VIDEO)
    return {
        "course_page": course.get_absolute_url(),
        "lesson_page": lessons[0].get_absolute_url(),
        "progress_write": reverse("lms:lesson-progress", args=[course.slug, watched.slug]),
        # Never reaching the 90% that completes it: each write is the same steady heartbeat.
        "progress_write_form": "position=42&watched=40",
        "progress_write_session": _signed_in_session(learner),
    }
