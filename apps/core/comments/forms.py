"""What the comment forms carry. The services judge the text (empty, too long) and say why."""

from __future__ import annotations

from django import forms


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", required=False, strip=False, widget=forms.Textarea)
    # A reply posted to the post's own comment address names the comment it answers.
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class BanForm(forms.Form):
    reason = forms.CharField(label="Reason", required=False, max_length=1000)
