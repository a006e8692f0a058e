"""Reads of the publishing engine: drafts and revisions for editors, history with authors, and the
difference between revisions. Domains read drafts and revisions only through these (never through
``revisions.py``, the engine's storage)."""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags

from apps.core.blocks.schema import BLOCK_TYPES
from apps.core.models import User
from apps.core.publishing import revisions
from apps.core.publishing.models import Publishable


def draft_contents(objs: Iterable[Publishable]) -> dict[Any, dict[str, Any]]:
    """The content of each object's newest revision, by the object's pk, in one document query;
    objects without a revision are left out (their row is all there is)."""
    return {pk: document["content"] for pk, document in revisions.revision_read_latest(objs).items()}


def draft_content(obj: Publishable) -> dict[str, Any]:
    """What an editor opens: the newest revision's content, or the row's own before any."""
    return draft_contents([obj]).get(obj.pk) or obj.content_of()


def revision_content(obj: Publishable, number: int) -> dict[str, Any] | None:
    """The content of revision ``number`` of ``obj``, or None if there is no such revision."""
    document = revisions.revision_read(obj, number)
    return None if document is None else document["content"]


def revision_list(obj: Publishable) -> list[dict[str, Any]]:
    """Every revision of ``obj``, newest first, without content (``revision_history_with_authors``)."""
    return revision_history_with_authors(obj)


def revision_history_with_authors(obj: Publishable) -> list[dict[str, Any]]:
    """Every revision of ``obj``, newest first, each with its author (one SQL query in all) and
    whether it is the live or the scheduled one."""
    history = revisions.revision_history(obj)
    authors = User.objects.in_bulk({entry["author_id"] for entry in history if entry["author_id"]})
    for entry in history:
        entry["author"] = authors.get(entry["author_id"])
        entry["is_live"] = obj.live and entry["number"] == obj.live_revision
        entry["is_scheduled"] = entry["number"] == obj.scheduled_revision
    return history


@dataclass
class FieldChange:
    """How one content field differs between two revisions, as an editor reads it.

    ``text`` (a text field) and ``value`` (any other): ``segments`` of a word-by-word diff of
    the values as editors write them (links as ``Label | /address`` lines, colours as
    ``light …, dark …``). ``blocks``: per block, what
    happened and which of its fields changed. ``group``: a field holding several (a site
    component's content), each in ``parts``. ``before`` and ``after`` stay the stored values.
    """

    name: str
    kind: str  # "text", "value", "blocks" or "group"
    before: Any
    after: Any
    segments: list[tuple[str, str]] = field(default_factory=list)  # text: (equal|insert|delete, words)
    blocks: list[dict[str, Any]] = field(default_factory=list)  # blocks: per block, what happened
    parts: list[FieldChange] = field(default_factory=list)  # group: one change per inner field

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()


_WORDS = re.compile(r"(\s+)")
_SPACES = re.compile(r"\s+")
_BLOCK_END = re.compile(r"<(?:br|/p|/li|/h[1-6]|/blockquote|/pre|/td|/th)\b[^>]*>", re.IGNORECASE)
# Block fields under the names editors know them by.
_FIELD_LABELS = {"html": "text", "src": "source", "alt": "alt text", "url": "address"}


def _text_segments(before: str, after: str) -> list[tuple[str, str]]:
    a, b = _WORDS.split(before), _WORDS.split(after)
    segments: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(("insert", "".join(b[j1:j2])))
    return [segment for segment in segments if segment[1]]


def _is_link(value: Any) -> bool:
    return isinstance(value, dict) and "label" in value and "url" in value


def value_text(value: Any) -> str:
    """A stored value as an editor would write it: never a Python repr."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(_is_link(item) for item in value):
        lines = []
        for link in value:
            lines.append(f"{link['label']} | {link['url']}")
            lines.extend(f"- {child.get('label', '')} | {child.get('url', '')}" for child in link.get("children", []))
        return "\n".join(lines)
    if isinstance(value, list):
        if all(_is_block(item) for item in value):
            return "\n".join(_block_summary_line(item) for item in value)
        return ", ".join(value_text(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key.replace('_', ' ')} {value_text(item)}".strip() for key, item in value.items())
    return str(value)


def _is_block(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("type"), str)


def _block_label(block: dict[str, Any]) -> str:
    block_type = BLOCK_TYPES.get(block.get("type", ""))
    return block_type.label if block_type is not None else str(block.get("type", "Block")).capitalize()


def _rich_text_words(markup: str) -> str:
    """Rich text read as its words: paragraphs and list items apart, entities decoded."""
    spaced = _BLOCK_END.sub(" ", markup)
    return _SPACES.sub(" ", html.unescape(strip_tags(spaced))).strip()


def _block_field_text(name: str, value: Any) -> str:
    if name == "html" and isinstance(value, str):
        return _rich_text_words(value)
    if name == "columns" and isinstance(value, list):
        return "\n".join(
            f"Column {number}: " + "; ".join(_block_summary_line(block) for block in column if isinstance(block, dict))
            for number, column in enumerate(value, start=1)
            if isinstance(column, list)
        )
    if name == "level" and isinstance(value, int):
        return f"level {value}"
    return value_text(value)


def _block_fields(block: dict[str, Any], *, set_only: bool = False) -> dict[str, str]:
    """A block's fields as text, by the name editors know them by (type and id left out);
    ``set_only`` leaves out the fields left empty or off (a new block's unticked boxes)."""
    return {
        _FIELD_LABELS.get(name, name.replace("_", " ")): _block_field_text(name, value)
        for name, value in block.items()
        if name not in {"type", "id"} and not (set_only and value in (None, False, "", [], {}))
    }


def _block_summary(block: dict[str, Any]) -> str:
    """A few words that tell a block from its neighbours: its text, alt text or slot name."""
    fields = _block_fields(block)
    for name in ("text", "alt text", "caption", "name"):
        if fields.get(name):
            words = fields[name]
            return words if len(words) <= 80 else words[:79] + "…"
    return ""


def _block_summary_line(block: dict[str, Any]) -> str:
    summary = _block_summary(block)
    return f"{_block_label(block)} “{summary}”" if summary else _block_label(block)


def _field_diffs(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[dict[str, Any]]:
    # A block added or removed whole: what it holds; a changed block: each field that changed.
    whole = before is None or after is None
    old, new = _block_fields(before or {}, set_only=whole), _block_fields(after or {}, set_only=whole)
    rows = []
    for name in [*new, *(name for name in old if name not in new)]:
        if old.get(name, "") != new.get(name, ""):
            rows.append({"name": name, "segments": _text_segments(old.get(name, ""), new.get(name, ""))})
    return rows


def _block_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    old = {block.get("id"): (index, block) for index, block in enumerate(before)}
    new_ids = [block.get("id") for block in after]
    kept_old_order = [block_id for block_id in old if block_id in set(new_ids)]
    kept_new_order = [block_id for block_id in new_ids if block_id in old]
    changes: list[dict[str, Any]] = []
    for position, block in enumerate(after, start=1):
        block_id = block.get("id")
        if block_id not in old:
            changes.append(
                {"change": "added", "position": position, "block": block, "fields": _field_diffs(None, block)}
            )
        elif old[block_id][1] != block:
            previous = old[block_id][1]
            fields = _field_diffs(previous, block)
            changes.append(
                {"change": "changed", "position": position, "before": previous, "block": block, "fields": fields}
            )
        elif kept_old_order.index(block_id) != kept_new_order.index(block_id):
            changes.append({"change": "moved", "position": position, "block": block, "fields": []})
    for block_id, (index, block) in old.items():
        if block_id not in set(new_ids):
            changes.append(
                {"change": "removed", "position": index + 1, "block": block, "fields": _field_diffs(block, None)}
            )
    for change in changes:
        change["label"], change["summary"] = _block_label(change["block"]), _block_summary(change["block"])
    return changes


def _is_blocks(value: Any) -> bool:
    # A list of plain values (a post's category ids or tag slugs) or of links is compared as text.
    return isinstance(value, list) and all(_is_block(item) for item in value)


def _field_change(name: str, before: Any, after: Any, *, nested: bool = False) -> FieldChange:
    if _is_blocks(before or []) and _is_blocks(after or []) and (before or after):
        return FieldChange(name, "blocks", before, after, blocks=_block_changes(before or [], after or []))
    if not nested and isinstance(before, dict | None) and isinstance(after, dict | None):
        old, new = before or {}, after or {}
        parts = [
            _field_change(key, old.get(key), new.get(key), nested=True)
            for key in [*new, *(key for key in old if key not in new)]
            if old.get(key) != new.get(key)
        ]
        return FieldChange(name, "group", before, after, parts=parts)
    # Values that are not text (a post's category ids, a list of links) are diffed as they read.
    kind = "text" if isinstance(before, str | None) and isinstance(after, str | None) else "value"
    return FieldChange(name, kind, before, after, segments=_text_segments(value_text(before), value_text(after)))


def revision_diff(obj: Publishable, a: int, b: int) -> list[FieldChange]:
    """What changed from revision ``a`` to revision ``b`` of ``obj``, field by field, as people
    read it: text word by word, blocks by their type with the fields that changed."""
    first, second = revisions.revision_read(obj, a), revisions.revision_read(obj, b)
    if first is None or second is None:
        raise ValidationError(f"Revision {a if first is None else b} does not exist.", code="no_revision")
    changes: list[FieldChange] = []
    for name in obj.content_fields:
        before, after = first["content"].get(name), second["content"].get(name)
        if before != after:
            changes.append(_field_change(name, before, after))
    return changes
