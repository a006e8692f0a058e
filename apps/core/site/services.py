"""Writes to the site's own content that the publishing engine does not cover."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.accounts import permissions
from apps.core.models import SiteComponent, User


def site_component_get_or_create(*, key: str, author: User | None) -> SiteComponent:
    """The header, home or footer component, created empty and unpublished on first use.

    Its content is then written like any publishable's: ``publishing.services.draft_save`` and
    ``publish``. The key is fixed at creation, which is why this comes before the first draft
    (the engine's ``draft_create`` knows only content fields)."""
    if author is not None and not permissions.can_edit_draft(author, SiteComponent(key=key)):
        raise PermissionDenied("You may not write drafts of the site's components.")
    if key not in SiteComponent.Key.values:
        raise ValidationError(f"Unknown site component {key!r}.", code="unknown_key")
    component, _ = SiteComponent.objects.get_or_create(key=key)
    return component
