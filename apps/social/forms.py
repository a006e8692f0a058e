"""The social network's forms: writing a post (text, who reads it, a content warning, up to four
images with their alt text, a long body in the platform's block editor) and editing one. Forms
parse input; the services decide (their refusals come back as the forms' errors)."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.core.blocks import BlocksField
from apps.social.audiences import audience_choices
from apps.social.models import Post
from apps.social.models.posts import IMAGES_MAX, POST_MAX_CHARS
from apps.social.services.posts import ALT_MAX, ImageInput

V = Post.Visibility
BASE_CHOICES = [(V.PUBLIC, "Everyone"), (V.FOLLOWERS, "Your followers"), (V.MENTIONED, "Only the people you mention")]


def _image_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for n in range(1, IMAGES_MAX + 1):
        fields[f"image_{n}"] = forms.FileField(label=f"Image {n}", required=False)
        fields[f"alt_{n}"] = forms.CharField(
            label=f"Image {n}: description (alt text)",
            required=False,
            max_length=ALT_MAX,
            help_text="What the image shows, for people who cannot see it.",
        )
    return fields


class PostForm(forms.Form):
    text = forms.CharField(
        label="What's happening?",
        required=False,
        max_length=POST_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": POST_MAX_CHARS}),
        help_text="Up to 1,000 characters. @handle mentions someone; #word tags the post.",
    )
    content_warning = forms.CharField(
        label="Content warning", required=False, max_length=200, help_text="Readers open the post to see it."
    )
    visibility = forms.ChoiceField(label="Who may read it", choices=BASE_CHOICES, initial=V.PUBLIC)
    body = BlocksField(label="Long post", help_text="Headings, paragraphs and lists beneath the text.")
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    locals().update(_image_fields())

    def __init__(self, *args: Any, author: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[str, str]]] = {}
        for value, provider_label, label in audience_choices(author):
            groups.setdefault(provider_label, []).append((value, label))
        self.fields["visibility"].choices = [*BASE_CHOICES, *groups.items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.has_error("reply_to"):  # a hidden field: its error is said where it is seen
            self.add_error(None, "The post you reply to could not be found.")
        choice = data.get("visibility", "")
        data["audience"] = "" if choice in V.values else choice
        data["visibility"] = choice if choice in V.values else V.AUDIENCE
        return data

    def images(self) -> list[ImageInput]:
        data = self.cleaned_data
        return [
            ImageInput(data[f"image_{n}"], data.get(f"alt_{n}", ""))
            for n in range(1, IMAGES_MAX + 1)
            if data.get(f"image_{n}")
        ]


class PostEditForm(forms.Form):
    text = forms.CharField(
        label="Text",
        required=False,
        max_length=POST_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": POST_MAX_CHARS}),
    )
    content_warning = forms.CharField(label="Content warning", required=False, max_length=200)
