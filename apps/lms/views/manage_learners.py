"""The course editor's learners (/courses/manage/<pk>/learners/): the course's enrolments with
their progress, and per learner the lessons its drip holds back for them, each with "Open now
for this learner" and "Clear override" (``lesson_open_for`` / ``lesson_opening_clear``). Access
as in manage.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.lms import selectors_manage
from apps.lms.models import Course, Enrolment, Lesson
from apps.lms.services import learning
from apps.lms.views.manage import errors_of, manage_context, managed_course


@login_required
@require_GET
def learners(request: HttpRequest, pk: int) -> HttpResponse:
    """The course's enrolments, newest first, with progress: two queries per page."""
    course = managed_course(request, pk)
    page = Paginator(selectors_manage.learners_of(course), selectors_manage.LEARNERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    total = selectors_manage.live_lesson_count(course)
    for enrolment in page.object_list:
        enrolment.percent = round(100 * enrolment.done / total) if total else 0
    context = manage_context(course, "learners", page=page, enrolments=page.object_list, total=total)
    return render(request, "lms/manage/learners.html", context)


def _learner(request: HttpRequest, pk: int, enrolment_pk: int) -> tuple[Course, Enrolment]:
    course = managed_course(request, pk)
    enrolment = selectors_manage.learner_get(course=course, pk=enrolment_pk)
    if enrolment is None:
        raise Http404("No such learner in this course.")
    return course, enrolment


def _learner_page(request: HttpRequest, course: Course, enrolment: Enrolment, status: int = 200) -> HttpResponse:
    rows = selectors_manage.drip_rows(course=course, enrolment=enrolment)
    context = manage_context(course, "learners", enrolment=enrolment, rows=rows)
    return render(request, "lms/manage/learner_detail.html", context, status=status)


@login_required
@require_GET
def learner_detail(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    """One learner's drip: which lessons are held back for them, until when, and the overrides."""
    course, enrolment = _learner(request, pk, enrolment_pk)
    return _learner_page(request, course, enrolment)


def _drip_lesson(course: Course, request: HttpRequest) -> Lesson:
    lesson_pk = request.POST.get("lesson", "")
    lesson = Lesson.objects.filter(course=course, pk=int(lesson_pk)).first() if lesson_pk.isdigit() else None
    if lesson is None:
        raise Http404("No such lesson in this course.")
    lesson.course = course
    return lesson


@login_required
@require_POST
def learner_open(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    course, enrolment = _learner(request, pk, enrolment_pk)
    lesson = _drip_lesson(course, request)
    try:
        learning.lesson_open_for(actor=request.user, enrolment=enrolment, lesson=lesson)
    except ValidationError as exc:
        messages.error(request, errors_of(exc))
        return _learner_page(request, course, enrolment, status=422)
    messages.success(request, f"“{lesson.title}” is open now for {enrolment.user}.")
    return redirect("lms:manage-learner", course.pk, enrolment.pk)


@login_required
@require_POST
def learner_clear(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    course, enrolment = _learner(request, pk, enrolment_pk)
    lesson = _drip_lesson(course, request)
    learning.lesson_opening_clear(actor=request.user, enrolment=enrolment, lesson=lesson)
    messages.success(request, f"“{lesson.title}” follows its own opening rules again for {enrolment.user}.")
    return redirect("lms:manage-learner", course.pk, enrolment.pk)
