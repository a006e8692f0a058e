"""Full-site preview: an editor browses the real site with several drafts applied at once.

An editor's preview set lives in their session as signed preview tokens, one per object (the
theme, the home sections, a page ...). Each token is bound to that editor and expires after
PREVIEW_MAX_AGE, and is checked again on every request, so a copied cookie or an old tab shows
nothing to anyone else and nothing after expiry. Tokens added here name no revision: the preview
follows the editor's newest draft as they keep saving.

``SitePreviewMiddleware`` resolves the set once per request into ``request.site_drafts`` (a
:class:`SiteDrafts`); views and the context processor ask it before reading published content.
Any response built while drafts were applied is marked private, no-store and noindex.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse

from apps.core.publishing.http import as_draft
from apps.core.publishing.models import Publishable
from apps.core.publishing.services import preview_content, preview_target, preview_token

SESSION_KEY = "site_preview"


@dataclass
class Draft:
    """One object shown as a draft: the unsaved object with the revision's content applied."""

    obj: Publishable
    revision: int
    token: str


@dataclass
class SiteDrafts:
    """The drafts this request shows, by model label and primary key."""

    drafts: dict[str, dict[str, Draft]] = field(default_factory=dict)
    used: bool = False

    def __bool__(self) -> bool:
        return bool(self.drafts)

    def of(self, label: str) -> list[Draft]:
        return list(self.drafts.get(label, {}).values())

    def find(self, label: str, match: Callable[[Publishable], bool]) -> Draft | None:
        """The draft of ``label`` whose (draft) content matches; marks the response as a draft."""
        for draft in self.of(label):
            if match(draft.obj):
                self.used = True
                return draft
        return None

    def summary(self) -> list[dict[str, Any]]:
        return [
            {"label": str(draft.obj), "kind": draft.obj._meta.verbose_name, "revision": draft.revision}
            for by_pk in self.drafts.values()
            for draft in by_pk.values()
        ]


def drafts_of(request: HttpRequest) -> SiteDrafts:
    """The drafts this request shows (none when the middleware did not run, as in unit tests)."""
    return getattr(request, "site_drafts", None) or SiteDrafts()


def preview_add(request: HttpRequest, obj: Publishable) -> None:
    """Add ``obj``'s newest draft to the editor's site preview (PermissionDenied if not theirs to edit)."""
    token = preview_token(obj=obj, revision=None, user=request.user)
    entries = dict(request.session.get(SESSION_KEY, {}))
    entries[f"{obj.content_label()}:{obj.pk}"] = token
    request.session[SESSION_KEY] = entries


def preview_clear(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def resolve(request: HttpRequest) -> SiteDrafts:
    """The session's preview set checked token by token; invalid or expired ones are dropped."""
    entries: dict[str, str] = request.session.get(SESSION_KEY) or {}
    result = SiteDrafts()
    kept: dict[str, str] = {}
    for key, token in entries.items():
        draft = _draft_for(token, request.user)
        if draft is None:
            continue
        kept[key] = token
        result.drafts.setdefault(draft.obj.content_label(), {})[str(draft.obj.pk)] = draft
    if kept != entries:
        request.session[SESSION_KEY] = kept
    return result


def _draft_for(token: str, user: Any) -> Draft | None:
    target = preview_target(token)
    if target is None:
        return None
    try:
        model = apps.get_model(target[0])
    except (LookupError, ValueError):
        return None
    obj = model.objects.filter(pk=target[1]).first()
    if obj is None:
        return None
    try:
        revision, content = preview_content(token=token, obj=obj, user=user)
    except (PermissionDenied, ValidationError):
        return None
    obj.apply_content(content)
    return Draft(obj=obj, revision=revision, token=token)


class SitePreviewMiddleware:
    """Applies the signed-in editor's preview set; costs nothing for anyone without one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        # Only sessions that already exist: reading a fresh session would cost anonymous visitors.
        if session is not None and session.session_key and session.get(SESSION_KEY):
            drafts = resolve(request)
        else:
            drafts = SiteDrafts()
        request.site_drafts = drafts  # type: ignore[attr-defined]
        response = self.get_response(request)
        return as_draft(response) if drafts.used else response
