"""A form field for a body of blocks, shared by every editor (site pages, home sections, posts ...).

The value travels as JSON text in a textarea, so a form works without JavaScript; the writer's
editor (static/js/rich-editor.js, on the vendored Tiptap bundle) replaces the textarea when it
runs and writes the same JSON back into it. A form that also sets ``data-autosave="<url>"``
gets its draft saved there every few seconds (docs/blocks.md, "The editor").
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.core.blocks import block_types, clean_blocks
from apps.core.blocks.images import block_image_key, block_image_url


class BlockEditorWidget(forms.Textarea):
    template_name = "core/widgets/block_editor.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"rows": 14, "class": "rich-editor__source", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["block_types"] = block_types()
        # The image picker posts files here and previews the images the body already holds.
        context["image_upload_url"] = reverse("block-image-upload")
        context["image_urls"] = {key: block_image_url(key) for key in _image_keys(value)}
        return context

    class Media:
        js = ("vendor/tiptap/tiptap.bundle.min.js", "js/rich-editor.js")
        css = {"all": ("css/block-editor.css",)}


def _image_keys(value: Any) -> set[str]:
    """The uploaded images an (uncleaned) body refers to, through columns."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return set()
    keys: set[str] = set()
    for block in value if isinstance(value, list) else []:
        if not isinstance(block, dict):
            continue
        src = block.get("src") if block.get("type") == "image" else None
        if isinstance(src, str) and (key := block_image_key(src.strip())):
            keys.add(key)
        columns = block.get("columns") if block.get("type") == "columns" else None
        for column in columns if isinstance(columns, list) else []:
            keys |= _image_keys(column)
    return keys


class BlocksField(forms.Field):
    """A list of blocks, cleaned by ``clean_blocks``; each problem becomes one form error."""

    widget = BlockEditorWidget

    def __init__(self, *, known_slots: set[str] | None = None, **kwargs: Any) -> None:
        self.known_slots = known_slots
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[dict[str, Any]]:
        if value in (None, ""):
            return []
        if isinstance(value, list):
            return value
        try:
            data = json.loads(value)
        except (TypeError, ValueError):
            raise ValidationError("The body is not valid JSON.", code="invalid_json") from None
        return data

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def clean(self, value: Any) -> list[dict[str, Any]]:
        data = self.to_python(value)
        self.validate(data)
        return clean_blocks(data, known_slots=self.known_slots)

    def prepare_value(self, value: Any) -> Any:
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != (initial or [])
        except ValidationError:
            return True
