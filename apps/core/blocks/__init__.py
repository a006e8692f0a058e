"""Content blocks: the schema of every body the platform publishes (pages, home sections,
header, footer, later posts and lessons).

A body is a list of blocks, each ``{"type": ..., "id": ..., **fields}``. Write through
:func:`clean_blocks` (validates, sanitises, assigns ids), read through :func:`render_blocks`
(HTML) or :func:`text_of` (plain text). :func:`block_types` describes the schema for editors
and the API documentation; ``docs/blocks.md`` describes it for people.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from apps.core.blocks.fields import Run
from apps.core.blocks.render import render_blocks, text_of
from apps.core.blocks.schema import BLOCK_TYPES, MAX_BLOCKS, clean_block, count_blocks
from apps.core.blocks.slots import Slot, has_slot, register_slot, registered_slots
from apps.core.platform.faces import lazy_face

# Imported when first asked for: the form field and the image store pull in forms and storage.
_EXPORTS = {
    "BlocksField": "apps.core.blocks.forms",
    "block_image_upload": "apps.core.blocks.images",
    # Markdown in plain-text fields (comments, excerpts, descriptions): parsed only when shown.
    "comment_markdown": "apps.core.blocks.markdown",
    "markdown_text": "apps.core.blocks.markdown",
    "prose_markdown": "apps.core.blocks.markdown",
}
__all__ = [
    "Slot",
    "block_types",
    "clean_blocks",
    "has_slot",
    "register_slot",
    "registered_slots",
    "render_blocks",
    "text_of",
    *sorted(_EXPORTS),
]
__getattr__, __dir__ = lazy_face(__name__, _EXPORTS)


def clean_blocks(raw: Any, *, known_slots: set[str] | None = None) -> list[dict[str, Any]]:
    """A new, cleaned copy of the body ``raw``; raises ``ValidationError`` listing every problem.

    Each message names the block's position (from 1, and its column inside columns), its type
    and the field: ``"Block 3 (cta): url must start with http://, https://, mailto: or /"``.
    Rich text is sanitised, plain text stripped, optional fields filled with their defaults,
    and every block gets an id (a well-formed existing one is kept; a missing, malformed or
    repeated one is replaced). Slots must be registered or named in ``known_slots``.
    ``raw`` is never modified.
    """
    if not isinstance(raw, list):
        raise ValidationError("The body must be a list of blocks.", code="not_a_list")
    if (total := count_blocks(raw)) > MAX_BLOCKS:
        raise ValidationError(
            f"A body may hold at most {MAX_BLOCKS} blocks, counting those inside columns (this one has {total}).",
            code="too_many_blocks",
        )
    run = Run(slot_names=frozenset(registered_slots()) | frozenset(known_slots or ()))
    cleaned = [clean_block(block, run, f"Block {position}") for position, block in enumerate(raw, start=1)]
    if run.errors:
        raise ValidationError(run.errors)
    return cleaned


def block_types() -> dict[str, dict[str, Any]]:
    """The schema, machine-readable: per type its label, description and fields with their limits.

    Every field says whether it is ``required``; slot names list the slots registered now.
    Every block also carries an ``id`` (letters, digits, ``_`` and ``-``, up to 64), which
    ``clean_blocks`` generates when it is missing.
    """
    return {
        name: {
            "label": spec.label,
            "description": spec.description,
            "fields": {
                "id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$", "required": False, "generated": True},
                **{
                    field_name: {**field.describe(), "required": field.required}
                    for field_name, field in spec.fields.items()
                },
            },
        }
        for name, spec in BLOCK_TYPES.items()
    }
