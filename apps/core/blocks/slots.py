"""Slots: named places in a body that a domain fills at render time (latest posts, products ...).

A domain registers its slots from its ``AppConfig.ready()``; editors may only place slots that
are registered, and a stored slot whose domain is gone renders nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

SlotRenderer = Callable[[HttpRequest | None, Mapping[str, Any]], str]


@dataclass(frozen=True)
class Slot:
    name: str
    renderer: SlotRenderer
    description: str = ""


_slots: dict[str, Slot] = {}


def has_slot(blocks: Any) -> bool:
    """Whether a body places a slot anywhere (at its top or in a column): such a body renders
    differently for each reader, so whoever caches rendered bodies must render it per request."""
    for block in blocks if isinstance(blocks, list) else []:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "slot":
            return True
        if block.get("type") == "columns" and any(has_slot(column) for column in block.get("columns") or []):
            return True
    return False


def register_slot(name: str, renderer: SlotRenderer, *, description: str = "") -> None:
    """Make ``name`` available to bodies; ``renderer(request, options)`` returns safe HTML or "".

    Registering a name again replaces its renderer (so re-imports are harmless). The renderer's
    output is inserted as it is: it must escape what it did not write itself (use a template).
    """
    _slots[name] = Slot(name, renderer, description)


def registered_slots() -> dict[str, Slot]:
    """The registered slots by name (a copy)."""
    return dict(_slots)


def render_slot(name: str, options: Mapping[str, Any], request: HttpRequest | None) -> str:
    """The HTML of one slot, or "" when it is not registered (any more) or its renderer fails."""
    slot = _slots.get(name)
    if slot is None:
        return ""
    try:
        return slot.renderer(request, options) or ""
    except Exception:
        # One failing domain must not take the whole page down with it.
        logger.exception("slot %r failed to render", name)
        return ""


def _signup_prompt(request: HttpRequest | None, options: Mapping[str, Any]) -> str:
    # Without a request nobody is known to be looking; a signed-in reader must not be asked to register.
    if request is None:
        return ""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return ""
    context = {"path": request.path, "site_name": settings.SITE_NAME}
    return render_to_string("core/blocks/_signup_prompt.html", context)


def register_core_slots() -> None:
    register_slot(
        "signup_prompt",
        _signup_prompt,
        description="Asks anonymous visitors to register or sign in; shows nothing to signed-in users.",
    )
