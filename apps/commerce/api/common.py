"""What the shop's API views share: error answers for the schema, services' refusals as API
errors (a ValidationError is 400, a PermissionDenied 403), the 401 before anything else for
signed-in endpoints, and pages of a list built by a selector that paginates itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from apps.commerce import permissions
from apps.core.api import ErrorOutput
from apps.core.publishing import DraftConflict

TAGS = ["shop"]
MANAGE_TAGS = ["shop management"]


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorOutput, description=description)


NOT_SIGNED_IN = error("Not signed in (not_authenticated), or an invalid or outdated token.")
NOT_A_MANAGER = error("Only shop owners and admins manage shops.")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Someone saved this draft after the revision you edited."


@contextmanager
def service_errors() -> Iterator[None]:
    """A service's refusal as the API's answer: PermissionDenied is 403 with its reason; a
    ValidationError is 400, its messages under the fields they concern (or as the message)."""
    try:
        yield
    except DjangoPermissionDenied as refusal:
        raise exceptions.PermissionDenied(str(refusal) or "You may not do that.") from None
    except DraftConflict as conflict:
        raise Conflict(conflict.messages[0]) from None
    except DjangoValidationError as refusal:
        if hasattr(refusal, "error_dict"):
            detail: Any = {
                ("non_field_errors" if name == NON_FIELD_ERRORS else name): messages
                for name, messages in refusal.message_dict.items()
            }
        else:
            detail = refusal.messages if len(refusal.messages) == 1 else {"non_field_errors": refusal.messages}
        raise exceptions.ValidationError(detail) from None


def require_manager(user: Any) -> None:
    """Shop management is for shop owners (their shops) and admins (every shop): others 403."""
    if not (permissions.can_open_shop(user) or permissions.is_shop_staff(user)):
        raise exceptions.PermissionDenied("Only shop owners and admins manage shops.")


def page_links(request: Request, page: Page) -> dict[str, Any]:
    """The count, page count and neighbour links of a page, as the API's pagination answers."""
    url = request.build_absolute_uri()
    previous = None
    if page.has_previous():
        number = page.previous_page_number()
        previous = remove_query_param(url, "page") if number == 1 else replace_query_param(url, "page", number)
    return {
        "count": page.paginator.count,
        "pages": page.paginator.num_pages,
        "next": replace_query_param(url, "page", page.next_page_number()) if page.has_next() else None,
        "previous": previous,
    }
