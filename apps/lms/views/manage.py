"""The course editor on the site, for instructors (the courses they teach) and admins (every
course), under /courses/manage/: the list of one's courses, a course's settings (its landing
page's draft, price and rules, cover, publication, co-instructors). The outline and lessons are
in manage_outline.py, the learners in manage_learners.py.

Access, for every page and action: anonymous visitors go to the sign-in page; signed in but
neither instructor nor admin 403; a course one does not teach 404, as if it did not exist (as
the API answers). Every rule is apps/lms/permissions.py's, asked by the selectors and services.
Each action is a plain POST that redirects back with a message; a refusal re-renders the page
with the form's errors (422, 409 for a draft saved by someone else) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.api import json_error
from apps.core.blocks import render_blocks
from apps.core.models import User
from apps.core.publishing import DraftConflict
from apps.lms import permissions, selectors, selectors_manage
from apps.lms.forms_manage import (
    CourseContentForm,
    CourseCreateForm,
    CourseSettingsForm,
    CoverForm,
    InstructorAddForm,
    ScheduleForm,
)
from apps.lms.models import Course
from apps.lms.services import courses as services

COURSES_PAGE_SIZE = 50


def errors_of(exc: ValidationError | PermissionDenied) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc) or "You may not do that."])


def require_teacher(user: Any) -> None:
    """The editor is for instructors and admins: anyone else signed in is refused (403)."""
    if not (permissions.can_create_course(user) or permissions.is_lms_staff(user)):
        raise PermissionDenied("Only instructors and admins manage courses.")


def save_draft(form: Any, save: Callable[[], int]) -> tuple[int | None, int]:
    """Save a draft from a content ``form`` through ``save`` (a draft service answering the new
    revision): (revision, 200), or (None, status) with the refusal on the form: 409 for a draft
    saved by someone else since the form's ``based_on``, 422 for anything else."""
    if not form.is_valid():
        return None, 422
    try:
        return save(), 200
    except DraftConflict as exc:
        form.add_error(None, exc.messages)
        return None, 409
    except ValidationError as exc:
        form.add_error(None, exc)
        return None, 422


def managed_course(request: HttpRequest, pk: int) -> Course:
    """The course ``pk`` if the signed-in user teaches it (staff: any), with its teachers; 403
    for who teaches nothing, 404 for a course they do not teach."""
    require_teacher(request.user)
    course = selectors.course_get_by_pk_for_editor(user=request.user, pk=pk)
    if course is None:
        raise Http404("No such course among those you teach.")
    return course


def tabs(course: Course, current: str) -> list[dict[str, Any]]:
    """The tab bar of every course-management page (templates/lms/manage/_tabs.html)."""
    pages = (
        ("settings", "Settings", "lms:manage-course"),
        ("outline", "Outline", "lms:manage-outline"),
        ("learners", "Learners", "lms:manage-learners"),
        ("quizzes", "Quizzes", "lms:quiz-bank"),
        ("gradebook", "Gradebook", "lms:gradebook"),
        ("announcements", "Announcements", "lms:announcements"),
        ("invitations", "Invitations", "lms:invitations"),
    )
    return [
        {"label": label, "url": reverse(name, args=[course.pk]), "current": key == current}
        for key, label, name in pages
    ]


def manage_context(course: Course, current: str, **extra: Any) -> dict[str, Any]:
    return {"course": course, "tabs": tabs(course, current), **extra}


# --- The courses I teach ------------------------------------------------------------------------


@login_required
@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    """The courses one teaches (staff: all) with their status and learners, and "New course"."""
    require_teacher(request.user)
    page = Paginator(selectors.courses_taught(request.user), COURSES_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "courses": page.object_list,
        "create_form": CourseCreateForm(),
        "can_create": permissions.can_create_course(request.user),
    }
    return render(request, "lms/manage/course_list.html", context)


@login_required
@require_POST
def course_create(request: HttpRequest) -> HttpResponse:
    """A new course from its title alone: a draft the creator owns, opened at its settings."""
    if not permissions.can_create_course(request.user):
        raise PermissionDenied("Only instructors create courses.")
    form = CourseCreateForm(request.POST)
    if form.is_valid():
        try:
            course = services.course_create(actor=request.user, data=services.CourseInput(**form.cleaned_data))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"“{course.title}” is created as a draft. Fill in its landing page.")
            return redirect("lms:manage-course", course.pk)
    page = Paginator(selectors.courses_taught(request.user), COURSES_PAGE_SIZE).get_page(1)
    context = {"page": page, "courses": page.object_list, "create_form": form, "can_create": True}
    return render(request, "lms/manage/course_list.html", context, status=422)


# --- A course's settings ------------------------------------------------------------------------


def _settings_page(request: HttpRequest, course: Course, *, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    content = forms.get("content_form") or CourseContentForm(
        initial=CourseContentForm.initial_for(services.course_draft(course), course.latest_revision)
    )
    prerequisites = selectors_manage.prerequisite_choices(user, course)
    settings_form = forms.get("settings_form") or CourseSettingsForm(
        initial=CourseSettingsForm.initial_for(course), prerequisites=prerequisites
    )
    context = manage_context(
        course,
        "settings",
        content_form=content,
        settings_form=settings_form,
        cover_form=forms.get("cover_form") or CoverForm(),
        schedule_form=forms.get("schedule_form") or ScheduleForm(),
        instructor_form=forms.get("instructor_form") or InstructorAddForm(),
        instructors=selectors.instructors_of(course),
        can_grant=permissions.can_grant_instructor(user, course),
    )
    return render(request, "lms/manage/course_settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def course_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """The landing page's draft (a new revision; a stale form is told of the conflict and keeps
    its text) and, beside it, the course's other settings."""
    course = managed_course(request, pk)
    if request.method == "GET":
        return _settings_page(request, course)
    form = CourseContentForm(request.POST)
    revision, status = save_draft(
        form,
        lambda: services.course_update(
            actor=request.user, course=course, data=form.course_input(), based_on=form.cleaned_data["based_on"]
        ),
    )
    if revision is not None:
        messages.success(request, f"Draft saved (revision {revision}). Publish it to show it to learners.")
        return redirect("lms:manage-course", course.pk)
    return _settings_page(request, course, status=status, content_form=form)


@require_POST
def course_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """The writer's editor saves the landing page's draft here every few seconds (the answer the
    blog's autosave gives, static/js/rich-editor.js): 409 with the other revision on a conflict."""
    if not request.user.is_authenticated:
        return json_error(403, message="Sign in to save drafts.")
    course = selectors.course_get_by_pk_for_editor(user=request.user, pk=pk)
    if course is None:
        return json_error(404, message="No such course among those you teach.")
    form = CourseContentForm(request.POST)
    if not form.is_valid():
        return form_error(form)
    try:
        revision = services.course_update(
            actor=request.user, course=course, data=form.course_input(), based_on=form.cleaned_data["based_on"]
        )
    except DraftConflict as exc:
        return conflict(exc, services.course_draft(course), "description")
    except (ValidationError, PermissionDenied) as exc:
        return json_error(400 if isinstance(exc, ValidationError) else 403, code="invalid", message=errors_of(exc))
    url = reverse("lms:manage-course", args=[course.pk])
    return autosaved(revision, url, reverse("lms:manage-course-autosave", args=[course.pk]))


def form_error(form: Any) -> JsonResponse:
    fields = {name: [str(message) for message in errors] for name, errors in form.errors.items()}
    first = next(iter(fields.values()))[0] if fields else "The draft could not be read."
    return json_error(400, code="invalid", message=first, fields=fields)


def conflict(exc: DraftConflict, theirs: dict[str, Any], body: str) -> JsonResponse:
    return json_error(
        409,
        code="conflict",
        message="Someone else saved this draft.",
        conflict={
            "revision": exc.latest.get("number"),
            "title": theirs.get("title", ""),
            "body": theirs.get(body) or [],
            "body_html": str(render_blocks(theirs.get(body) or [])),
        },
    )


def autosaved(revision: int, edit_url: str, autosave_url: str) -> JsonResponse:
    return JsonResponse(
        {
            "revision": revision,
            "saved_at": timezone.now().isoformat(timespec="seconds"),
            "edit_url": edit_url,
            "autosave_url": autosave_url,
        }
    )


def _done(request: HttpRequest, course: Course, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("lms:manage-course", course.pk)


@login_required
@require_POST
def course_settings_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Price or free, currency, pass mark and prerequisite: applied at once."""
    course = managed_course(request, pk)
    form = CourseSettingsForm(request.POST, prerequisites=selectors_manage.prerequisite_choices(request.user, course))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.course_settings_update(
                actor=request.user,
                course=course,
                price=form.amount(),
                currency=data["currency"],
                pass_mark=data["pass_mark"],
                prerequisite=data["prerequisite"],
            )
        except ValidationError as exc:
            course.refresh_from_db()
            form.add_error(None, exc)
        else:
            return _done(request, course, "Price and rules saved.")
    return _settings_page(request, course, status=422, settings_form=form)


@login_required
@require_POST
def course_cover(request: HttpRequest, pk: int) -> HttpResponse:
    course = managed_course(request, pk)
    form = CoverForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.course_cover_set(actor=request.user, course=course, upload=form.cleaned_data["cover"])
        except ValidationError as exc:
            form.add_error("cover", exc.message_dict.get("cover") if hasattr(exc, "error_dict") else exc)
        else:
            return _done(request, course, "Cover saved.")
    return _settings_page(request, course, status=422, cover_form=form)


@login_required
@require_POST
def course_cover_remove(request: HttpRequest, pk: int) -> HttpResponse:
    course = managed_course(request, pk)
    services.course_cover_remove(actor=request.user, course=course)
    return _done(request, course, "Cover removed.")


def _refused(request: HttpRequest, course: Course, exc: ValidationError | PermissionDenied) -> HttpResponse:
    messages.error(request, errors_of(exc))
    return _settings_page(request, course, status=422)


@login_required
@require_POST
def course_publish(request: HttpRequest, pk: int) -> HttpResponse:
    course = managed_course(request, pk)
    try:
        services.course_publish(actor=request.user, course=course)
    except ValidationError as exc:
        return _refused(request, course, exc)
    return _done(request, course, f"“{course.title}” is published.")


@login_required
@require_POST
def course_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    course = managed_course(request, pk)
    services.course_unpublish(actor=request.user, course=course)
    return _done(request, course, f"“{course.title}” is off the catalogue; its learners keep their places.")


@login_required
@require_POST
def course_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    course = managed_course(request, pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        when = form.cleaned_data["go_live_at"]
        try:
            services.course_schedule(actor=request.user, course=course, go_live_at=when)
        except ValidationError as exc:
            form.add_error("go_live_at", exc)
        else:
            return _done(request, course, f"The newest draft goes live at {when:%Y-%m-%d %H:%M} UTC.")
    return _settings_page(request, course, status=422, schedule_form=form)


@login_required
@require_POST
def course_unschedule(request: HttpRequest, pk: int) -> HttpResponse:
    course = managed_course(request, pk)
    services.course_schedule(actor=request.user, course=course, go_live_at=None)
    return _done(request, course, "The scheduled publication is cancelled.")


# --- Co-instructors (the owner and staff) --------------------------------------------------------


@login_required
@require_POST
def instructor_add(request: HttpRequest, pk: int) -> HttpResponse:
    course = managed_course(request, pk)
    if not permissions.can_grant_instructor(request.user, course):
        raise PermissionDenied("Only the course's owner and admins add co-instructors.")
    form = InstructorAddForm(request.POST)
    if form.is_valid():
        user = User.objects.filter(email__iexact=form.cleaned_data["email"], is_active=True).first()
        try:
            if user is None:
                raise ValidationError("Nobody has this email address here.")
            services.instructor_grant(actor=request.user, course=course, user=user)
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            return _done(request, course, f"{user} now teaches this course.")
    return _settings_page(request, course, status=422, instructor_form=form)


@login_required
@require_POST
def instructor_remove(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    course = managed_course(request, pk)
    if not permissions.can_grant_instructor(request.user, course):
        raise PermissionDenied("Only the course's owner and admins remove co-instructors.")
    grant = course.co_instructors.filter(user_id=user_pk).select_related("user").first()
    if grant is None:
        raise Http404("No such co-instructor.")
    services.instructor_revoke(actor=request.user, course=course, user=grant.user)
    return _done(request, course, f"{grant.user} no longer teaches this course.")
