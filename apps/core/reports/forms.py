"""What the report dialog and the staff decision carry; the services judge the values."""

from __future__ import annotations

from django import forms

from apps.core.reports.models import Report


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you reporting this?", choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Anything the moderators should know",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    note = forms.CharField(label="Why", required=False, max_length=1000)
