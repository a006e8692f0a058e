"""Assignments' pages: who teaches sets one up (its settings and rubric); a learner hands one in
from its lesson's page (htmx swaps the assignment's part); who teaches reads the grading queue
(/courses/manage/grading/), grades one submission on its page with the rubric, and downloads its
file through a view that checks who asks (the file's storage address is never shown)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.lms import permissions, selectors
from apps.lms import selectors_assignments as reads
from apps.lms.forms import AssignmentSettingsForm, GradeForm, SubmissionForm
from apps.lms.models import Lesson, Submission
from apps.lms.services import assignments
from apps.lms.submission_files import content_type_of, extension_of


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _assignment_context(found: selectors.LessonView, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    view = reads.assignment_view(found.lesson, user=request.user, enrolment=found.view.enrolment, lock=found.lock)
    if view is None:
        raise Http404("This lesson takes no submissions.")
    form = extra.pop("form", None) or SubmissionForm(assignment=view.assignment)
    return {"course": found.view.course, "lesson": found.lesson, "assignment": view, "submit_form": form, **extra}


@require_POST
@login_required
@vary_on_headers("HX-Request")
def submission_create(request: HttpRequest, slug: str, lesson_slug: str) -> HttpResponse:
    """Hand in an assignment (htmx: the assignment's part of the page, with the new try or the
    form's errors; else back to the lesson)."""
    from apps.lms.views.learn import _lesson_or_404

    found = _lesson_or_404(request, slug, lesson_slug)
    assignment = reads.assignment_of(found.lesson)
    if assignment is None:
        raise Http404("This lesson takes no submissions.")
    form = SubmissionForm(request.POST, request.FILES, assignment=assignment)
    status = 200
    if form.is_valid():
        try:
            assignments.submission_create(
                user=request.user,
                enrolment=found.view.enrolment,
                lesson=found.lesson,
                text=form.cleaned_data.get("text", ""),
                file=form.cleaned_data.get("file"),
            )
            form = None
        except ValidationError as exc:
            for name, errors in _errors(exc).items():
                form.add_error(name if name in form.fields else None, errors)
            status = 422
    else:
        status = 422
    if request.htmx:
        context = _assignment_context(found, request, form=form, submitted=form is None)
        return render(request, "lms/grading/_assignment.html", context, status=status)
    if form is None:
        messages.success(request, "Handed in: your instructors have been told.")
    else:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return redirect(found.lesson.get_absolute_url())


def _require_teacher(request: HttpRequest) -> None:
    if not (permissions.can_create_course(request.user) or permissions.is_lms_staff(request.user)):
        raise PermissionDenied("Only instructors and admins grade assignments.")


@require_GET
@login_required
def grading_queue(request: HttpRequest) -> HttpResponse:
    """The submissions waiting for a grade in the courses one teaches (staff: all), oldest
    first."""
    _require_teacher(request)
    page = Paginator(reads.grading_queue(request.user), reads.QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "lms/grading/queue.html", {"page": page, "submissions": page.object_list})


def _submission_for_grader(request: HttpRequest, pk: int) -> Submission:
    _require_teacher(request)
    submission = reads.submission_get_for_grader(user=request.user, pk=pk)
    if submission is None:
        raise Http404("No such submission among the courses you teach.")
    return submission


@require_http_methods(["GET", "POST"])
@login_required
def submission_grade(request: HttpRequest, pk: int) -> HttpResponse:
    """One submission with its text, file, the learner's earlier tries and the rubric form."""
    submission = _submission_for_grader(request, pk)
    assignment, review = submission.assignment, reads.review_of(submission)
    form = GradeForm(request.POST or None, assignment=assignment, review=review)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = assignments.GradeInput(
                scores=form.scores(),
                total=form.cleaned_data.get("total"),
                feedback=form.cleaned_data["feedback"],
                based_on=form.cleaned_data["based_on"],
                return_it=form.cleaned_data["return_it"],
            )
            try:
                assignments.submission_grade(actor=request.user, submission=submission, data=data)
            except ValidationError as exc:
                status = 409 if getattr(exc, "code", "") == "grade_conflict" else 422
                for name, errors in _errors(exc).items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, f"Graded {submission.enrolment.user.get_short_name()}'s submission.")
                return redirect("lms:grading-queue")
    context = {
        "submission": submission,
        "assignment": assignment,
        "lesson": assignment.lesson,
        "course": assignment.lesson.course,
        "review": review,
        "form": form,
        "history": [row for row in reads.submissions_of(submission.enrolment, assignment) if row.pk != submission.pk],
    }
    return render(request, "lms/grading/submission.html", context, status=status)


@require_GET
@login_required
def submission_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A submission's file, as an attachment: for its learner, who teaches the course, and staff
    (anyone else: 404). Served as the type its checked extension says, never sniffed by the
    browser, under the name it was uploaded with."""
    submission = reads.submission_get_for_viewer(user=request.user, pk=pk)
    if submission is None or not submission.file:
        raise Http404("No such file.")
    try:
        handle = submission.file.open("rb")
    except (OSError, ValueError):
        raise Http404("This file is no longer stored.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=submission.file_name or f"submission.{extension_of(submission.file.name)}",
        content_type=content_type_of(extension_of(submission.file.name)),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@login_required
def assignment_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """An assignment lesson's settings and rubric (/courses/manage/lessons/<id>/assignment/)."""
    lesson = Lesson.objects.filter(pk=pk, kind=Lesson.Kind.ASSIGNMENT).first()
    course = selectors.course_get_by_pk_for_editor(user=request.user, pk=lesson.course_id) if lesson else None
    if lesson is None or course is None:
        raise Http404("No such assignment among the courses you teach.")
    lesson.course = course
    assignment = reads.assignment_of(lesson)
    form = AssignmentSettingsForm(request.POST or None, initial=AssignmentSettingsForm.initial_for(assignment))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            settings = assignments.AssignmentSettings(
                **{name: data[name] for name in ("submission_type", "max_file_mb", "due_at", "due_after_days")},
                allowed_extensions=tuple(data["allowed_extensions"]),
                accept_late=data["accept_late"],
                allow_resubmission=data["allow_resubmission"],
                points=data["points"],
            )
            criteria = [assignments.CriterionInput(title, points, text) for points, title, text in data["rubric"]]
            try:
                assignments.assignment_save(actor=request.user, lesson=lesson, settings=settings, criteria=criteria)
            except ValidationError as exc:
                for name, errors in _errors(exc).items():
                    form.add_error(name if name in form.fields else "rubric" if name == "criteria" else None, errors)
            else:
                messages.success(request, f"“{lesson.title}” was saved.")
                return redirect("lms:assignment-settings", pk=lesson.pk)
    context = {"lesson": lesson, "course": course, "assignment": assignment, "form": form}
    return render(request, "lms/grading/assignment_settings.html", context, status=status)
