"""The API's parsers (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES): DRF's own, with two limits checked
before a body reaches any serializer.

- Size: a JSON or form body larger than ``settings.API_MAX_BODY_BYTES`` is refused unread; so
  are a multipart body's fields, whose files may add one image upload (``uploads.MAX_IMAGE_BYTES``).
- Depth: JSON nested deeper than ``MAX_DEPTH`` is refused. Python's json module recurses once per
  level, so a body of a thousand nested lists raised RecursionError (a 500); the depth is counted
  without recursing, before the text is decoded (``depth_of``, which fields that take JSON text
  from a form, such as a multipart post's ``body``, use too).

Both answer 400 (ParseError), shaped by apps/core/api/errors.py like every other API error.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from itertools import accumulate
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

from apps.core.platform.uploads import MAX_IMAGE_BYTES

MAX_DEPTH = 32
# JSON strings (with their escapes), whose brackets are text, not nesting.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
TOO_DEEP = f"JSON nested more than {MAX_DEPTH} levels deep is not accepted."


def depth_of(text: str) -> int:
    """How deeply ``text`` nests arrays and objects, counted in one pass without recursion. For
    malformed text it may count too deep, which refuses what json would refuse anyway."""
    brackets = _NOT_BRACKETS.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def max_body_bytes() -> int:
    return settings.API_MAX_BODY_BYTES


def read_limited(stream: IO[bytes] | None, limit: int) -> bytes:
    """The whole body, or ParseError when it is longer than ``limit`` bytes."""
    raw = stream.read(limit + 1) if stream is not None else b""
    if len(raw) > limit:
        raise ParseError(f"The request body is larger than {limit} bytes.")
    return raw


class JSONParser(parsers.JSONParser):
    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: dict | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = read_limited(stream, max_body_bytes())
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
        if depth_of(text) > MAX_DEPTH:
            raise ParseError(TOO_DEEP)
        try:
            return json.loads(text, parse_constant=strict_constant if self.strict else None)
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from None


class FormParser(parsers.FormParser):
    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: dict | None = None) -> Any:
        body = read_limited(stream, max_body_bytes())
        return super().parse(io.BytesIO(body), media_type, parser_context)


class MultiPartParser(parsers.MultiPartParser):
    """Its fields count against the limit as a form body does; its files may add one image (a
    view taking more images at once, a post's four, subclasses with a larger ``images``)."""

    images = 1

    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: dict | None = None) -> Any:
        request = (parser_context or {}).get("request")
        limit = max_body_bytes() + self.images * MAX_IMAGE_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            raise ParseError("Content-Length is not a number.") from None
        if length > limit:
            raise ParseError(f"The request body is larger than {limit} bytes.")
        try:
            parsed = super().parse(stream, media_type, parser_context)
        except SuspiciousOperation as error:  # Django's own field-count and field-size limits
            raise ParseError(f"Multipart form parse error - {error}") from None
        fields = sum(len(name) + len(value) for name, values in parsed.data.lists() for value in values)
        if fields > max_body_bytes():
            raise ParseError(f"The request body is larger than {max_body_bytes()} bytes, besides its files.")
        return parsed
