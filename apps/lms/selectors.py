"""Reads of the learning platform: the catalogue, a course with its outline, what a learner has
done and may open, and what an instructor teaches.

A page's query count does not grow with its length: the catalogue annotates each course's
lesson count and minutes in its one query; an outline is two (sections, lessons); a learner's
state is two more (their progress rows, the instructor's openings for them). Visitors never see
drafts; who teaches a course sees its drafts in the outline, marked.

What every reader of a live course reads the same (the course with its teachers, its live
outline) is kept in the fragment cache of the "lms" namespace, which every write of a course,
its outline or its teachers clears (services/courses.py ``forget_course_pages``): a visitor's
landing page or free preview costs no query. Learners' own state is always read fresh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.db.models import Count, DecimalField, Exists, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from apps.core.api import ID_MAX
from apps.core.platform import pagecache
from apps.lms import permissions
from apps.lms.models import (
    Announcement,
    Certificate,
    Cohort,
    Course,
    CourseCategory,
    CourseInstructor,
    Enrolment,
    Invitation,
    Lesson,
    LessonAttachment,
    LessonOpening,
    LessonProgress,
    Sale,
    Section,
)

NAMESPACE = "lms"  # the page and fragment cache's namespace of everything the LMS shows
PAGE_SIZE = 24
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")
MAX_QUERY_WORDS = 8


def _live_lessons() -> Q:
    return Q(lessons__live=True)


def course_list_live(*, category: str = "", level: str = "", query: str = "") -> QuerySet[Course]:
    """Live courses for the catalogue, newest first, each with ``lesson_count`` and ``minutes``
    (its live lessons) and its owner and category: one query per page."""
    courses = (
        Course.objects.filter(live=True)
        .select_related("owner", "category")
        .annotate(
            lesson_count=Count("lessons", filter=_live_lessons()),
            minutes=Sum("lessons__duration_minutes", filter=_live_lessons()),
        )
        .order_by("-first_published_at", "-pk")
    )
    if category:
        courses = courses.filter(category__slug=category)
    if level:
        courses = courses.filter(level=level)
    for word in query.split()[:MAX_QUERY_WORDS]:
        courses = courses.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    return courses


def category_list() -> list[CourseCategory]:
    return list(CourseCategory.objects.all())


def _with_teachers(queryset: QuerySet[Course]) -> QuerySet[Course]:
    # A live course is kept in the cache with its teachers: never with their password hashes.
    grants = CourseInstructor.objects.select_related("user").defer("user__password").order_by("granted_at", "pk")
    return (
        queryset.select_related("owner", "category", "prerequisite")
        .defer("owner__password")
        .prefetch_related(Prefetch("co_instructors", queryset=grants))
    )


def course_get_for_user(*, user: Any, slug: str, teachers: bool = True) -> Course | None:
    """A course by its address: a live one for anyone, a draft for who may edit it; else None.
    ``teachers=False`` reads the course's row alone (a progress heartbeat shows no instructors)."""
    live = pagecache.cached(
        NAMESPACE, f"course:{slug}", lambda: _with_teachers(Course.objects.filter(slug=slug, live=True)).first()
    )
    if live is not None:
        return live
    found = Course.objects.filter(slug=slug)
    course = (_with_teachers(found) if teachers else found).first()
    if course is None or not permissions.can_view_course(user, course):
        return None
    return course


def course_get_by_pk_for_editor(*, user: Any, pk: int) -> Course | None:
    """A course its instructors (and staff) manage; None for anyone else."""
    course = _with_teachers(Course.objects.filter(pk=pk)).first()
    if course is None or not permissions.can_edit_course(user, course):
        return None
    return course


def enrolment_get_for_teacher(*, user: Any, pk: int) -> Enrolment | None:
    """An enrolment in a course ``user`` teaches (staff: any), with its learner and course;
    None for anyone else's, as if it did not exist."""
    if not 0 < pk <= ID_MAX:
        return None
    enrolment = Enrolment.objects.select_related("user", "course").filter(pk=pk).first()
    if enrolment is None or not permissions.can_edit_course(user, enrolment.course):
        return None
    return enrolment


def instructors_of(course: Course) -> list[Any]:
    """The owner, then the co-instructors in the order they were granted (prefetched)."""
    return [course.owner, *(grant.user for grant in course.co_instructors.all())]


def courses_taught(user: Any) -> QuerySet[Course]:
    """Every course ``user`` owns or co-teaches (all of them for staff), newest first, with
    ``learner_count`` (active enrolments) and ``lesson_count``."""
    courses = Course.objects.all()
    if not permissions.is_lms_staff(user):
        courses = courses.filter(
            Q(owner=user) | Exists(CourseInstructor.objects.filter(course=OuterRef("pk"), user=user))
        )
    return (
        courses.select_related("category")
        .annotate(
            learner_count=Count("enrolments", filter=Q(enrolments__revoked_at__isnull=True), distinct=True),
            lesson_count=Count("lessons", distinct=True),
        )
        .order_by("-created_at", "-pk")
    )


# --- The outline --------------------------------------------------------------------------------


@dataclass
class OutlineSection:
    section: Section
    lessons: list[Lesson] = field(default_factory=list)


def outline(course: Course, *, with_drafts: bool = False) -> list[OutlineSection]:
    """The course's sections in order, each with its lessons in order (live ones only unless
    ``with_drafts``, for its instructors): two queries. Sections left empty for learners are
    left out. A live course's live outline comes from the fragment cache."""
    if not with_drafts and course.live:
        return pagecache.cached(NAMESPACE, f"outline:{course.pk}", lambda: _outline(course, with_drafts=False))
    return _outline(course, with_drafts=with_drafts)


def _outline(course: Course, *, with_drafts: bool) -> list[OutlineSection]:
    lessons = Lesson.objects.filter(course=course).order_by("position", "pk")
    if not with_drafts:
        lessons = lessons.filter(live=True)
    by_section: dict[int, list[Lesson]] = {}
    for lesson in lessons.defer("body"):
        lesson.course = course  # saves a query per lesson for its URL and its rules
        by_section.setdefault(lesson.section_id, []).append(lesson)
    sections = Section.objects.filter(course=course).order_by("position", "pk")
    return [
        OutlineSection(section, by_section.get(section.pk, []))
        for section in sections
        if with_drafts or by_section.get(section.pk)
    ]


def lessons_in_order(sections: list[OutlineSection]) -> list[Lesson]:
    return [lesson for part in sections for lesson in part.lessons]


def lesson_get(*, course: Course, slug: str, with_drafts: bool = False) -> Lesson | None:
    """A lesson of ``course`` with its body (its instructors may open drafts). A live lesson of a
    live course, as everyone reads it, comes from the fragment cache."""
    lessons = Lesson.objects.filter(course=course, slug=slug)
    if with_drafts:
        lesson = lessons.first()
    elif course.live and _SLUG.fullmatch(slug):  # an address that is no slug names no lesson: not kept
        lesson = pagecache.cached(NAMESPACE, f"lesson:{course.pk}:{slug}", lambda: lessons.filter(live=True).first())
    else:
        lesson = lessons.filter(live=True).first()
    if lesson is not None:
        lesson.course = course
    return lesson


# --- A learner's state --------------------------------------------------------------------------


def enrolment_get(*, user: Any, course: Course) -> Enrolment | None:
    """``user``'s enrolment in ``course`` (active or ended), with its cohort; None if never."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Enrolment.objects.select_related("cohort").filter(user=user, course=course).first()


@dataclass
class LearnerState:
    """What one learner did in one course: progress rows and instructor openings by lesson id."""

    enrolment: Enrolment | None
    progress: dict[int, LessonProgress] = field(default_factory=dict)
    openings: dict[int, LessonOpening] = field(default_factory=dict)

    @property
    def completed(self) -> frozenset[int]:
        return frozenset(pk for pk, row in self.progress.items() if row.completed_at is not None)


def learner_state(enrolment: Enrolment | None) -> LearnerState:
    """The learner's progress and openings in their course (two queries; none without one)."""
    if enrolment is None:
        return LearnerState(None)
    return LearnerState(
        enrolment,
        progress={row.lesson_id: row for row in LessonProgress.objects.filter(enrolment=enrolment)},
        openings={row.lesson_id: row for row in LessonOpening.objects.filter(enrolment=enrolment)},
    )


def locks(
    lessons: list[Lesson], state: LearnerState, *, now: datetime | None = None
) -> dict[int, permissions.Lock | None]:
    """Each lesson's lock for the learner of ``state`` (None: open), from loaded data alone."""
    now = now or timezone.now()
    titles = {lesson.pk: lesson.title for lesson in lessons}
    completed = state.completed
    return {
        lesson.pk: permissions.lesson_lock(
            lesson,
            enrolment=state.enrolment,
            opening=state.openings.get(lesson.pk),
            completed=completed,
            prerequisite_title=titles.get(lesson.prerequisite_id or 0, ""),
            now=now,
        )
        for lesson in lessons
    }


def lesson_lock_for(lesson: Lesson, state: LearnerState, *, now: datetime | None = None) -> permissions.Lock | None:
    """One lesson's lock for the learner of ``state`` (None: open); its prerequisite's title is
    read (one query) only when the lock would name it."""
    title = ""
    if lesson.prerequisite_id and lesson.prerequisite_id not in state.completed:
        title = Lesson.objects.filter(pk=lesson.prerequisite_id).values_list("title", flat=True).first() or ""
    return permissions.lesson_lock(
        lesson,
        enrolment=state.enrolment,
        opening=state.openings.get(lesson.pk),
        completed=state.completed,
        prerequisite_title=title,
        now=now,
    )


def lesson_progress_get(*, enrolment: Enrolment, lesson: Lesson) -> LessonProgress | None:
    """The learner's progress row in ``lesson`` (one query), or None before their first step."""
    return LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).first()


@dataclass(frozen=True)
class CourseProgress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def course_progress(lessons: list[Lesson], state: LearnerState) -> CourseProgress:
    completed = state.completed
    return CourseProgress(sum(1 for lesson in lessons if lesson.pk in completed), len(lessons))


def next_lesson(
    lessons: list[Lesson], state: LearnerState, lock_of: dict[int, permissions.Lock | None]
) -> Lesson | None:
    """Where "Continue" leads: the lesson last opened if it is not completed, else the first open
    lesson not completed after it, else the first open one not completed at all."""
    completed = state.completed
    last_id = state.enrolment.last_lesson_id if state.enrolment else None
    order = [lesson.pk for lesson in lessons]
    start = order.index(last_id) if last_id in order else 0
    for lesson in lessons[start:] + lessons[:start]:
        if lesson.pk not in completed and lock_of.get(lesson.pk) is None:
            return lesson
    return None


@dataclass
class LearningRow:
    enrolment: Enrolment
    progress: CourseProgress


def my_learning(user: Any) -> list[LearningRow]:
    """``user``'s active enrolments with their progress (live lessons completed of live lessons),
    most recently studied first: one query."""
    enrolments = (
        Enrolment.objects.filter(user=user, revoked_at__isnull=True)
        .select_related("course", "course__owner", "last_lesson", "cohort")
        .annotate(
            total=Count("course__lessons", filter=Q(course__lessons__live=True), distinct=True),
            done=Count(
                "progress",
                filter=Q(progress__completed_at__isnull=False, progress__lesson__live=True),
                distinct=True,
            ),
        )
        .order_by("-last_seen_at", "-enrolled_at", "-pk")
    )
    return [LearningRow(e, CourseProgress(e.done, e.total)) for e in enrolments]


def completed_course(*, user: Any, course: Course) -> bool:
    return Enrolment.objects.filter(user=user, course=course, completed_at__isnull=False).exists()


# --- What a course's and a lesson's pages read -------------------------------------------------


@dataclass
class CourseView:
    """A course as one reader sees it: its outline (drafts too for who teaches it), their
    enrolment, progress and each lesson's lock."""

    course: Course
    sections: list[OutlineSection]
    lessons: list[Lesson]
    teaches: bool
    state: LearnerState
    locks: dict[int, permissions.Lock | None]
    progress: CourseProgress
    next: Lesson | None

    @property
    def enrolment(self) -> Enrolment | None:
        return self.state.enrolment

    @property
    def enrolled(self) -> bool:
        return self.state.enrolment is not None and self.state.enrolment.revoked_at is None


def course_view(course: Course, *, user: Any, now: datetime | None = None) -> CourseView:
    """Everything a course's landing page or one of its lessons needs about ``course`` for
    ``user``, in a fixed number of queries (outline 2, enrolment 1, learner state 2)."""
    teaches = permissions.can_edit_course(user, course)
    sections = outline(course, with_drafts=teaches)
    lessons = lessons_in_order(sections)
    enrolment = enrolment_get(user=user, course=course)
    state = learner_state(enrolment if enrolment is not None and enrolment.revoked_at is None else None)
    lock_of = locks(lessons, state, now=now)
    completed = state.completed
    for lesson in lessons:  # what the outline shows beside each lesson
        lesson.lock, lesson.done = lock_of[lesson.pk], lesson.pk in completed
    return CourseView(
        course=course,
        sections=sections,
        lessons=lessons,
        teaches=teaches,
        state=state,
        locks=lock_of,
        progress=course_progress([lesson for lesson in lessons if lesson.live], state),
        next=next_lesson(lessons, state, lock_of) if state.enrolment else None,
    )


@dataclass
class LessonView:
    """One lesson for one reader: whether they may open it, and if not, why."""

    view: CourseView
    lesson: Lesson
    lock: permissions.Lock | None
    allowed: bool
    previous: Lesson | None
    following: Lesson | None

    @property
    def progress(self) -> LessonProgress | None:
        return self.view.state.progress.get(self.lesson.pk)


def lesson_view(view: CourseView, *, user: Any, slug: str) -> LessonView | None:
    """The lesson ``slug`` of the course in ``view`` (a draft only for who teaches it) with its
    body, or None."""
    lesson = lesson_get(course=view.course, slug=slug, with_drafts=view.teaches)
    if lesson is None:
        return None
    order = [item.pk for item in view.lessons]
    at = order.index(lesson.pk) if lesson.pk in order else -1
    lock = view.locks.get(lesson.pk)
    enrolment = view.state.enrolment
    lesson.lock, lesson.done = lock, lesson.pk in view.state.completed
    return LessonView(
        view=view,
        lesson=lesson,
        lock=lock,
        allowed=permissions.can_view_lesson(user, lesson, lock=lock, enrolment=enrolment),
        previous=view.lessons[at - 1] if at > 0 else None,
        following=view.lessons[at + 1] if 0 <= at < len(view.lessons) - 1 else None,
    )


# --- Certificates -------------------------------------------------------------------------------


def course_get_for_certificate(pk: int) -> Course:
    """A course with its teachers, whose names a certificate copies (two queries)."""
    return _with_teachers(Course.objects.filter(pk=pk)).get()


def certificate_get(certificate_uuid: Any) -> Certificate | None:
    """A certificate by its public id, with its course (and the course's teachers, whom the
    policy asks about) and who revoked it: two queries whatever it holds; None if unknown."""
    return (
        Certificate.objects.filter(uuid=certificate_uuid)
        .select_related("course", "revoked_by")
        .prefetch_related("course__co_instructors")
        .first()
    )


def certificates_of(user: Any) -> list[Certificate]:
    """``user``'s certificates, newest first (revoked ones too, marked): one query."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Certificate.objects.filter(user=user).select_related("course").order_by("-issued_at", "-pk"))


def certificates_of_course(course: Course) -> list[Certificate]:
    """The certificates issued in ``course``, newest first (revoked ones too): one query. For who
    teaches it (the caller checks)."""
    return list(Certificate.objects.filter(course=course).select_related("course").order_by("-issued_at", "-pk"))


def certificate_of(enrolment: Enrolment | None) -> Certificate | None:
    """The certificate of ``enrolment``: one query once the course is completed, none before
    (nothing can have been issued)."""
    if enrolment is None or enrolment.completed_at is None:
        return None
    return Certificate.objects.filter(enrolment=enrolment).first()


# --- Announcements -------------------------------------------------------------------------------


def announcements_of(course: Course, *, limit: int | None = None) -> list[Announcement]:
    """A course's announcements, newest first, with their authors (one query)."""
    rows = Announcement.objects.filter(course=course).select_related("author").order_by("-created_at", "-pk")
    return list(rows[:limit] if limit else rows)


ATTACHMENT_LINK_MINUTES = 10
_ATTACHMENT_SALT = "lms.attachment"


def attachment_link(user: Any, course: Course, lesson: Lesson, item: LessonAttachment) -> str:
    """The page's download of ``item`` with a token signed for ``user`` (who may open the lesson:
    the caller checked), for API clients, which have no session; valid ATTACHMENT_LINK_MINUTES."""
    url = reverse("lms:attachment", args=[course.slug, lesson.slug, item.pk])
    token = signing.dumps([item.pk, getattr(user, "pk", None)], salt=_ATTACHMENT_SALT)
    return f"{url}?{urlencode({'token': token})}"


def attachment_token_valid(token: str, item: LessonAttachment) -> bool:
    """Whether ``token`` is a genuine, unexpired link to ``item``."""
    try:
        pk, _ = signing.loads(token, salt=_ATTACHMENT_SALT, max_age=ATTACHMENT_LINK_MINUTES * 60)
    except (signing.BadSignature, ValueError, TypeError):
        return False
    return pk == item.pk


def attachment_get(*, lesson: Lesson, pk: int) -> LessonAttachment | None:
    """One of ``lesson``'s files (None for another lesson's, or none)."""
    if not 0 < pk <= ID_MAX:
        return None
    return LessonAttachment.objects.filter(lesson=lesson, pk=pk).first()


def attachment_by_pk(pk: int) -> LessonAttachment | None:
    if not 0 < pk <= ID_MAX:
        return None
    return LessonAttachment.objects.filter(pk=pk).first()


# --- Selling ------------------------------------------------------------------------------------


def cohorts_on_offer(course: Course) -> list[Cohort]:
    """The cohorts of ``course`` a buyer may still join (not ended), soonest first (one query)."""
    today = timezone.localdate()
    open_ = Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    return list(Cohort.objects.filter(open_, course=course).order_by("starts_on", "pk"))


def cohort_of(course: Course, pk: Any) -> Cohort | None:
    """``course``'s cohort number ``pk`` (a form's value: anything), or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk <= ID_MAX:
        return None
    return Cohort.objects.filter(course=course, pk=pk).first()


def invitations_of(course: Course) -> list[Invitation]:
    """A course's latest invitations, newest first, with who sent and who accepted them (one query)."""
    return list(Invitation.objects.filter(course=course).select_related("invited_by", "accepted_by")[:200])


# --- Revenue ------------------------------------------------------------------------------------

REVENUE_DAYS = 30
REVENUE_COURSES = 20


@dataclass
class RevenueRow:
    course_id: int
    title: str
    currency: str
    recent: Decimal  # net, paid in the last REVENUE_DAYS days
    total: Decimal  # net, all time
    refunded: Decimal  # all time
    sales: int  # places sold and kept


def revenue_by_course(user: Any, *, now: datetime | None = None) -> list[RevenueRow]:
    """What the places sold in the shop brought, per course and currency, net of refunds: in the
    last 30 days and all time, for the courses ``user`` teaches (staff: every course), the best
    sellers first. One query, however many courses and sales."""
    since = (now or timezone.now()) - timedelta(days=REVENUE_DAYS)
    sales = Sale.objects.all()
    if not permissions.is_lms_staff(user):
        sales = sales.filter(course__in=courses_taught(user).values("pk"))
    kept = Q(refunded_at__isnull=True)
    zero = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))
    rows = (
        sales.values("course_id", "course__title", "currency")
        .annotate(
            recent=Coalesce(Sum("amount", filter=kept & Q(paid_at__gte=since)), zero),
            total=Coalesce(Sum("amount", filter=kept), zero),
            refunded=Coalesce(Sum("amount", filter=Q(refunded_at__isnull=False)), zero),
            sales=Count("pk", filter=kept),
        )
        .order_by("-total", "course__title", "currency")[:REVENUE_COURSES]
    )
    return [
        RevenueRow(
            course_id=row["course_id"],
            title=row["course__title"],
            currency=row["currency"],
            recent=row["recent"],
            total=row["total"],
            refunded=row["refunded"],
            sales=row["sales"],
        )
        for row in rows
    ]
