"""Where a course's grade items come from: a registry of sources, by kind.

A source is ``fn(course, enrolment_ids) -> {enrolment_id: {item_key: Decimal percent}}``: for
each learner, their score in each graded item of that kind (an assignment, a quiz), in percent.
A learner or item it leaves out has no score yet and does not count (an ungraded assignment
neither helps nor hurts). A gradebook category names a source by its kind; a kind nobody
registered counts as no items, so a course can set up its categories before every source
exists. The LMS registers "assignments" (apps/lms/selectors_gradebook.py); quizzes register
"quizzes". Each source must answer in a fixed number of queries however many learners it is
asked about (the gradebook asks page by page)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

Source = Callable[[Any, list[int]], dict[int, dict[Any, Decimal]]]

_sources: dict[str, Source] = {}


def register_source(kind: str, fn: Source) -> None:
    """Make ``fn`` the source of the items of ``kind`` (registering a kind again replaces it)."""
    _sources[kind] = fn


def unregister_source(kind: str) -> None:
    _sources.pop(kind, None)


def source_of(kind: str) -> Source | None:
    return _sources.get(kind)


def scores(kind: str, course: Any, enrolment_ids: list[int]) -> dict[int, dict[Any, Decimal]]:
    """The items of ``kind`` per learner of ``enrolment_ids`` ({} when no source is registered)."""
    fn = _sources.get(kind)
    if fn is None or not enrolment_ids:
        return {}
    return fn(course, enrolment_ids)
