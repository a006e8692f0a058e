"""What may be commented on: each domain registers its commentable kinds here, once, at start-up.

A kind ("<domain>.<noun>", say "shop.product") names a model whose rows carry threads. Its
registration says who sees a row's thread (and so may comment there when signed in), who
moderates the kind's comments, how to link a row and which page-cache namespace holds pages that
show its threads. Core asks the registration and never names a domain.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

_KIND = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Commentable:
    """One kind of object that carries comment threads, and its rules."""

    kind: str
    model: type[Model]
    domain: str  # the queue's filter: "?domain=<domain>"
    label: str  # how the queue names the kind, e.g. "Posts"
    can_view: Callable[[Any, Any], bool]  # (user or None, obj): sees the thread, may comment if signed in
    can_moderate: Callable[[Any], bool]  # (user): approves, rejects, removes this kind's comments
    url_of: Callable[[Any], str]  # (obj): the page that shows its thread
    title_of: Callable[[Any], str] = str
    cache_namespace: str = ""  # pagecache namespace cleared when a thread changes
    # (obj, author): a word shown beside the author's name, "" for none (say "Instructor" on a
    # lesson's thread, for who teaches its course); asked once per author in a thread.
    author_badge: Callable[[Any, Any], str] | None = None
    # (obj, author): whose comments on obj publish at once, before they have one approved (say
    # the instructors of a lesson's course); moderators of the kind always do.
    trusts: Callable[[Any, Any], bool] | None = None

    def load(self, object_id: int) -> Any | None:
        return self.model._default_manager.filter(pk=object_id).first()

    def load_many(self, object_ids: list[int]) -> dict[int, Any]:
        return self.model._default_manager.in_bulk(object_ids)


_KINDS: dict[str, Commentable] = {}


def register_commentable(
    *,
    kind: str,
    model: type[Model],
    domain: str,
    label: str,
    can_view: Callable[[Any, Any], bool],
    can_moderate: Callable[[Any], bool],
    url_of: Callable[[Any], str],
    title_of: Callable[[Any], str] = str,
    cache_namespace: str = "",
) -> Commentable:
    """Make ``model``'s rows commentable as ``kind``. Registering the same kind again replaces it
    (a reload in development); two kinds for one model are refused, since a row must name one."""
    return register(Commentable(kind, model, domain, label, can_view, can_moderate, url_of, title_of, cache_namespace))


def register(entry: Commentable) -> Commentable:
    """Register a ``Commentable`` as it is (app hooks declare theirs; core registers them at start-up)."""
    if not _KIND.fullmatch(entry.kind):
        raise ValueError(f"A commentable kind looks like 'domain.noun', not {entry.kind!r}.")
    for other in _KINDS.values():
        if other.model is entry.model and other.kind != entry.kind:
            raise ValueError(f"{entry.model.__name__} is already commentable as {other.kind!r}.")
    _KINDS[entry.kind] = entry
    return entry


def unregister_commentable(kind: str) -> None:
    """Forget ``kind`` (tests that register a kind of their own)."""
    _KINDS.pop(kind, None)


def commentable(kind: str) -> Commentable | None:
    """The registration of ``kind``, or None for a kind nobody registered."""
    return _KINDS.get(kind)


def commentable_of(obj: Any) -> Commentable:
    """The registration of ``obj``'s model; LookupError when it is not commentable."""
    for entry in _KINDS.values():
        if isinstance(obj, entry.model):
            return entry
    raise LookupError(f"{type(obj).__name__} is not a commentable kind.")


def commentables() -> list[Commentable]:
    """Every registered kind, by domain and kind."""
    return sorted(_KINDS.values(), key=lambda entry: (entry.domain, entry.kind))
