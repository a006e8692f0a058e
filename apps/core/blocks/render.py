"""Reading a body: HTML for visitors and plain text for search.

Stored bodies are treated as untrusted: they may predate today's rules, or have been written
around ``clean_blocks``. So rich text is sanitised again, URLs are checked again, and a block
that does not make sense is left out rather than shown half-broken.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from apps.core.blocks.fields import link_url_problem
from apps.core.blocks.html import EXTERNAL_REL, html_to_text, is_external_url, sanitize_html
from apps.core.blocks.images import block_image_key, block_image_url
from apps.core.blocks.slots import render_slot

Context = dict[str, Any]


def _text(block: dict[str, Any], name: str) -> str:
    value = block.get(name)
    return value.strip() if isinstance(value, str) else ""


def _heading(block: dict[str, Any], request: HttpRequest | None) -> Context | None:
    level = block.get("level")
    level = level if isinstance(level, int) and level in {2, 3, 4} else 2
    return {"text": _text(block, "text"), "level": level} if _text(block, "text") else None


def _rich_text(block: dict[str, Any], request: HttpRequest | None) -> Context | None:
    html = block.get("html")
    cleaned = sanitize_html(html).strip() if isinstance(html, str) else ""
    return {"html": mark_safe(cleaned)} if cleaned else None  # noqa: S308 (sanitised just above)


def _image(block: dict[str, Any], request: HttpRequest | None) -> Context | None:
    # Only uploaded block images: an external URL would be blocked by the CSP, and any other
    # storage name might be a private file the storage would sign a URL for.
    key = block_image_key(_text(block, "src"))
    if key is None:
        return None
    # A key becomes a URL without touching the database or the storage (S3 signs it locally).
    url = block_image_url(key)
    decorative = block.get("decorative") is True
    return {"src": url, "alt": "" if decorative else _text(block, "alt"), "caption": _text(block, "caption")}


def _cta(block: dict[str, Any], request: HttpRequest | None) -> Context | None:
    text, url = _text(block, "text"), _text(block, "url")
    if not text or not url or link_url_problem(url):
        return None
    rel = EXTERNAL_REL if is_external_url(url) else ""
    return {"text": text, "url": url, "secondary": block.get("style") == "secondary", "rel": rel}


def _columns(block: dict[str, Any], request: HttpRequest | None) -> Context | None:
    columns = block.get("columns")
    if not isinstance(columns, list) or not 2 <= len(columns) <= 4:
        return None
    rendered = [_render_list(column, request, nested=True) if isinstance(column, list) else "" for column in columns]
    return {"columns": rendered, "count": len(rendered)} if any(rendered) else None


def _slot(block: dict[str, Any], request: HttpRequest | None) -> Context | None:
    options = block.get("options")
    html = render_slot(_text(block, "name"), dict(options) if isinstance(options, dict) else {}, request)
    return {"name": _text(block, "name"), "html": mark_safe(html)} if html else None  # noqa: S308 (registered code)


_PREPARE: dict[str, Callable[[dict[str, Any], HttpRequest | None], Context | None]] = {
    "heading": _heading,
    "rich_text": _rich_text,
    "image": _image,
    "cta": _cta,
    "columns": _columns,
    "slot": _slot,
}


def _render_block(block: dict[str, Any], block_type: str, request: HttpRequest | None) -> str:
    context = _PREPARE[block_type](block, request)
    if context is None:
        return ""
    context["id"] = block.get("id") if isinstance(block.get("id"), str) else ""
    # No request here: context processors would run once per block for nothing.
    return render_to_string(f"core/blocks/_{block_type}.html", context)


def _depends_only_on_itself(block: dict[str, Any]) -> bool:
    """Whether a block's HTML is a function of its content alone: not a slot (slots render per
    visitor), not an image (its URL comes from the storage, which may sign it)."""
    block_type = block.get("type")
    if block_type in {"slot", "image"}:
        return False
    if block_type == "columns":
        columns = block.get("columns")
        return all(
            _depends_only_on_itself(inner)
            for column in (columns if isinstance(columns, list) else [])
            if isinstance(column, list)
            for inner in column
            if isinstance(inner, dict)
        )
    return True


@functools.lru_cache(maxsize=1024)
def _render_shared(block_json: str, block_type: str) -> str:
    # Keyed by the block's content, so an edited block is a new entry and shows at once; only
    # the sanitising and template work of blocks seen before is saved (every page view repeats it).
    return _render_block(json.loads(block_json), block_type, None)


def _render_list(blocks: Any, request: HttpRequest | None, *, nested: bool) -> SafeString:
    if not isinstance(blocks, list):
        return mark_safe("")
    parts: list[str] = []
    for block in blocks:
        block_type = block.get("type") if isinstance(block, dict) else None
        if block_type not in _PREPARE or (nested and block_type == "columns"):
            continue  # a type from a newer version, or nesting the schema forbids
        if _depends_only_on_itself(block):
            try:
                block_json = json.dumps(block, sort_keys=True, separators=(",", ":"))
            except (TypeError, ValueError):
                parts.append(_render_block(block, block_type, request))
            else:
                parts.append(_render_shared(block_json, block_type))
        else:
            parts.append(_render_block(block, block_type, request))
    return mark_safe("".join(parts))  # noqa: S308 (each part is an autoescaped template's output)


def render_blocks(blocks: list[dict[str, Any]], *, request: HttpRequest | None = None) -> SafeString:
    """A body as HTML inside ``<div class="blocks">``, or "" when nothing in it can be shown.

    Plain text is escaped by the templates, rich text is sanitised again with the current rules
    and URLs are checked again, so a body stored by an older version (or around ``clean_blocks``)
    cannot bypass them. Unknown or malformed blocks are skipped. ``request`` is handed to slot
    renderers only (without it, slots that depend on the visitor show nothing). Apart from what
    slot renderers do, rendering makes no database query.
    """
    inner = _render_list(blocks, request, nested=False)
    return format_html('<div class="blocks">{}</div>', inner) if inner else mark_safe("")


def text_of(blocks: list[dict[str, Any]]) -> str:
    """The plain text of a body, one line per piece, for search and reading time.

    Includes headings, rich text without its tags, image captions and call-to-action text,
    in order and through columns; slots and image alternatives are left out.
    """
    return "\n".join(line for line in _text_lines(blocks, nested=False) if line)


def _text_lines(blocks: Any, *, nested: bool) -> list[str]:
    lines: list[str] = []
    for block in blocks if isinstance(blocks, list) else []:
        block_type = block.get("type") if isinstance(block, dict) else None
        if block_type in {"heading", "cta"}:
            lines.append(_text(block, "text"))
        elif block_type == "rich_text" and isinstance(block.get("html"), str):
            lines.append(html_to_text(block["html"]))
        elif block_type == "image":
            lines.append(_text(block, "caption"))
        elif block_type == "columns" and not nested and isinstance(block.get("columns"), list):
            for column in block["columns"]:
                lines.extend(_text_lines(column, nested=True))
    return lines
