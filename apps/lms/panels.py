"""The instructor's home (core's "instructor" dashboard, /dashboard/instructor/): their courses
with enrolments over time, completion by lesson, learners at risk (inactive for a week) with a
one-click nudge, the newest questions in their lessons, and the submissions waiting for a grade.
An instructor sees the courses they own or co-teach; staff every course. Each panel costs a
fixed number of queries, however many courses, lessons and learners there are."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.core.accounts import Panel
from apps.core.comments import Comment
from apps.lms import permissions, selectors, selectors_assignments
from apps.lms.comments import LESSON_KIND
from apps.lms.models import Enrolment, Lesson, LessonProgress

CHART_DAYS = 30
AT_RISK_AFTER = timedelta(days=7)  # no visit for this long, and not finished: a learner at risk
AT_RISK_SHOWN = 10
FUNNEL_COURSES = 3
QUESTIONS_SHOWN = 5
GRADING_SHOWN = 5


def _teaches_any(user: Any) -> bool:
    return permissions.can_create_course(user) or permissions.is_lms_staff(user)


def _course_ids(user: Any) -> list[int]:
    return list(selectors.courses_taught(user).values_list("pk", flat=True))


def _courses(user: Any) -> dict[str, Any]:
    courses = list(selectors.courses_taught(user)[:20])
    ids = [course.pk for course in courses]
    today = timezone.localdate()
    since = today - timedelta(days=CHART_DAYS - 1)
    enrolments = Enrolment.objects.filter(course_id__in=ids)
    totals = enrolments.aggregate(
        active=Count("pk", filter=Q(revoked_at__isnull=True)),
        week=Count("pk", filter=Q(enrolled_at__date__gte=today - timedelta(days=6))),
        completed=Count("pk", filter=Q(completed_at__isnull=False, revoked_at__isnull=True)),
    )
    daily = dict(
        enrolments.filter(enrolled_at__date__gte=since)
        .annotate(day=TruncDate("enrolled_at"))
        .values("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
    done = dict(
        enrolments.filter(completed_at__isnull=False, revoked_at__isnull=True)
        .values("course_id")
        .annotate(count=Count("pk"))
        .values_list("course_id", "count")
    )
    days = [since + timedelta(days=n) for n in range(CHART_DAYS)]
    return {
        "courses": [
            {
                "course": course,
                "learners": course.learner_count,
                "completed": round(100 * done.get(course.pk, 0) / course.learner_count) if course.learner_count else 0,
            }
            for course in courses
        ],
        "totals": totals,
        "chart": [(f"{day:%d %b}", daily.get(day, 0)) for day in days],
        "any_enrolment": any(daily.values()),
    }


def _funnel(user: Any) -> dict[str, Any]:
    """For their courses with the most learners: of the active learners, the share who completed
    each live lesson, in outline order (where learners drop off)."""
    courses = list(selectors.courses_taught(user).filter(live=True).order_by("-learner_count", "pk")[:FUNNEL_COURSES])
    ids = [course.pk for course in courses]
    lessons = list(
        Lesson.objects.filter(course_id__in=ids, live=True)
        .order_by("section__position", "section_id", "position", "pk")
        .only("pk", "title", "course_id")
    )
    done = dict(
        LessonProgress.objects.filter(
            lesson_id__in=[lesson.pk for lesson in lessons],
            completed_at__isnull=False,
            enrolment__revoked_at__isnull=True,
        )
        .values("lesson_id")
        .annotate(count=Count("pk"))
        .values_list("lesson_id", "count")
    )
    by_course: dict[int, list[Lesson]] = defaultdict(list)
    for lesson in lessons:
        by_course[lesson.course_id].append(lesson)
    return {
        "courses": [
            {
                "course": course,
                "learners": course.learner_count,
                "steps": [
                    (lesson.title, round(100 * done.get(lesson.pk, 0) / course.learner_count))
                    for lesson in by_course[course.pk]
                ]
                if course.learner_count
                else [],
            }
            for course in courses
        ]
    }


def at_risk(user: Any, *, now: Any = None) -> list[Enrolment]:
    """Active learners of their courses who have not finished and not come back for a week
    (or never came, a week after enrolling), the longest away first."""
    cutoff = (now or timezone.now()) - AT_RISK_AFTER
    return list(
        Enrolment.objects.filter(course_id__in=_course_ids(user), revoked_at__isnull=True, completed_at__isnull=True)
        .filter(Q(last_seen_at__lt=cutoff) | Q(last_seen_at__isnull=True, enrolled_at__lt=cutoff))
        .select_related("user", "course")
        .order_by("last_seen_at", "enrolled_at", "pk")[:AT_RISK_SHOWN]
    )


def _at_risk(user: Any) -> dict[str, Any]:
    return {"rows": at_risk(user)}


def _questions(user: Any) -> dict[str, Any]:
    """The newest questions (a thread's first comments) on their lessons, answered or not."""
    lessons = Lesson.objects.filter(course_id__in=_course_ids(user)).values("pk")
    rows = list(
        Comment.objects.filter(
            target_kind=LESSON_KIND,
            target_id__in=lessons,
            parent__isnull=True,
            deleted_at__isnull=True,
            status=Comment.Status.APPROVED,
        )
        .select_related("author")
        .annotate(answers=Count("replies", filter=Q(replies__deleted_at__isnull=True)))
        .order_by("-created_at", "-pk")[:QUESTIONS_SHOWN]
    )
    titles = Lesson.objects.select_related("course").in_bulk([row.target_id for row in rows])
    return {"rows": [(row, titles.get(row.target_id)) for row in rows]}


def _revenue(user: Any) -> dict[str, Any]:
    """Places sold in the shop, per course: the last 30 days and all time, net of refunds."""
    rows = selectors.revenue_by_course(user)
    totals: dict[str, list[Any]] = {}
    for row in rows:
        recent, total = totals.setdefault(row.currency, [0, 0])
        totals[row.currency] = [recent + row.recent, total + row.total]
    return {"rows": rows, "totals": sorted(totals.items()), "days": selectors.REVENUE_DAYS}


def _grading(user: Any) -> dict[str, Any]:
    """The submissions waiting for their grade, the oldest first, and how many there are."""
    queue = selectors_assignments.grading_queue(user)
    return {"count": queue.count(), "rows": list(queue[:GRADING_SHOWN])}


# Listed by the LMS's hook (apps/lms/platform.py).
PANELS: tuple[Panel, ...] = (
    Panel("lms-courses", "Your courses", "lms/panels/_courses.html", frozenset({"instructor"}), _courses, order=10),
    Panel(
        "lms-funnel",
        "Completion by lesson",
        "lms/panels/_funnel.html",
        frozenset({"instructor"}),
        _funnel,
        order=11,
        show=_teaches_any,
    ),
    Panel(
        "lms-at-risk",
        "Learners away for a week",
        "lms/panels/_at_risk.html",
        frozenset({"instructor"}),
        _at_risk,
        order=12,
        show=_teaches_any,
    ),
    Panel(
        "lms-revenue",
        "Revenue",
        "lms/panels/_revenue.html",
        frozenset({"instructor"}),
        _revenue,
        order=14,
        show=_teaches_any,
    ),
    Panel(
        "lms-questions",
        "Newest questions",
        "lms/panels/_questions.html",
        frozenset({"instructor"}),
        _questions,
        order=13,
        show=_teaches_any,
    ),
    Panel(
        "lms-grading",
        "Grading queue",
        "lms/panels/_grading.html",
        frozenset({"instructor"}),
        _grading,
        order=14,
        show=_teaches_any,
    ),
)
