"""What instructors do for their learners: nudge a learner who has been away (from their home,
/dashboard/instructor/, whose panels list them: apps/lms/panels.py), post announcements to a
course's learners (/courses/manage/<id>/announcements/) and invite people into a course
(/courses/manage/<id>/invitations/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.lms import selectors
from apps.lms.forms import AnnouncementForm, InvitationForm
from apps.lms.services import announcements, invitations, teaching
from apps.lms.views import manage


@require_POST
@login_required
@vary_on_headers("HX-Request")
def learner_nudge(request: HttpRequest, pk: int) -> HttpResponse:
    """Nudge one learner (htmx: their row says so); a course one does not teach is a 404."""
    enrolment = selectors.enrolment_get_for_teacher(user=request.user, pk=pk)
    if enrolment is None:
        raise Http404("No such learner.")
    try:
        teaching.learner_nudge(actor=request.user, enrolment=enrolment)
        text, status = f"{enrolment.user.get_short_name()} was reminded of {enrolment.course.title}.", 200
    except ValidationError as exc:
        text, status = " ".join(exc.messages), 409
    if request.htmx:
        return HttpResponse(format_html('<li id="at-risk-{}" role="status">{}</li>', enrolment.pk, text), status=status)
    (messages.success if status == 200 else messages.error)(request, text)
    return redirect("dashboard-page", key="instructor")


@login_required
@vary_on_headers("HX-Request")
def course_announcements(request: HttpRequest, pk: int) -> HttpResponse:
    """A course's announcements and the form to post one (who teaches it, and staff; anyone
    else: 404, as if it did not exist)."""
    course = selectors.course_get_by_pk_for_editor(user=request.user, pk=pk)
    if course is None:
        raise Http404("No such course.")
    form = AnnouncementForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                announcements.announcement_post(actor=request.user, course=course, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)  # a refusal's fields (title, body) land on theirs
            else:
                messages.success(request, "Your announcement is on its way to the course's learners.")
                return redirect("lms:announcements", pk=course.pk)
        status = 400
    context = {
        "course": course,
        "form": form,
        "announcements": selectors.announcements_of(course),
        "tabs": manage.tabs(course, "announcements"),
    }
    return render(request, "lms/manage/announcements.html", context, status=status)


def _said(done: invitations.Invited) -> str:
    parts = []
    if done.enrolled:
        parts.append(f"{len(done.enrolled)} given a place now")
    if done.emailed:
        parts.append(f"{len(done.emailed)} sent a link by email")
    if done.already:
        parts.append(f"{len(done.already)} already enrolled ({', '.join(done.already[:3])})")
    return "Invited: " + "; ".join(parts) + "."


@require_http_methods(["GET", "POST"])
@login_required
def course_invitations(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite people into a course one teaches (404 for any other), and see who was invited."""
    course = selectors.course_get_by_pk_for_editor(user=request.user, pk=pk)
    if course is None:
        raise Http404("No such course among those you teach.")
    form = InvitationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            emails = form.cleaned_data["emails"]
            try:
                done = invitations.invitations_send(actor=request.user, course=course, emails=emails)
            except ValidationError as exc:
                found = exc.message_dict.get("emails", exc.messages) if hasattr(exc, "error_dict") else exc.messages
                for message in found:
                    form.add_error("emails", message)
            else:
                messages.success(request, _said(done))
                return redirect("lms:invitations", pk=course.pk)
        status = 422
    context = {
        "course": course,
        "form": form,
        "invitations": selectors.invitations_of(course),
        "tabs": manage.tabs(course, "invitations"),
    }
    return render(request, "lms/course_invitations.html", context, status=status)
