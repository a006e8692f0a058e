"""What instructors do for their learners from their home (/dashboard/instructor/): nudge a
learner who has been away (apps/lms/panels.py lists them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from apps.lms import selectors
from apps.lms.services import teaching


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
