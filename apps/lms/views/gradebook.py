"""A course's gradebook for who teaches it (/courses/manage/<course>/gradebook/): each learner's
category averages, computed grade, override and final grade with pass or fail; the categories and
their weights; overrides with their audit trail; and the CSV export (streamed)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.lms import selectors
from apps.lms import selectors_gradebook as reads
from apps.lms.forms import GradeCategoryForm, GradeOverrideForm
from apps.lms.models import Course, Enrolment, GradeCategory
from apps.lms.services import gradebook
from apps.lms.views import manage

CSV_BATCH = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _course(request: HttpRequest, pk: int) -> Course:
    course = selectors.course_get_by_pk_for_editor(user=request.user, pk=pk)
    if course is None:
        raise Http404("No such course among those you teach.")
    return course


@require_GET
@login_required
def gradebook_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The gradebook, a page of learners at a time."""
    course = _course(request, pk)
    return render(request, "lms/gradebook/gradebook.html", _context(request, course))


def _context(request: HttpRequest, course: Course, **extra: Any) -> dict[str, Any]:
    categories = reads.categories_of(course)
    page = Paginator(reads.gradebook_enrolments(course), reads.GRADEBOOK_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = reads.grade_rows(course, list(page.object_list), categories)
    return {
        "course": course,
        "categories": categories,
        "rows": [(row, row.average_list(categories)) for row in rows],
        "page": page,
        "trail": reads.overrides_of(course),
        "category_form": extra.pop("category_form", None) or GradeCategoryForm(),
        "weights": sum((category.weight for category in categories), Decimal("0")),
        "tabs": manage.tabs(course, "gradebook"),
        **extra,
    }


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@require_POST
@login_required
def category_create(request: HttpRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    form = GradeCategoryForm(request.POST)
    if not form.is_valid():
        context = _context(request, course, category_form=form)
        return render(request, "lms/gradebook/gradebook.html", context, status=422)
    try:
        gradebook.grade_category_create(actor=request.user, course=course, **form.cleaned_data)
    except ValidationError as exc:
        _refused(request, exc)
    return redirect("lms:gradebook", pk=course.pk)


@require_POST
@login_required
def category_delete(request: HttpRequest, pk: int, category_pk: int) -> HttpResponse:
    course = _course(request, pk)
    category = GradeCategory.objects.filter(pk=category_pk, course=course).first()
    if category is None:
        raise Http404("No such category.")
    category.course = course
    gradebook.grade_category_delete(actor=request.user, category=category)
    return redirect("lms:gradebook", pk=course.pk)


@require_POST
@login_required
def grade_override(request: HttpRequest, pk: int) -> HttpResponse:
    """Set one learner's grade, with a reason (a new line of the audit trail)."""
    course = _course(request, pk)
    form = GradeOverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("lms:gradebook", pk=course.pk)
    enrolment = Enrolment.objects.filter(pk=form.cleaned_data["enrolment"], course=course).first()
    if enrolment is None:
        raise Http404("No such learner in this course.")
    enrolment.course = course
    try:
        gradebook.grade_override(
            actor=request.user,
            enrolment=enrolment,
            grade=form.cleaned_data["grade"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "The grade was changed.")
    return redirect("lms:gradebook", pk=course.pk)


def csv_cell(value: Any) -> str:
    """A cell as a spreadsheet reads it as text: one starting with = + - @ (a formula to a
    spreadsheet) is quoted with a leading apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(course: Course) -> Iterator[str]:
    writer = csv.writer(_Echo())
    categories = reads.categories_of(course)
    heads = [f"{category.name} ({category.weight.normalize():f})" for category in categories]
    names = ["Learner", "Email", *heads, "Computed", "Override", "Final", "Passed"]
    yield writer.writerow([csv_cell(name) for name in names])
    enrolments = reads.gradebook_enrolments(course)
    last_pk = 0
    # Batches by id, each costing a fixed number of queries, so a large course streams steadily.
    while batch := list(enrolments.filter(pk__gt=last_pk).order_by("pk")[:CSV_BATCH]):
        last_pk = batch[-1].pk
        for row in reads.grade_rows(course, batch, categories):
            passed = "" if row.passed is None else ("yes" if row.passed else "no")
            cells = [
                row.enrolment.user.get_short_name(),
                row.enrolment.user.email,
                *row.average_list(categories),
                row.computed,
                row.override.new_grade if row.override else None,
                row.final,
                passed,
            ]
            yield writer.writerow([csv_cell(cell) for cell in cells])


@require_GET
@login_required
def gradebook_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The gradebook as CSV: one row per active learner, a column per category, the final grade."""
    course = _course(request, pk)
    response = StreamingHttpResponse(_csv_rows(course), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gradebook-{course.slug}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
