"""What the blog's API views share: access answers (404 for what one may not see, 403 for what
one may not do), services' refusals as API errors (400 with fields, 409 for a stale draft), and
visitors' answers from the cache."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse, HttpResponseBase
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from apps.blog import permissions, selectors
from apps.blog.models import Post
from apps.core.api import ErrorOutput
from apps.core.publishing import DraftConflict


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorOutput, description=description)


NOT_SIGNED_IN = error("Not signed in (not_authenticated), or an invalid or outdated token.")
NOT_FOUND = error("No such post, or one you may not see (drafts of others do not exist for you).")


# --- Access and errors -------------------------------------------------------------------------------


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Someone changed this post after you read it."


def post_for(user: Any, pk: int) -> Post:
    """The post ``pk`` if ``user`` may see it; otherwise 404, so a draft does not exist for those
    who may not see it (not even its id)."""
    post = selectors.post_get_for_editor(pk=pk)
    if post is None or not permissions.can_view_post(user, post):
        raise exceptions.NotFound()
    return post


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise exceptions.PermissionDenied(message)


def refuse(reason: str | None) -> None:
    """A policy's refusal reason (apps/blog/permissions.post_action_refusal) as the API's 403."""
    if reason:
        raise exceptions.PermissionDenied(reason)


@contextmanager
def service_errors(fields_by_code: Mapping[str, str] | None = None) -> Iterator[None]:
    """A service's refusal as the API's answer: the policy's refusal (PermissionDenied) is 403 with
    its reason; a stale draft is 409 (nothing was saved); any other ValidationError is 400, its
    messages under the field they concern (the model's own field errors, or ``fields_by_code``
    for the codes a service raises)."""
    try:
        yield
    except DjangoPermissionDenied as refusal:
        refuse(str(refusal) or "You may not do that.")
    except DraftConflict as conflict:
        raise Conflict(conflict.messages[0]) from None
    except DjangoValidationError as refusal:
        raise exceptions.ValidationError(_detail(refusal, fields_by_code or {})) from None


def _detail(refusal: DjangoValidationError, fields_by_code: Mapping[str, str]) -> Any:
    if hasattr(refusal, "error_dict"):
        return {
            ("non_field_errors" if name == NON_FIELD_ERRORS else name): messages
            for name, messages in refusal.message_dict.items()
        }
    by_field: dict[str, list[str]] = defaultdict(list)
    loose: list[str] = []
    for item in refusal.error_list:
        field = fields_by_code.get(item.code or "")
        (by_field[field] if field else loose).extend(item.messages)
    if not by_field and len(loose) == 1:
        return loose  # one message: it becomes the error's message
    if loose:
        by_field["non_field_errors"] = loose
    return dict(by_field)


POST_FIELDS_BY_CODE = {
    "invalid_categories": "categories",
    "too_many_categories": "categories",
    "unknown_category": "categories",
    "invalid_tags": "tags",
    "too_many_tags": "tags",
    "unknown_tag": "tags",
    "invalid_name": "tags",  # a tag name without a letter or digit
    "too_large": "cover",
    "too_many_pixels": "cover",
    "not_an_image": "cover",
    "storage_conflict": "cover",
}


# Answers carry signed S3 URLs of covers, valid for an hour: a cached answer must expire well
# before they do, whatever PAGE_CACHE_SECONDS says.
ANSWER_MAX_SECONDS = 300


def cached_answer(
    request: Request,
    key: str | None,
    build: Callable[[], dict[str, Any] | None],
    *,
    keep: Callable[[dict[str, Any]], bool] = lambda data: True,
) -> HttpResponseBase:
    """A visitor's read, from the blog's page-cache namespace (selectors.cached_live, cleared by
    the same events as the blog's pages: publications, take-downs, profile changes) when ``key``
    is given, stored as its JSON text: JSON clients get that text as stored, with no decoding and
    encoding again; the browsable API gets it decoded. ``build()`` gives the data, or None for
    404. Nothing is stored for a 404, nor for data ``keep`` refuses (an empty page)."""
    built: list[dict[str, Any] | None] = []

    def load() -> bytes | None:
        built.append(build())
        data = built[-1]
        return JSONRenderer().render(data) if data is not None and keep(data) else None

    text = load() if key is None else selectors.cached_live(f"api:{key}", load, max_seconds=ANSWER_MAX_SECONDS)
    if text is None:  # load() ran and gave nothing to store
        if built[-1] is None:
            raise exceptions.NotFound()
        return Response(built[-1])
    if request.accepted_renderer.format == "json":
        return HttpResponse(text, content_type="application/json")
    return Response(json.loads(text))
