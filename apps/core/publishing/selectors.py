"""Reads of the publishing engine: history with authors, and the difference between revisions."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from apps.core.models import User
from apps.core.publishing import revisions
from apps.core.publishing.models import Publishable


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
    """How one content field differs between two revisions."""

    name: str
    kind: str  # "text", "blocks" or "value"
    before: Any
    after: Any
    segments: list[tuple[str, str]] = field(default_factory=list)  # text: (equal|insert|delete, words)
    blocks: list[dict[str, Any]] = field(default_factory=list)  # blocks: per block, what happened


_WORDS = re.compile(r"(\s+)")


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
    return segments


def _block_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    old = {block.get("id"): (index, block) for index, block in enumerate(before)}
    new_ids = [block.get("id") for block in after]
    kept_old_order = [block_id for block_id in old if block_id in set(new_ids)]
    kept_new_order = [block_id for block_id in new_ids if block_id in old]
    changes: list[dict[str, Any]] = []
    for position, block in enumerate(after, start=1):
        block_id = block.get("id")
        if block_id not in old:
            changes.append({"change": "added", "position": position, "block": block})
        elif old[block_id][1] != block:
            changes.append({"change": "changed", "position": position, "before": old[block_id][1], "block": block})
        elif kept_old_order.index(block_id) != kept_new_order.index(block_id):
            changes.append({"change": "moved", "position": position, "block": block})
    for block_id, (index, block) in old.items():
        if block_id not in set(new_ids):
            changes.append({"change": "removed", "position": index + 1, "block": block})
    return changes


def _is_blocks(value: Any) -> bool:
    # A list of plain values (a post's category ids or tag slugs) is compared as one value.
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def revision_diff(obj: Publishable, a: int, b: int) -> list[FieldChange]:
    """What changed from revision ``a`` to revision ``b`` of ``obj``, field by field."""
    first, second = revisions.revision_read(obj, a), revisions.revision_read(obj, b)
    if first is None or second is None:
        raise ValidationError(f"Revision {a if first is None else b} does not exist.", code="no_revision")
    changes: list[FieldChange] = []
    for name in obj.content_fields:
        before, after = first["content"].get(name), second["content"].get(name)
        if before == after:
            continue
        if _is_blocks(before) and _is_blocks(after):
            changes.append(FieldChange(name, "blocks", before, after, blocks=_block_changes(before, after)))
        elif isinstance(before, str | None) and isinstance(after, str | None):
            changes.append(FieldChange(name, "text", before, after, segments=_text_segments(before or "", after or "")))
        else:
            changes.append(FieldChange(name, "value", before, after))
    return changes
