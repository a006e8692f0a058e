"""Forms of direct messages: a new conversation, a message, an edit. They check shape only
(lengths, handles' form); the services decide who may do what."""

from __future__ import annotations

import re

from django import forms

from apps.social.models.messages import GROUP_MAX, MESSAGE_MAX_CHARS, TITLE_MAX

_HANDLE = re.compile(r"@?([A-Za-z0-9_]{1,30})")


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message",
        max_length=MESSAGE_MAX_CHARS,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "data-dm-input": True}),
    )
    # A plain file field: the services check and re-encode the image by its content.
    image = forms.FileField(label="Image", required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("body") and not data.get("image") and not self.errors:
            raise forms.ValidationError("Write a message or add an image.", code="empty")
        return data


class EditForm(forms.Form):
    body = forms.CharField(
        label="Message", max_length=MESSAGE_MAX_CHARS, strip=True, widget=forms.Textarea(attrs={"rows": 2})
    )


class NewConversationForm(MessageForm):
    to = forms.CharField(
        label="To",
        max_length=(GROUP_MAX - 1) * 32,
        help_text=f"Handles, separated by spaces or commas (up to {GROUP_MAX - 1} people).",
    )
    title = forms.CharField(label="Group name", max_length=TITLE_MAX, required=False, help_text="For a group only.")
    field_order = ["to", "title", "body", "image"]

    def clean_to(self) -> list[str]:
        words = [word for word in re.split(r"[\s,]+", self.cleaned_data["to"]) if word]
        handles = []
        for word in words:
            match = _HANDLE.fullmatch(word)
            if match is None:
                raise forms.ValidationError(f"“{word[:40]}” is not a handle.", code="invalid_handle")
            if match.group(1).lower() not in {handle.lower() for handle in handles}:
                handles.append(match.group(1))
        if not handles:
            raise forms.ValidationError("Name at least one person.", code="required")
        if len(handles) > GROUP_MAX - 1:
            raise forms.ValidationError(f"A conversation has at most {GROUP_MAX} people, you included.")
        return handles

    def clean(self) -> dict:
        # A new conversation may start empty (the thread opens and one writes there).
        return forms.Form.clean(self)
