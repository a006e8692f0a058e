"""The publishing engine's model side: an abstract base any content model can opt into.

The SQL row holds what visitors see (the published state, read fast); every draft is a revision
document in the document store. Saving a draft never touches the row's content fields, except
on creation of a never-published object (nothing is live yet).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from apps.core.accounts.roles import RoleName


class Publishable(models.Model):
    live = models.BooleanField(default=False, db_index=True, editable=False)
    has_unpublished_changes = models.BooleanField(default=False, editable=False)
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    latest_revision = models.PositiveIntegerField(default=0, editable=False)
    live_revision = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # A scheduled publication: which revision goes live when; and when the page comes down.
    go_live_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    scheduled_revision = models.PositiveIntegerField(null=True, blank=True, editable=False)
    expire_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)

    #: The fields a revision holds and publishing copies onto the row.
    content_fields: ClassVar[tuple[str, ...]] = ()
    #: Roles that may save drafts (publishers may too) and roles that may publish.
    draft_roles: ClassVar[frozenset[str]] = frozenset({RoleName.ADMIN})
    publish_roles: ClassVar[frozenset[str]] = frozenset({RoleName.ADMIN})

    class Meta:
        abstract = True

    @classmethod
    def content_label(cls) -> str:
        return cls._meta.label_lower

    def content_of(self) -> dict[str, Any]:
        """This row's content fields as JSON-safe values (what a revision stores)."""
        data = {name: self._meta.get_field(name).value_from_object(self) for name in self.content_fields}
        return json.loads(json.dumps(data, cls=DjangoJSONEncoder))

    def apply_content(self, content: dict[str, Any]) -> None:
        """Set this object's content fields from a revision (the object is not saved)."""
        for name in self.content_fields:
            if name in content:
                setattr(self, name, self._meta.get_field(name).to_python(content[name]))

    def clean_content(self, content: dict[str, Any]) -> dict[str, Any]:
        """Validate and normalise draft content; models override to clean rich fields (blocks).

        Raises ValidationError. The default checks the fields as the model would on save,
        including uniqueness against other rows.
        """
        unknown = set(content) - set(self.content_fields)
        if unknown:
            from django.core.exceptions import ValidationError

            raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
        candidate = type(self)(pk=self.pk)
        # An existing row: uniqueness checks must not count the row itself.
        candidate._state.adding = self.pk is None
        candidate.apply_content({**self.content_of(), **content})
        exclude = [f.name for f in self._meta.fields if f.name not in self.content_fields]
        candidate.full_clean(exclude=exclude)
        return candidate.content_of()

    def after_publish(self, content: dict[str, Any]) -> None:
        """Called by the engine once a revision's ``content`` is published and the row saved, in
        the same transaction: models whose content is more than the row's own columns (say,
        many-to-many relations) apply the rest here. The default does nothing."""

    def allows_draft_by(self, user: Any) -> bool:
        """Whether ``user`` may save drafts of this object and preview them.

        The default follows the model's roles: publishers and ``draft_roles``. Models with
        owners override this (an author drafts only their own posts)."""
        from apps.core.accounts.permissions import has_role

        return self.allows_publish_by(user) or any(has_role(user, role) for role in self.draft_roles)

    def allows_publish_by(self, user: Any) -> bool:
        """Whether ``user`` may publish, unpublish and schedule this object: by default the
        holders of ``publish_roles``."""
        from apps.core.accounts.permissions import has_role

        return any(has_role(user, role) for role in self.publish_roles)

    @property
    def status(self) -> str:
        if self.live:
            return "live, with unpublished changes" if self.has_unpublished_changes else "live"
        if self.go_live_at:
            return "scheduled"
        return "draft"
