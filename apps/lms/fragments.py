"""Rendered parts of the LMS's pages that read the same for every reader, kept in the "lms"
fragment cache (cleared by every write of a course, its lessons or its outline, as the blog and
the shop keep theirs): a live course's description and a live lesson's body, and the main
column of a live course's landing page for readers who neither teach nor are enrolled in it
(everyone else's reads their own progress), and a free preview lesson's page for the same
readers. A body that places a slot renders per reader, and
so does anything not live (drafts are seen by their instructors only, never shared)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from apps.core.blocks import has_slot, render_blocks
from apps.core.platform import pagecache
from apps.lms import reviews, selectors
from apps.lms.models import Course, Lesson
from apps.lms.selectors import NAMESPACE


def body_html(name: str, blocks: Any, *, live: bool, request: HttpRequest) -> SafeString:
    """``blocks`` as HTML; kept under ``name`` (unique per object) when ``live`` and slot-free."""
    if not live or has_slot(blocks):
        return render_blocks(blocks, request=request)
    return pagecache.cached(NAMESPACE, f"body:{name}", lambda: render_blocks(blocks))


# Rendition URLs (a cover's) may be signed by the storage: a kept part never outlives them.
PART_CACHE_SECONDS = 600


@dataclass(frozen=True)
class CourseShared:
    """A live course's landing page as every reader who neither teaches nor is enrolled in it
    sees it: the main column's HTML (header, outcomes, description, syllabus, instructors), the
    breadcrumbs, the two figures the enrolment box repeats, and that box for visitors."""

    main: SafeString
    lesson_count: int
    minutes: int
    crumbs: SafeString
    # The enrolment box as visitors without an account see it ("Sign in to enrol"), for a free
    # course; None for a paid one, whose box carries forms (and their CSRF tokens) and seats left.
    visitor_aside: SafeString | None


def course_main_context(course: Course, view: selectors.CourseView, *, request: HttpRequest | None) -> dict[str, Any]:
    """What the main column of a course's landing page reads (its partial ``main``)."""
    return {
        "course": course,
        "view": view,
        "instructors": selectors.instructors_of(course),
        "description": body_html(f"course:{course.pk}", course.description, live=course.live, request=request)
        if request is not None
        else render_blocks(course.description),
        "reviews": reviews.reviews_of(course),
        "lesson_count": len(view.lessons),
        "minutes": sum(lesson.duration_minutes for lesson in view.lessons if lesson.live),
    }


def course_shared(course: Course) -> CourseShared:
    """The shared landing page of the live ``course`` (see CourseShared), rendered once and kept
    until the next write of the course (a description with a slot is rendered each time)."""

    def load() -> CourseShared:
        context = course_main_context(course, selectors.course_view(course, user=None), request=None)
        main = render_to_string("lms/course_detail.html#main", context)
        figures = {"lesson_count": context["lesson_count"], "minutes": context["minutes"]}
        crumbs = render_to_string("lms/course_detail.html#crumbs", {"course": course})
        visitor_aside = (
            render_to_string("lms/course_detail.html#aside", {"course": course, "user": AnonymousUser(), **figures})
            if course.is_free
            else None
        )
        return CourseShared(main=main, crumbs=crumbs, visitor_aside=visitor_aside, **figures)

    if has_slot(course.description):
        return load()
    return pagecache.cached(NAMESPACE, f"course-main:{course.pk}", load, max_seconds=PART_CACHE_SECONDS)


def lesson_shared(course: Course, lesson: Lesson) -> SafeString | None:
    """The page of a live free preview as every reader who neither teaches nor is enrolled in
    the live ``course`` sees it (its content block), rendered once and kept until the next write
    of the course; None when the lesson is not such a preview."""

    def load() -> SafeString | None:
        found = selectors.lesson_view(selectors.course_view(course, user=None), user=None, slug=lesson.slug)
        if found is None or not found.allowed:
            return None
        body = render_blocks(found.lesson.body)
        context = {"found": found, "view": found.view, "course": course, "lesson": found.lesson, "body": body}
        return render_to_string("lms/lesson_detail.html#content", context)

    if not (lesson.is_preview and lesson.live and course.live) or has_slot(lesson.body):
        return None
    return pagecache.cached(NAMESPACE, f"lesson-page:{lesson.pk}", load, max_seconds=PART_CACHE_SECONDS)
