"""What may be reported: each app declares its reportable kinds in its hook (``reportables``);
core registers them at start-up and its report service, queue and pages ask the registration,
never naming a domain.

A kind ("<app>.<noun>", say "social.post") says how to load a page of its objects in one query,
how the queue shows one (a template and its context), who may report one and who moderates the
kind, and the staff actions it offers (each a service of the declaring app).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_KIND = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class ReportAction:
    """A staff action on a reported object: ``service(target=obj, moderator=user, note=str)``
    does it (and raises ValidationError when the object's state no longer allows it);
    ``applies(obj)`` says whether the queue offers it for this object now (None: always).
    Acting closes every open report of the object as ``actioned``."""

    name: str
    label: str
    service: Callable[..., Any]
    applies: Callable[[Any], bool] | None = None
    # The button's look: "danger" for what takes something down, "" for the rest.
    tone: str = ""

    def offered_for(self, obj: Any) -> bool:
        return self.applies is None or bool(self.applies(obj))


@dataclass(frozen=True)
class Reportable:
    """One kind of object people may report, and its rules."""

    kind: str
    label: str  # how the queue names the kind, e.g. "Posts"
    # ids -> {id: object} in one query; objects missing (gone) are left out.
    load_many: Callable[[list[int]], Mapping[int, Any]]
    can_moderate: Callable[[Any], bool]  # (user): sees this kind's reports and acts on them
    can_report: Callable[[Any, Any], bool]  # (user, obj): may report obj (one they may see, not their own...)
    template: str  # the queue row's summary of the object, rendered with ``context_of(obj)``
    context_of: Callable[[Any], Mapping[str, Any]] = lambda obj: {"object": obj}
    url_of: Callable[[Any], str] | None = None  # the object's page, for the queue's link
    title_of: Callable[[Any], str] = str  # how the report dialog names it
    actions: tuple[ReportAction, ...] = ()

    def load(self, object_id: int) -> Any | None:
        return self.load_many([object_id]).get(object_id)

    def action(self, name: str) -> ReportAction | None:
        return next((action for action in self.actions if action.name == name), None)


_KINDS: dict[str, Reportable] = {}


def register(entry: Reportable) -> Reportable:
    """Register a kind (app hooks declare theirs; core registers them at start-up). Registering
    the same kind again replaces it (a reload, a test's own kind)."""
    if not _KIND.fullmatch(entry.kind):
        raise ValueError(f"A reportable kind looks like 'app.noun', not {entry.kind!r}.")
    _KINDS[entry.kind] = entry
    return entry


def unregister(kind: str) -> None:
    """Forget ``kind`` (tests that register a kind of their own)."""
    _KINDS.pop(kind, None)


def reportable(kind: str) -> Reportable | None:
    """The registration of ``kind``, or None for a kind nobody registered."""
    return _KINDS.get(kind)


def reportables() -> list[Reportable]:
    """Every registered kind, by kind."""
    return sorted(_KINDS.values(), key=lambda entry: entry.kind)


def moderated_report_kinds(user: Any) -> list[str]:
    """The kinds whose reports ``user`` moderates (signed in and active)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [entry.kind for entry in reportables() if entry.can_moderate(user)]


def kinds_named(names: Iterable[str]) -> list[Reportable]:
    return [entry for name in names if (entry := reportable(name)) is not None]
