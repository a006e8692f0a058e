"""The learning platform's page forms."""

from __future__ import annotations

from django import forms

from apps.lms.services.announcements import BODY_MAX, TITLE_MAX
from apps.lms.services.certificates import MAX_REASON


class CertificateRevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why is it revoked?",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown on the certificate's public page and told to the learner.",
    )


class AnnouncementForm(forms.Form):
    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    body = forms.CharField(
        label="Message",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Plain text. Every active learner of the course is told through their notifications.",
    )


class InvitationForm(forms.Form):
    emails = forms.CharField(
        label="Email addresses",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text="Separated by commas or lines. Accounts get a place at once; other addresses get a link.",
    )
