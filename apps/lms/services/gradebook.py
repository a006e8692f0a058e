"""Writes of the gradebook: a course's weighted grade categories, instructors' overrides of a
learner's grade (append-only, with a reason: the audit trail), and the certificate a grade earns.

A learner who completed a course that gives a grade gets its certificate once their grade
reaches the pass mark (``certificate_award``): at completion when they pass already
(services/learning.py), else when a later grade or an override makes them pass
(services/assignments.py, ``grade_override``). ``certificate_issue`` decides, with the grade.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from apps.core.models import User
from apps.lms import permissions
from apps.lms import selectors_gradebook as reads
from apps.lms.models import Certificate, Course, Enrolment, GradeCategory, GradeOverride
from apps.lms.services import certificates

MAX_CATEGORIES = 10
MAX_REASON = 500


def _require_grader(actor: User, course: Course) -> None:
    if not permissions.can_grade(actor, course):
        raise PermissionDenied("Only the course's instructors manage its gradebook.")


def _weight(value: Any) -> Decimal:
    try:
        weight = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"weight": "Give the weight as a number."}, code="bad_weight") from None
    if not weight.is_finite() or weight <= 0 or weight > 100:
        raise ValidationError({"weight": "A weight is more than 0 and at most 100."}, code="bad_weight")
    return weight


def grade_category_create(*, actor: User, course: Course, name: str, weight: Any, source: str) -> GradeCategory:
    """A weighted category of ``course``'s grade, averaging the items of ``source`` (one per
    source). Weights are relative: 40 and 60 weigh as 2 and 3."""
    _require_grader(actor, course)
    name = " ".join(str(name or "").split())[:80]
    if not name:
        raise ValidationError({"name": "Name the category."}, code="name_required")
    if source not in GradeCategory.Source.values:
        raise ValidationError({"source": "Choose quizzes or assignments."}, code="bad_source")
    weight = _weight(weight)
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=course.pk).first()  # one writer of its categories
        existing = GradeCategory.objects.filter(course=course)
        if existing.count() >= MAX_CATEGORIES:
            raise ValidationError(f"At most {MAX_CATEGORIES} categories.", code="too_many_categories")
        if existing.filter(source=source).exists():
            raise ValidationError({"source": "This course already has a category of that source."}, code="duplicate")
        position = (existing.aggregate(last=Max("position"))["last"] or 0) + 1
        try:
            with transaction.atomic():
                return GradeCategory.objects.create(
                    course=course, name=name, weight=weight, source=source, position=position
                )
        except IntegrityError:
            raise ValidationError({"source": "This course already has a category of that source."}) from None


def grade_category_delete(*, actor: User, category: GradeCategory) -> None:
    _require_grader(actor, category.course)
    GradeCategory.objects.filter(pk=category.pk).delete()


def _new_grade(value: Any) -> Decimal:
    try:
        grade = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"grade": "Give the grade in percent."}, code="bad_grade") from None
    if not grade.is_finite() or grade < 0 or grade > 100:
        raise ValidationError({"grade": "A grade is between 0 and 100 percent."}, code="bad_grade")
    return grade


def grade_override(*, actor: User, enrolment: Enrolment, grade: Any, reason: str) -> GradeOverride:
    """Set ``enrolment``'s course grade to ``grade`` (percent), saying why: who teaches the course
    and staff. A new row of the audit trail (who, when, the grade before, the new one, why);
    earlier ones are kept. The certificate follows if the new grade earns it."""
    course = enrolment.course
    _require_grader(actor, course)
    if enrolment.revoked_at is not None:
        raise ValidationError("This learner's place has ended.", code="not_learning")
    if not reads.has_grade(course.pk):
        raise ValidationError("This course gives no grade: add a grade category first.", code="no_grade")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Say why the grade is changed."}, code="reason_required")
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": f"At most {MAX_REASON} characters."}, code="reason_too_long")
    new = _new_grade(grade)
    with transaction.atomic():
        # Under the enrolment's lock: two overrides at once each record the grade the other left.
        Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
        old = reads.course_grade(enrolment, course=course)
        override = GradeOverride.objects.create(
            enrolment=enrolment, old_grade=old, new_grade=new, reason=reason, by=actor
        )
        certificate_award(enrolment)
    return override


def certificate_award(enrolment: Enrolment) -> Certificate | None:
    """Issue the certificate the learner's grade earns, if they completed a course that gives a
    grade (None otherwise, or when the grade falls short of the pass mark or is not there yet)."""
    fresh = Enrolment.objects.select_related("course").get(pk=enrolment.pk)
    if fresh.completed_at is None or fresh.revoked_at is not None or not reads.has_grade(fresh.course_id):
        return None
    grade = reads.course_grade(fresh, course=fresh.course)
    if grade is None:
        return None
    return certificates.certificate_issue(enrolment=fresh, grade=grade)
