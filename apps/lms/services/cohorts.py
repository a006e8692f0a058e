"""Writes of cohorts: runs of a course with dates and a seat limit.

A cohort of a paid live course sells its seats in the shop (``selling.cohort_offer_sync``, in the
same transaction, so a cohort and its offer change together). Its seat count never drops below the
seats taken (the row's check constraint and lock) nor below what the shop sold or holds (the
sellable's own refusal)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from apps.core.models import User
from apps.lms import permissions
from apps.lms.models import Cohort, Course
from apps.lms.services import selling
from apps.lms.services.courses import forget_course_pages

MAX_SEATS = 100_000


def _clean(*, name: str, starts_on: date, ends_on: date | None, seats: int | None) -> str:
    name = " ".join((name or "").split())
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Give the cohort a name."
    elif len(name) > 120:
        errors["name"] = "At most 120 characters."
    if not isinstance(starts_on, date):
        errors["starts_on"] = "A start date is required."
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "A cohort ends on or after its start."
    if seats is not None and not (isinstance(seats, int) and 1 <= seats <= MAX_SEATS):
        errors["seats"] = f"Seats are a whole number from 1 to {MAX_SEATS} (or none: no limit)."
    if errors:
        raise ValidationError(errors)
    return name


def cohort_create(
    *, actor: User, course: Course, name: str, starts_on: date, ends_on: date | None = None, seats: int | None = None
) -> Cohort:
    """A new cohort of ``course`` (who teaches it, and staff); its seats go on sale when the
    course is a live paid one."""
    if not permissions.can_edit_course(actor, course):
        raise PermissionDenied("You do not teach this course.")
    name = _clean(name=name, starts_on=starts_on, ends_on=ends_on, seats=seats)
    with transaction.atomic():
        cohort = Cohort.objects.create(course=course, name=name, starts_on=starts_on, ends_on=ends_on, seats=seats)
        # The course now sells seats of its cohorts, not places of its own.
        selling.course_offer_sync(course)
        forget_course_pages()
    return cohort


def cohort_update(
    *, actor: User, cohort: Cohort, name: str, starts_on: date, ends_on: date | None = None, seats: int | None = None
) -> Cohort:
    """Change a cohort's name, dates or seats. Refused (nothing changed) below the seats taken."""
    if not permissions.can_edit_course(actor, cohort.course):
        raise PermissionDenied("You do not teach this course.")
    name = _clean(name=name, starts_on=starts_on, ends_on=ends_on, seats=seats)
    with transaction.atomic():
        locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if seats is not None and seats < locked.seats_taken:
            raise ValidationError({"seats": f"{locked.seats_taken} seats are taken: keep at least that many."})
        locked.name, locked.starts_on, locked.ends_on, locked.seats = name, starts_on, ends_on, seats
        locked.save(update_fields=["name", "starts_on", "ends_on", "seats"])
        locked.course = cohort.course
        selling.cohort_offer_sync(locked)
        forget_course_pages()
    return locked
