"""HTTP helpers shared by every view that shows a draft."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from apps.core.publishing.models import Publishable
from apps.core.publishing.services import preview_content


def apply_preview(*, token: str, obj: Publishable, user: Any) -> int:
    """Put the draft a preview token shows onto ``obj`` (unsaved); returns its revision number.

    Raises PermissionDenied unless the token is valid, current, and for this object and user."""
    revision, content = preview_content(token=token, obj=obj, user=user)
    obj.apply_content(content)
    return revision


def as_draft(response: HttpResponse) -> HttpResponse:
    """A draft must never be cached by a browser or a proxy, nor indexed."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
