"""HTTP helpers shared by every view that shows a draft, and the one resolution every public
detail view uses to decide what it shows: the live object, or a draft for its editor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

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


@dataclass(frozen=True)
class Shown:
    """What a public detail view shows: the live object (whatever ``live`` loaded: a row, a
    cached fragment, an answer), or a draft for its editor with its content applied."""

    obj: Any
    preview_revision: int | None = None  # the revision a ?preview= token shows
    in_site_preview: bool = False  # the editor's site preview set holds this object's draft

    @property
    def is_draft(self) -> bool:
        return self.preview_revision is not None or self.in_site_preview


def live_or_preview(
    request: HttpRequest,
    *,
    model: type[Publishable],
    lookup: dict[str, Any],
    live: Callable[[], Any] | None = None,
    queryset: QuerySet[Any] | None = None,
) -> Shown:
    """Live, or previewed: the one decision of every public detail view (a free page, a domain's
    object page, an API's detail).

    With ``?preview=<token>`` the object at ``lookup`` in any state (from ``queryset``, by default
    all of ``model``) with the token's draft applied; PermissionDenied unless the token is valid,
    current, and for this object and this user. Else the editor's site preview set, if it holds a
    draft of ``model`` whose (draft) fields match ``lookup`` (a new slug answers at its draft's
    address). Else ``live()`` (by default the live row at ``lookup``). Http404 when there is
    nothing to show. Views answer drafts with ``as_draft`` (never cached nor indexed)."""
    token = request.GET.get("preview")
    if token is None:
        site_drafts = getattr(request, "site_drafts", None)  # SitePreviewMiddleware's resolution
        draft = site_drafts.find(model.content_label(), _matching(lookup)) if site_drafts else None
        if draft is not None:
            return Shown(draft.obj, in_site_preview=True)
        found = live() if live is not None else model._default_manager.filter(live=True, **lookup).first()
        if found is None:
            raise Http404("Nothing is published here.")
        return Shown(found)
    obj = (queryset if queryset is not None else model._default_manager.all()).filter(**lookup).first()
    if obj is None:
        raise Http404("Nothing is here.")
    return Shown(obj, preview_revision=apply_preview(token=token, obj=obj, user=request.user))


def _matching(lookup: dict[str, Any]) -> Callable[[Publishable], bool]:
    return lambda obj: all(getattr(obj, name) == value for name, value in lookup.items())
