"""The search form (/social/search/?q=&type=): its bounds are core's (``search.clean_query``),
so the page and the API refuse the same input with the same message."""

from __future__ import annotations

from django import forms

from apps.core.platform import search
from apps.social.selectors_search import KINDS


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        strip=False,
        help_text=f"People, #hashtags and posts: up to {search.MAX_WORDS} words.",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search people, hashtags and posts"}),
    )
    type = forms.ChoiceField(
        required=False,
        choices=[(kind, kind.title()) for kind in KINDS],
        widget=forms.HiddenInput,
    )

    def clean_q(self) -> str:
        return search.clean_query(self.cleaned_data.get("q"))

    def clean_type(self) -> str:
        return self.cleaned_data.get("type") or KINDS[0]
