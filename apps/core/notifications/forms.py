"""The preferences form: for each registered kind, in the app (on/off) and email (off, at once,
daily or weekly digest)."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.core.notifications.registry import Email
from apps.core.notifications.selectors import Choice


class PreferencesForm(forms.Form):
    """One pair of fields per kind: ``<kind>-in_app`` and ``<kind>-email``."""

    def __init__(self, *args: Any, choices: list[Choice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        for choice in choices:
            name = choice.kind.name
            self.fields[f"{name}-in_app"] = forms.BooleanField(
                label="Show in the app", required=False, initial=choice.in_app
            )
            # Not required: a kind the form did not send (one installed since the page loaded)
            # keeps its choice, its checkbox included.
            self.fields[f"{name}-email"] = forms.ChoiceField(
                label="Email",
                choices=Email.CHOICES,
                initial=choice.email,
                required=False,
                widget=forms.Select(attrs={"class": "input"}),  # the design system's field look
            )

    def rows(self) -> list[dict[str, Any]]:
        """Each kind with its two bound fields, for the page's table."""
        return [
            {"choice": choice, "in_app": self[f"{choice.kind.name}-in_app"], "email": self[f"{choice.kind.name}-email"]}
            for choice in self.choices
        ]

    def changes(self) -> list[tuple[str, bool, str]]:
        """(kind, in_app, email) for every kind the form sent, from the cleaned data."""
        return [
            (c.kind.name, self.cleaned_data[f"{c.kind.name}-in_app"], self.cleaned_data[f"{c.kind.name}-email"])
            for c in self.choices
            if self.cleaned_data.get(f"{c.kind.name}-email")
        ]
