"""The post editor's form: works as plain HTML (JSON body or plain text), and with the writer's
editor (static/js/rich-editor.js) once it replaces the body's textarea; its autosave posts this
same form (without files) to the autosave views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import linebreaks

from apps.blog.models import Category
from apps.blog.services import PostInput
from apps.core.blocks import BlocksField, clean_blocks


def text_to_blocks(text: str) -> list[dict[str, Any]]:
    """Plain text as one rich-text block: paragraphs at blank lines, line breaks kept, every
    character escaped (so "<script>" is shown, never run)."""
    text = text.strip()
    return [{"type": "rich_text", "html": linebreaks(text, autoescape=True)}] if text else []


class PostForm(forms.Form):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=100,
        required=False,
        label="Address",
        help_text="Letters, digits and hyphens, as in /blog/my-first-post/. Made from the title when empty.",
    )
    excerpt = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown in lists and feeds. Markdown works: **bold**, *italic*, [links](https://example.org).",
    )
    body = BlocksField(
        label="Body",
        help_text="Markdown shortcuts work as you type: ## heading, **bold**, - list, > quote.",
    )
    text = forms.CharField(
        max_length=100_000,
        required=False,
        label="Or write plain text",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Used only when the body above is empty: paragraphs are separated by a blank line.",
    )
    cover = forms.FileField(
        required=False,
        label="Cover image",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
        help_text="PNG, JPEG, GIF or WebP, up to 5 MB.",
    )
    remove_cover = forms.BooleanField(required=False, label="Remove the cover")
    cover_alt = forms.CharField(
        max_length=300, required=False, label="Cover description", help_text="What the cover shows, for screen readers."
    )
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )
    tags = forms.CharField(max_length=600, required=False, help_text="Separated by commas, e.g. django, htmx.")
    seo_description = forms.CharField(
        max_length=300, required=False, label="Description for search engines", widget=forms.Textarea(attrs={"rows": 2})
    )
    go_live_at = forms.DateTimeField(
        required=False,
        label="Publish at (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="For “Schedule”: when the post goes live.",
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    @staticmethod
    def initial_for(content: dict[str, Any], based_on: int) -> dict[str, Any]:
        return {
            **{name: content.get(name, "") for name in ("title", "slug", "excerpt", "cover_alt", "seo_description")},
            "body": content.get("body") or [],
            "categories": content.get("categories") or [],
            "tags": ", ".join(content.get("tags") or []),
            "based_on": based_on,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("body") and data.get("text"):
            try:
                data["body"] = clean_blocks(text_to_blocks(data["text"]))
            except ValidationError as exc:
                self.add_error("text", exc)
        if data.get("cover") and not data.get("cover_alt"):
            self.add_error("cover_alt", "Describe the cover for readers who cannot see it.")
        return data

    def post_input(self) -> PostInput:
        data = self.cleaned_data
        return PostInput(
            title=data["title"],
            slug=data["slug"],
            body=data["body"],
            excerpt=data["excerpt"],
            seo_description=data["seo_description"],
            cover_alt=data["cover_alt"],
            category_ids=tuple(category.pk for category in data["categories"]),
            tag_names=tuple(name for name in data["tags"].split(",") if name.strip()),
        )


class ScheduleForm(forms.Form):
    go_live_at = forms.DateTimeField(
        label="Publish at (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class PublishForm(forms.Form):
    # The revision the reviewer saw: a draft saved after they looked is not published unseen.
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=80)
    description = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
