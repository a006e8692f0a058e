"""LMS factories: a course with sections and lessons made as rows (their publication through the
engine is the course editor's business, tested there).

``make_course(owner=..., lessons=3)`` gives a live course with one section of live text lessons;
``lessons_of(course)`` its lessons in outline order; ``enrol(user, course)`` an active enrolment.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from apps.lms.models import Cohort, Course, Enrolment, Lesson, Section
from tests.core.factories import UserFactory

_counter = iter(range(1, 10**9))


def make_course(
    *,
    owner: Any = None,
    title: str | None = None,
    live: bool = True,
    lessons: int = 3,
    sections: int = 1,
    price: Any = None,
    kind: str = Lesson.Kind.TEXT,
    **fields: Any,
) -> Course:
    n = next(_counter)
    owner = owner or UserFactory(roles=["instructor"])
    now = timezone.now()
    course = Course.objects.create(
        owner=owner,
        title=title or f"Course {n}",
        slug=f"course-{n}",
        summary=f"What course {n} teaches.",
        live=live,
        first_published_at=now if live else None,
        last_published_at=now if live else None,
        price=price,
        **fields,
    )
    for s in range(1, sections + 1):
        section = Section.objects.create(course=course, title=f"Part {s}", position=s)
        for i in range(1, lessons + 1):
            Lesson.objects.create(
                course=course,
                section=section,
                title=f"Lesson {s}.{i}",
                slug=f"lesson-{s}-{i}",
                kind=kind,
                position=i,
                live=live,
                body=[{"type": "rich_text", "id": f"b{s}{i}", "html": f"<p>Lesson {s}.{i} body.</p>"}],
                duration_minutes=10,
                first_published_at=now if live else None,
            )
    return course


def lessons_of(course: Course) -> list[Lesson]:
    return list(Lesson.objects.filter(course=course).order_by("section__position", "position"))


def enrol(user: Any, course: Course, **fields: Any) -> Enrolment:
    return Enrolment.objects.create(user=user, course=course, **fields)


def make_cohort(course: Course, *, seats: int | None = 5, **fields: Any) -> Cohort:
    fields.setdefault("starts_on", timezone.localdate())
    return Cohort.objects.create(course=course, name=f"Cohort {next(_counter)}", seats=seats, **fields)


def complete_all(user: Any, course: Course) -> Enrolment:
    """``user`` completes every live lesson of ``course`` through the services (as the pages
    do), which completes the course and issues its certificate."""
    from apps.lms.services import learning

    enrolment = Enrolment.objects.get(user=user, course=course)
    for lesson in Lesson.objects.filter(course=course, live=True).order_by("section__position", "position"):
        enrolment = learning.lesson_complete(user=user, enrolment=enrolment, lesson=lesson)
    return enrolment


# --- Selling (apps/lms/services/selling.py) ------------------------------------------------------


def paid_course(*, owner: Any = None, price: str = "49.00", **fields: Any) -> Course:
    """A live course of ``price`` EUR, on sale in the shop (its owner's "Courses by" shop)."""
    from decimal import Decimal

    from apps.lms.services import selling

    course = make_course(owner=owner, price=Decimal(price), **fields)
    selling.course_offer_sync(course)
    return course


def seat_cohort(course: Course, *, seats: int | None = 5, **fields: Any) -> Cohort:
    """A cohort of a paid ``course`` whose seats are on sale (``seats`` the limit)."""
    from apps.lms.services import selling

    name = fields.pop("name", None)
    cohort = make_cohort(course, seats=seats, **fields)
    if name:
        Cohort.objects.filter(pk=cohort.pk).update(name=name)
        cohort.name = name
    selling.course_offer_sync(course)
    return cohort


def place_variant(course: Course, cohort: Cohort | None = None) -> Any:
    """The shop's variant that sells a place in ``course`` (a seat of ``cohort``)."""
    from apps.commerce.services import sellables

    kind, ref = ("seat", cohort.pk) if cohort is not None else ("course", course.pk)
    return sellables.sellable_get(app="lms", kind=kind, ref_id=ref).variants.get()


def buy_place(user: Any, course: Course, cohort: Cohort | None = None, *, quantity: int = 1) -> Any:
    """``user`` bought a place (a paid order as a captured checkout leaves it) and the shop's
    ``commerce.order_paid`` was delivered to the LMS; the order."""
    from apps.core.platform import events
    from tests.commerce.factories import make_paid_order, paid_event

    order = make_paid_order(user, [(place_variant(course, cohort), quantity)])
    events.publish(paid_event(order))
    events.deliver_pending()
    return order


# --- Assignments ----------------------------------------------------------------------------------


def make_assignment(course: Course, *, criteria: tuple[int, ...] = (), lesson: Lesson | None = None, **fields: Any):
    """Turn ``course``'s last lesson (or ``lesson``) into an assignment with ``fields`` (text
    hand-ins, 100 points by default) and a rubric of ``criteria`` (their max points)."""
    from apps.lms.models import Assignment, RubricCriterion

    lesson = lesson or lessons_of(course)[-1]
    Lesson.objects.filter(pk=lesson.pk).update(kind=Lesson.Kind.ASSIGNMENT)
    lesson.kind = Lesson.Kind.ASSIGNMENT
    assignment = Assignment.objects.create(lesson=lesson, **fields)
    for position, points in enumerate(criteria, start=1):
        RubricCriterion.objects.create(
            assignment=assignment, title=f"Criterion {position}", max_points=points, position=position
        )
    if criteria:
        Assignment.objects.filter(pk=assignment.pk).update(points=sum(criteria))
        assignment.points = sum(criteria)
    assignment.lesson = lesson
    return assignment


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 100, 50)).save(buffer, format="PNG")
    return buffer.getvalue()


def submit(enrolment: Enrolment, assignment: Any, *, text: str = "My answer.", file: Any = None):
    """The learner of ``enrolment`` hands ``assignment`` in through the service."""
    from apps.lms.services import assignments

    lesson = Lesson.objects.select_related("course").get(pk=assignment.lesson_id)
    return assignments.submission_create(user=enrolment.user, enrolment=enrolment, lesson=lesson, text=text, file=file)


# --- Quizzes ------------------------------------------------------------------------------------

QUESTION_SPECS: dict[str, dict[str, Any]] = {
    "single": {"choices": ["Cone 6", "Cone 10", "Cone 04"], "answer": {"correct": 1}},
    "multiple": {"choices": ["Silica", "Flux", "Salt", "Alumina"], "answer": {"correct": [0, 1, 3]}},
    "true_false": {"answer": {"value": True}},
    "short_text": {"answer": {"accepted": ["Kaolin"], "case_sensitive": False}},
    "numeric": {"answer": {"value": "1220", "tolerance": "10"}},
    "ordering": {"choices": ["Candle", "Climb", "Soak", "Cool"], "answer": {}},
}


def make_question(course: Course, kind: str = "single", **overrides: Any) -> Any:
    """A question of ``course``'s bank through the service (as its owner)."""
    from apps.lms.services import quizzes

    spec = {**QUESTION_SPECS[kind], **overrides}
    return quizzes.question_create(
        actor=course.owner,
        course=course,
        data=quizzes.QuestionInput(
            kind=kind,
            prompt=spec.get("prompt", f"A {kind} question?"),
            choices=spec.get("choices", []),
            answer=spec["answer"],
            points=spec.get("points", 1),
            explanation=spec.get("explanation", f"Why the {kind} answer is right."),
        ),
    )


def make_quiz(
    course: Course, *, kinds: tuple[str, ...] = ("single", "true_false"), lesson: Lesson | None = None, **settings: Any
) -> Any:
    """A quiz lesson of ``course`` (its last lesson made a quiz, unless ``lesson``) with one
    question per kind, through the services."""
    from apps.lms.services import quizzes

    lesson = lesson or Lesson.objects.filter(course=course).order_by("-section__position", "-position").first()
    Lesson.objects.filter(pk=lesson.pk).update(kind=Lesson.Kind.QUIZ)
    lesson.kind = Lesson.Kind.QUIZ
    questions = [make_question(course, kind) for kind in kinds]
    return quizzes.quiz_update(
        actor=course.owner,
        lesson=lesson,
        settings=quizzes.QuizSettings(**settings),
        question_ids=[question.pk for question in questions],
    )


def right_answers(attempt: Any) -> dict[int, Any]:
    """The correct response to each question of ``attempt`` (by question id)."""
    from apps.lms.models import Question
    from apps.lms.services.quizzes import correct_answer

    return {
        question.pk: correct_answer(question) for question in Question.objects.filter(pk__in=attempt.order["questions"])
    }
