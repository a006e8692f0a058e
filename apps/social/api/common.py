"""What the social network's API views share: error answers for the schema, the services'
refusals as API errors, the cursor pagination of every list, and finding a person by handle.

Status codes, the same for every endpoint:
- 400: invalid fields (``fields`` names them);
- 401: not signed in, where the endpoint needs someone;
- 403: the rules refuse (a locked account's lists, a conversation one may not write to, a block);
- 404: nobody has that handle for the caller (a block hides both ways), no such conversation
  among the caller's, or a cursor that names no page;
- 409: the request is fine but the state it met is not (following oneself, no request to
  approve, a message past its edit window or deleted);
- 429: throttled, or sending messages too fast (``retry_after``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination

from apps.core.api import ErrorOutput
from apps.social import relations, selectors_people
from apps.social.models import Profile

TAGS = ["social"]


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorOutput, description=description)


NOT_SIGNED_IN = error("Not signed in (not_authenticated), or an invalid or outdated token.")
NOBODY = error("Nobody has that handle (for you: a block hides both ways).")
BAD_INPUT = error("Invalid fields (fields names them).")
REFUSED = error("The rules refuse this (the message says why).")
CONFLICT = error("The request met a state it cannot change (the message says why).")
NO_CONVERSATION = error("No such conversation among yours (or no such message in it).")


def absolute_url(url: str) -> str:
    """``url`` on the site's own address (SITE_URL) when it is a path; other URLs as they are."""
    if url.startswith("/") and not url.startswith("//"):
        return f"{settings.SITE_URL.rstrip('/')}{url}"
    return url


def file_url(field: Any) -> str | None:
    """A file field's absolute URL, None when empty."""
    return absolute_url(field.url) if field else None


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "This cannot be done in the state it is in."


class TooFast(exceptions.Throttled):
    default_code = "rate_limited"


# The services' refusal codes by the status they answer (others: 400 with their fields).
STATUS_BY_CODE: dict[str, int] = {
    "self": 409,
    "no_request": 409,
    "not_a_request": 409,
    "edit_window": 409,
    "deleted": 409,
    "blocking": 403,
    "blocked": 403,
}


def _detail(refusal: DjangoValidationError, renames: Mapping[str, str]) -> Any:
    if hasattr(refusal, "error_dict"):
        return {
            renames.get(name, "non_field_errors" if name == NON_FIELD_ERRORS else name): messages
            for name, messages in refusal.message_dict.items()
        }
    return {"non_field_errors": refusal.messages}


@contextmanager
def service_errors(renames: Mapping[str, str] | None = None) -> Iterator[None]:
    """A service's refusal as the API's answer (see the module's docstring): PermissionDenied
    403 with its reason; a rate limit 429 with its wait; a ValidationError 409 or 403 by its code,
    else 400 with its messages under their fields (``renames`` maps a service's field names to
    the API's)."""
    try:
        yield
    except DjangoPermissionDenied as refusal:
        raise exceptions.PermissionDenied(str(refusal) or "You may not do that.") from None
    except DjangoValidationError as refusal:
        code = getattr(refusal, "code", None) or ""
        message = refusal.messages[0] if refusal.messages else "Refused."
        if code == "rate_limited":
            raise TooFast(wait=getattr(refusal, "retry_after", 60), detail=message) from None
        wanted = STATUS_BY_CODE.get(code)
        if wanted == 409:
            raise Conflict(message, code=code) from None
        if wanted == 403:
            raise exceptions.PermissionDenied(message, code=code) from None
        raise exceptions.ValidationError(_detail(refusal, renames or {})) from None


class Cursor(CursorPagination):
    """``?cursor=<opaque>&page_size=M`` (at most 100): ``next`` and ``previous`` links, no count
    (a count would read the whole list). Views set ``ordering`` on their own subclass."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def person(handle: str) -> Profile:
    """The active profile of ``handle`` (any case): 404 when there is none."""
    profile = selectors_people.profile_get(handle)
    if profile is None:
        raise exceptions.NotFound("Nobody has that handle.")
    return profile


def visible_person(viewer: Any, handle: str) -> Profile:
    """As ``person``, and 404 across a block either way (mutual invisibility)."""
    profile = person(handle)
    if relations.blocked_between(viewer, profile.user):
        raise exceptions.NotFound("Nobody has that handle.")
    return profile
