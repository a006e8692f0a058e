"""The kinds of field a block type is made of: each cleans a value and describes its limits."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from apps.core.blocks import images
from apps.core.blocks.html import LINK_SCHEMES, RICH_TEXT_ATTRIBUTES, RICH_TEXT_TAGS, sanitize_html
from apps.core.blocks.slots import registered_slots

RICH_TEXT_MAX_LENGTH = 50_000
RICH_TEXT_MAX_INPUT = 4 * RICH_TEXT_MAX_LENGTH  # longer input is refused before it is parsed
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_OPTION_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")


class FieldError(Exception):
    """A field's value is wrong; the message follows the field's name ("url must ...", "options.limit ...")."""


@dataclass
class Run:
    """One call of ``clean_blocks``: its slot names, the ids seen so far and the errors found."""

    slot_names: frozenset[str]
    ids: set[str] = field(default_factory=set)
    errors: list[ValidationError] = field(default_factory=list)

    def new_id(self) -> str:
        while (candidate := secrets.token_urlsafe(6)) in self.ids:
            pass
        return candidate


@dataclass(frozen=True)
class Field:
    required: bool = True

    def clean(self, value: Any, run: Run, where: str) -> Any:
        raise NotImplementedError

    def default(self) -> Any:
        return None

    def describe(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class PlainText(Field):
    min_length: int = 1
    max_length: int = 200

    def clean(self, value: Any, run: Run, where: str) -> str:
        if not isinstance(value, str):
            raise FieldError("must be text")
        value = value.strip()
        if _CONTROL_CHARACTERS.search(value):
            raise FieldError("must not contain control characters")
        if len(value) < self.min_length:
            raise FieldError("must not be empty")
        if len(value) > self.max_length:
            raise FieldError(f"must be at most {self.max_length} characters (it has {len(value)})")
        return value

    def default(self) -> str:
        return ""

    def describe(self) -> dict[str, Any]:
        return {"type": "string", "format": "plain", "min_length": self.min_length, "max_length": self.max_length}


@dataclass(frozen=True)
class Integer(Field):
    minimum: int = 0
    maximum: int = 0

    def clean(self, value: Any, run: Run, where: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not self.minimum <= value <= self.maximum:
            raise FieldError(f"must be a whole number from {self.minimum} to {self.maximum}")
        return value

    def describe(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class Boolean(Field):
    def clean(self, value: Any, run: Run, where: str) -> bool:
        if not isinstance(value, bool):
            raise FieldError("must be true or false")
        return value

    def default(self) -> bool:
        return False

    def describe(self) -> dict[str, Any]:
        return {"type": "boolean", "default": False}


@dataclass(frozen=True)
class Choice(Field):
    choices: tuple[str, ...] = ()

    def clean(self, value: Any, run: Run, where: str) -> str:
        if value not in self.choices:
            raise FieldError(f"must be one of {', '.join(repr(c) for c in self.choices)}")
        return value

    def default(self) -> str:
        return self.choices[0]

    def describe(self) -> dict[str, Any]:
        return {"type": "string", "choices": list(self.choices), "default": self.choices[0]}


@dataclass(frozen=True)
class RichText(Field):
    max_length: int = RICH_TEXT_MAX_LENGTH

    def clean(self, value: Any, run: Run, where: str) -> str:
        if not isinstance(value, str):
            raise FieldError("must be text")
        too_long = f"must be at most {self.max_length:,} characters after cleaning"
        if len(value) > RICH_TEXT_MAX_INPUT:
            raise FieldError(too_long)
        cleaned = sanitize_html(value).strip()
        if len(cleaned) > self.max_length:
            raise FieldError(f"{too_long} (it has {len(cleaned):,})")
        return cleaned

    def default(self) -> str:
        return ""

    def describe(self) -> dict[str, Any]:
        return {
            "type": "string",
            "format": "html",
            "max_length": self.max_length,
            "allowed_tags": sorted(RICH_TEXT_TAGS),
            "allowed_attributes": {tag: sorted(names) for tag, names in RICH_TEXT_ATTRIBUTES.items()},
            "url_schemes": sorted(LINK_SCHEMES) + ["relative"],
        }


def link_url_problem(url: str) -> str | None:
    """Why ``url`` may not be a call to action's link, or None: http(s), mailto: or a path from "/"."""
    message = "must start with http://, https://, mailto: or /"
    if _CONTROL_CHARACTERS.search(url) or any(c.isspace() for c in url):
        return "must not contain spaces or control characters"
    if url.startswith("/"):
        # "//host" and "/\host" are other sites, spelt like paths.
        return message if url[1:2] in {"/", "\\"} else None
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in {"http", "https"} and url[: len(scheme) + 3].lower() == f"{scheme}://" and parts.netloc:
        return None
    if scheme == "mailto" and len(url) > len("mailto:"):
        return None
    return message


@dataclass(frozen=True)
class Checked(Field):
    """A string checked by a function that names what is wrong with it."""

    problem: Callable[[str], str | None] = link_url_problem
    max_length: int = 2000
    format: str = ""

    def clean(self, value: Any, run: Run, where: str) -> str:
        if not isinstance(value, str):
            raise FieldError("must be text")
        value = value.strip()
        if len(value) > self.max_length:
            raise FieldError(f"must be at most {self.max_length} characters")
        if problem := self.problem(value):
            raise FieldError(problem)
        return value

    def describe(self) -> dict[str, Any]:
        return {"type": "string", "format": self.format, "max_length": self.max_length}


@dataclass(frozen=True)
class StoredImage(Field):
    """An image uploaded to the site's storage (``apps.core.blocks.images``), held by its key.

    The file must exist when the body is saved; an address under MEDIA_URL that names one is
    kept as its key."""

    max_length: int = 300

    def clean(self, value: Any, run: Run, where: str) -> str:
        if not isinstance(value, str):
            raise FieldError("must be text")
        value = value.strip()
        if not value:
            raise FieldError("must not be empty (upload an image)")
        if len(value) > self.max_length or _CONTROL_CHARACTERS.search(value):
            raise FieldError(f"must be the key of an image uploaded to this site ({images.PREFIX}...)")
        if problem := images.block_image_problem(value):
            raise FieldError(problem)
        return images.block_image_key(value) or value

    def describe(self) -> dict[str, Any]:
        return {
            "type": "string",
            "format": "stored_image",
            "pattern": f"^{images.KEY.pattern}$",
            "max_length": self.max_length,
            "formats": ["png", "jpeg", "gif", "webp"],
            "max_bytes": images.MAX_BYTES,
        }


@dataclass(frozen=True)
class SlotName(Field):
    def clean(self, value: Any, run: Run, where: str) -> str:
        if not isinstance(value, str) or value not in run.slot_names:
            known = ", ".join(sorted(run.slot_names)) or "none are registered"
            raise FieldError(f"must be a registered slot ({known})")
        return value

    def describe(self) -> dict[str, Any]:
        slots = registered_slots()
        return {
            "type": "string",
            "choices": sorted(slots),
            "descriptions": {name: slot.description for name, slot in sorted(slots.items())},
        }


@dataclass(frozen=True)
class SlotOptions(Field):
    """Small settings for a slot: short lowercase keys, values text (up to 200), whole numbers or booleans."""

    max_keys: int = 10

    def clean(self, value: Any, run: Run, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise FieldError("must be an object")
        if len(value) > self.max_keys:
            raise FieldError(f"may hold at most {self.max_keys} settings")
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not _OPTION_KEY.fullmatch(key):
                raise FieldError(f" keys must be short lowercase names ({str(key)[:40]!r} is not)")
            if key == "limit" and (not isinstance(item, int) or isinstance(item, bool) or not 1 <= item <= 24):
                raise FieldError(".limit must be a whole number from 1 to 24")
            if not isinstance(item, str | int | bool) or (isinstance(item, str) and len(item) > 200):
                raise FieldError(f".{key} must be text of at most 200 characters, a whole number or true/false")
            cleaned[key] = item
        return cleaned

    def default(self) -> dict[str, Any]:
        return {}

    def describe(self) -> dict[str, Any]:
        return {
            "type": "object",
            "max_keys": self.max_keys,
            "values": ["string (max 200)", "integer", "boolean"],
            "fields": {"limit": {"type": "integer", "minimum": 1, "maximum": 24, "required": False}},
        }
