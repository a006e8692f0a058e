"""The block types: their fields drive both ``clean_blocks`` and ``block_types()``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from apps.core.blocks.fields import (
    Boolean,
    Checked,
    Choice,
    Field,
    FieldError,
    Integer,
    PlainText,
    RichText,
    Run,
    SlotName,
    SlotOptions,
    StoredImage,
    link_url_problem,
)

MAX_BLOCKS = 200  # in a whole body, counting the blocks inside columns
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class Columns(Field):
    """Lists of blocks side by side; it cleans its blocks like the body's, but refuses columns in them."""

    min_columns: int = 2
    max_columns: int = 4

    def clean(self, value: Any, run: Run, where: str) -> list[list[dict[str, Any]]]:
        if not isinstance(value, list) or not self.min_columns <= len(value) <= self.max_columns:
            raise FieldError(f"must be a list of {self.min_columns} to {self.max_columns} columns")
        if not all(isinstance(column, list) for column in value):
            raise FieldError("must hold lists of blocks, one per column")
        return [
            [
                clean_block(block, run, f"{where}, column {c}, block {b}", nested=True)
                for b, block in enumerate(column, start=1)
            ]
            for c, column in enumerate(value, start=1)
        ]

    def describe(self) -> dict[str, Any]:
        return {
            "type": "array",
            "min_items": self.min_columns,
            "max_items": self.max_columns,
            "items": {"type": "array", "items": {"type": "block", "excluded_types": ["columns"]}},
        }


# --- Block types -------------------------------------------------------------------------------


def _decorative_alt(block: dict[str, Any]) -> str | None:
    if block["decorative"] and block["alt"]:
        return "alt must be empty for a decorative image"
    if not block["decorative"] and not block["alt"]:
        return "alt is required (describe the image, or mark it decorative)"
    return None


@dataclass(frozen=True)
class BlockType:
    name: str
    label: str
    description: str
    fields: dict[str, Field]
    check: Callable[[dict[str, Any]], str | None] | None = None


BLOCK_TYPES: dict[str, BlockType] = {
    t.name: t
    for t in (
        BlockType(
            "heading",
            "Heading",
            "A section heading (the page title is the h1).",
            {"text": PlainText(max_length=200), "level": Integer(minimum=2, maximum=4)},
        ),
        BlockType(
            "rich_text",
            "Rich text",
            "Paragraphs, lists, quotes and code; cleaned on save and again on display.",
            {"html": RichText()},
        ),
        BlockType(
            "image",
            "Image",
            "An image uploaded to the site (held by its storage key), with its text alternative.",
            {
                "src": StoredImage(),
                "alt": PlainText(min_length=0, max_length=300),
                "decorative": Boolean(required=False),
                "caption": PlainText(required=False, min_length=0, max_length=500),
            },
            check=_decorative_alt,
        ),
        BlockType(
            "cta",
            "Call to action",
            "A prominent link.",
            {
                "text": PlainText(max_length=80),
                "url": Checked(problem=link_url_problem, format="http(s) URL, mailto: or a path from /"),
                "style": Choice(required=False, choices=("primary", "secondary")),
            },
        ),
        BlockType(
            "columns",
            "Columns",
            "Two to four columns side by side (one column on small screens); columns do not nest.",
            {"columns": Columns()},
        ),
        BlockType(
            "slot",
            "Slot",
            "A named place filled by a part of the platform (latest posts, products, courses ...).",
            {"name": SlotName(), "options": SlotOptions(required=False)},
        ),
    )
}


def clean_block(raw: Any, run: Run, where: str, *, nested: bool = False) -> dict[str, Any]:
    """One block cleaned; problems go to ``run.errors`` (the returned block is then incomplete)."""

    def error(message: str, code: str) -> dict[str, Any]:
        run.errors.append(ValidationError(f"{where}: {message}", code=code))
        return {}

    if not isinstance(raw, dict):
        return error("must be an object with a type", "not_a_block")
    type_name = raw.get("type")
    block_type = BLOCK_TYPES.get(type_name) if isinstance(type_name, str) else None
    if block_type is None:
        known = ", ".join(BLOCK_TYPES)
        return error(f"unknown type {str(type_name)[:40]!r} (use one of: {known})", "unknown_type")
    where = f"{where} ({block_type.name})"
    if nested and block_type.name == "columns":
        return error("columns cannot be placed inside columns", "nested_columns")
    block: dict[str, Any] = {"type": block_type.name, "id": _block_id(raw.get("id"), run)}
    for name in sorted(str(key)[:40] for key in set(raw) - {"type", "id"} - set(block_type.fields)):
        error(f"{name} is not a field of this type", "unknown_field")
    failed = False
    for name, spec in block_type.fields.items():
        if name not in raw or raw[name] is None:
            if spec.required:
                failed = True
                error(f"{name} is required", "required")
            else:
                block[name] = spec.default()
            continue
        try:
            block[name] = spec.clean(raw[name], run, where)
        except FieldError as exc:
            failed = True
            # A message may name a part of the field: ".limit must ..." reads "options.limit must ...".
            message = str(exc)
            error(f"{name}{message}" if message.startswith((".", " ")) else f"{name} {message}", "invalid")
    if not failed and block_type.check and (problem := block_type.check(block)):
        error(problem, "invalid")
    return block


def _block_id(raw_id: Any, run: Run) -> str:
    # A well-formed id is kept so revisions can be compared block by block; a missing,
    # malformed or repeated one (a copied block) gets a fresh id.
    if isinstance(raw_id, str) and ID_PATTERN.fullmatch(raw_id) and raw_id not in run.ids:
        block_id = raw_id
    else:
        block_id = run.new_id()
    run.ids.add(block_id)
    return block_id


def count_blocks(raw: list[Any]) -> int:
    total = 0
    for block in raw:
        total += 1
        if isinstance(block, dict) and isinstance(columns := block.get("columns"), list):
            total += sum(len(column) for column in columns if isinstance(column, list))
    return total
