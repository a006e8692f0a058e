"""Reads of the gradebook: a course's grade categories, and each learner's grade from them.

A learner's course grade is the weighted mean of their category averages: each category
(``GradeCategory``) averages the learner's items from its source (apps/lms/grading.py), each a
percent; a category where they have no item yet is left out and the others' weights share its
place; with no item at all there is no grade yet (None). An instructor's override (the newest
``GradeOverride``) replaces the computed grade. Pass or fail is against ``course.pass_mark``.

A page of the gradebook costs a fixed number of queries whatever its length: the categories, the
page's enrolments with their learners, each source once, the overrides once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from apps.lms import grading
from apps.lms.models import Course, Enrolment, GradeCategory, GradeOverride, Review, Submission

CENT = Decimal("0.01")
GRADEBOOK_PAGE_SIZE = 50


def categories_of(course: Course) -> list[GradeCategory]:
    return list(GradeCategory.objects.filter(course=course).order_by("position", "pk"))


def has_grade(course_id: int) -> bool:
    """Whether the course gives a grade (it has grade categories): one query."""
    return GradeCategory.objects.filter(course_id=course_id).exists()


def weighted_grade(categories: list[GradeCategory], averages: dict[int, Decimal | None]) -> Decimal | None:
    """The weighted mean of the categories' ``averages`` (by category id), leaving out those
    without one; None when none has one."""
    weight = Decimal("0")
    total = Decimal("0")
    for category in categories:
        average = averages.get(category.pk)
        if average is None:
            continue
        weight += category.weight
        total += average * category.weight
    return (total / weight).quantize(CENT) if weight else None


def _average(items: dict[Any, Decimal]) -> Decimal | None:
    if not items:
        return None
    return (sum(items.values(), Decimal("0")) / len(items)).quantize(CENT)


@dataclass
class GradeRow:
    """One learner's line of the gradebook."""

    enrolment: Enrolment
    averages: dict[int, Decimal | None]
    computed: Decimal | None
    override: GradeOverride | None
    pass_mark: int
    overrides: list[GradeOverride] = field(default_factory=list)

    @property
    def final(self) -> Decimal | None:
        return self.override.new_grade if self.override is not None else self.computed

    @property
    def passed(self) -> bool | None:
        return None if self.final is None else self.final >= self.pass_mark

    def average_list(self, categories: list[GradeCategory]) -> list[Decimal | None]:
        return [self.averages.get(category.pk) for category in categories]


def grade_rows(course: Course, enrolments: list[Enrolment], categories: list[GradeCategory]) -> list[GradeRow]:
    """The gradebook's lines for ``enrolments`` of ``course`` (each source once, the overrides
    once)."""
    ids = [enrolment.pk for enrolment in enrolments]
    by_source = {kind: grading.scores(kind, course, ids) for kind in {category.source for category in categories}}
    overrides: dict[int, list[GradeOverride]] = defaultdict(list)
    for row in GradeOverride.objects.filter(enrolment_id__in=ids).select_related("by").order_by("-at", "-pk"):
        overrides[row.enrolment_id].append(row)
    rows = []
    for enrolment in enrolments:
        averages = {category.pk: _average(by_source[category.source].get(enrolment.pk, {})) for category in categories}
        history = overrides.get(enrolment.pk, [])
        rows.append(
            GradeRow(
                enrolment=enrolment,
                averages=averages,
                computed=weighted_grade(categories, averages),
                override=history[0] if history else None,
                pass_mark=course.pass_mark,
                overrides=history,
            )
        )
    return rows


def gradebook_enrolments(course: Course) -> QuerySet[Enrolment]:
    """The course's active learners, by name, with their users (the gradebook's rows)."""
    return (
        Enrolment.objects.filter(course=course, revoked_at__isnull=True)
        .select_related("user")
        .order_by("user__display_name", "user__email", "pk")
    )


def course_grade(enrolment: Enrolment, *, course: Course | None = None) -> Decimal | None:
    """The learner's course grade in force (an override, else computed); None when the course
    gives no grade or they have no graded item yet."""
    course = course or enrolment.course
    categories = categories_of(course)
    if not categories:
        return None
    return grade_rows(course, [enrolment], categories)[0].final


def overrides_of(course: Course) -> list[GradeOverride]:
    """The course's audit trail of overrides, newest first, with who made them and for whom."""
    return list(
        GradeOverride.objects.filter(enrolment__course=course)
        .select_related("by", "enrolment__user")
        .order_by("-at", "-pk")[:200]
    )


# --- The assignments' source ---------------------------------------------------------------------


def assignment_scores(course: Course, enrolment_ids: list[int]) -> dict[int, dict[int, Decimal]]:
    """Each learner's percent in each live assignment of ``course``: the grade of their newest
    graded try (one query). Tries waiting for a grade or returned do not count yet."""
    reviews = (
        Review.objects.filter(
            submission__enrolment_id__in=enrolment_ids,
            submission__assignment__lesson__course=course,
            submission__assignment__lesson__live=True,
            submission__status=Submission.Status.GRADED,
        )
        .order_by("submission__number")
        .values_list("submission__enrolment_id", "submission__assignment_id", "total", "points")
    )
    found: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for enrolment_id, assignment_id, total, points in reviews:  # the newest try last: it wins
        found[enrolment_id][assignment_id] = (Decimal(total) * 100 / points).quantize(CENT)
    return dict(found)


grading.register_source(GradeCategory.Source.ASSIGNMENTS, assignment_scores)
