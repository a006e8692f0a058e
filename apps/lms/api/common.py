"""What the LMS's API views share: error answers for the schema, services' refusals as API
errors, the instructors' gate and the objects they manage (404 for what one does not teach).

Status codes, the same for every endpoint:
- 400: invalid fields (``fields`` names them) or a refusal about the request itself (publishing a
  course without lessons, too many sections);
- 401: not signed in, where the endpoint needs someone;
- 403: the policy refuses what one may see (a paid course, a prerequisite not completed, a locked
  lesson, progress of someone not enrolled), with the policy's reason as the message;
- 404: what one may not see (another instructor's course, a draft) does not exist for them;
- 409: the request is fine but the state it met is not (already enrolled, a full or ended cohort,
  a draft saved after ``based_on``, an outline changed since it was read).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import ErrorOutput, error_body
from apps.core.publishing import DraftConflict
from apps.lms import permissions, selectors
from apps.lms.models import Course, Lesson, Section

TAGS = ["lms"]
LEARNING_TAGS = ["lms learning"]
MANAGE_TAGS = ["lms management"]


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorOutput, description=description)


NOT_SIGNED_IN = error("Not signed in (not_authenticated), or an invalid or outdated token.")
NOT_AN_INSTRUCTOR = error("Only instructors and admins manage courses.")
NOT_YOURS = error("No such course, section or lesson among those you teach.")
BAD_INPUT = error("Invalid fields (fields names them), or the service refused (the message says why).")
CONFLICT = error("Someone saved the draft after the revision you edited (based_on): the message names the newer one.")
NO_PAGE = error("No such page.")

# A locked lesson's 403 is the one error shape; its error also says when the lesson opens by
# itself (``opens_at``, null when it does not), a member the shape's clients may ignore.
LOCKED = error("The lesson is closed to you: the message says why, and error.opens_at when it opens by itself.")


def absolute_url(url: str) -> str:
    """``url`` on the site's own address (SITE_URL) when it is a path; other URLs as they are."""
    if url.startswith("/") and not url.startswith("//"):
        return f"{settings.SITE_URL.rstrip('/')}{url}"
    return url


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Someone changed this after you read it."


# Refusals that are about the state the request met rather than the request: 409.
CONFLICT_CODES = frozenset({"already_enrolled", "cohort_full", "cohort_ended", "stale_outline"})
# Refusals of the policy about something one may see: 403 with the reason.
REFUSAL_CODES = frozenset({"enrol_refused", "paid_course", "lesson_locked", "lesson_closed", "quiz_to_pass"})


def _detail(refusal: DjangoValidationError) -> Any:
    if hasattr(refusal, "error_dict"):
        return {
            ("non_field_errors" if name == NON_FIELD_ERRORS else name): messages
            for name, messages in refusal.message_dict.items()
        }
    return refusal.messages if len(refusal.messages) == 1 else {"non_field_errors": refusal.messages}


@contextmanager
def service_errors(status_by_code: Mapping[str, int] | None = None) -> Iterator[None]:
    """A service's refusal as the API's answer (see the module's docstring): PermissionDenied
    403 with its reason; DraftConflict 409; a ValidationError 409 or 403 by its code (the
    caller's ``status_by_code`` first), else 400 with its messages under their fields."""
    try:
        yield
    except DjangoPermissionDenied as refusal:
        raise exceptions.PermissionDenied(str(refusal) or "You may not do that.") from None
    except DraftConflict as conflict:
        raise Conflict(conflict.messages[0], code="draft_conflict") from None
    except DjangoValidationError as refusal:
        code = getattr(refusal, "code", None) or ""
        wanted = (status_by_code or {}).get(code)
        message = refusal.messages[0] if refusal.messages else "Refused."
        if wanted == 409 or (wanted is None and code in CONFLICT_CODES):
            raise Conflict(message, code=code) from None
        if wanted == 403 or (wanted is None and code in REFUSAL_CODES):
            raise exceptions.PermissionDenied(message, code=code) from None
        raise exceptions.ValidationError(_detail(refusal)) from None


def require_based_on_known(obj: Any, based_on: int) -> None:
    """A 409 for a ``based_on`` other than 0 on an object without any revision yet (rows written
    directly, not through the engine): the engine's DraftConflict names the newest revision's
    time, which such an object does not have, and would fail on it."""
    if obj.latest_revision == 0 and based_on != 0:
        raise Conflict(
            f"There is no revision {based_on}: this draft has no revision yet; send based_on 0.",
            code="draft_conflict",
        )


def locked(lock: permissions.Lock) -> Response:
    """A lesson's lock as the 403 it answers: the reason, and when it opens by itself (left out
    when it does not)."""
    body = error_body(403, code="lesson_locked", message=lock.reason, opens_at=_iso(lock.opens_at))
    return Response(body, status=status.HTTP_403_FORBIDDEN)


def _iso(moment: datetime | None) -> str | None:
    return serializers.DateTimeField().to_representation(moment) if moment is not None else None


# --- Instructors -------------------------------------------------------------------------------


def require_instructor(user: Any) -> None:
    """Course management is for instructors (the courses they teach) and admins (every course):
    others 403, as the shop's management is for shop owners."""
    if not (permissions.can_create_course(user) or permissions.is_lms_staff(user)):
        raise exceptions.PermissionDenied("Only instructors and admins manage courses.")


class InstructorView(APIView):
    """Signed in (401), then an instructor or admin (403), before anything else."""

    permission_classes = [IsAuthenticated]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        require_instructor(request.user)


def managed_course(user: Any, pk: int) -> Course:
    course = selectors.course_get_by_pk_for_editor(user=user, pk=pk)
    if course is None:
        raise exceptions.NotFound("No such course among those you teach.")
    return course


def managed_section(user: Any, pk: int) -> Section:
    section = Section.objects.filter(pk=pk).first()
    if section is None:
        raise exceptions.NotFound("No such section among the courses you teach.")
    section.course = managed_course(user, section.course_id)
    return section


def managed_lesson(user: Any, pk: int) -> Lesson:
    lesson = Lesson.objects.filter(pk=pk).first()
    if lesson is None:
        raise exceptions.NotFound("No such lesson among the courses you teach.")
    lesson.course = managed_course(user, lesson.course_id)
    return lesson


# --- Learners ---------------------------------------------------------------------------------


def visible_course(user: Any, slug: str) -> Course:
    """A live course for anyone, a draft for who may edit it; else 404."""
    course = selectors.course_get_for_user(user=user, slug=slug)
    if course is None:
        raise exceptions.NotFound("No such course.")
    return course


def visible_lesson(user: Any, course: Course, slug: str) -> Lesson:
    """A live lesson of ``course`` (its instructors may open drafts); else 404."""
    lesson = selectors.lesson_get(course=course, slug=slug, with_drafts=permissions.can_edit_course(user, course))
    if lesson is None:
        raise exceptions.NotFound("No such lesson.")
    return lesson
