"""The theme editor inside the admin: a draft form built from the token schema, with a live
preview styled by the unsaved values, and everything the engine's editor gives (full-site preview
in a new tab, publish, schedule, history, diff, revert), plus making a theme the site's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from apps.core.publishing import selectors, services
from apps.core.publishing.admin import EditorForm, PublishableAdmin, error_messages
from apps.core.site.selectors import site_components_live
from apps.core.site.themes import (
    COLOR_TOKENS,
    DEFAULTS,
    FONT_STACKS,
    FONT_TOKENS,
    LENGTH_TOKENS,
    clean_tokens,
    live_stylesheet_token,
)
from apps.core.site.views import render_home


class ThemeForm(EditorForm):
    """Every token as a field; colours as a pair of colour pickers (light, dark)."""

    name = forms.CharField(max_length=80)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for token in COLOR_TOKENS:
            for mode in ("light", "dark"):
                self.fields[f"{token}__{mode}"] = forms.CharField(
                    label=f"{token} ({mode})", widget=forms.TextInput(attrs={"type": "color"})
                )
        for token in FONT_TOKENS:
            self.fields[token] = forms.ChoiceField(choices=[(key, key) for key in FONT_STACKS])
        for token in LENGTH_TOKENS:
            self.fields[token] = forms.CharField(max_length=12, help_text="rem or px")
        self.fields["line-height"] = forms.FloatField(min_value=1.0, max_value=2.2)

    @staticmethod
    def initial_for(name: str, tokens: dict[str, Any]) -> dict[str, Any]:
        values = {**DEFAULTS, **tokens}
        initial: dict[str, Any] = {"name": name}
        for token, value in values.items():
            if token in COLOR_TOKENS:
                initial[f"{token}__light"], initial[f"{token}__dark"] = value["light"], value["dark"]
            else:
                initial[token] = value
        return initial

    def color_rows(self) -> list[tuple[str, Any, Any]]:
        return [(token, self[f"{token}__light"], self[f"{token}__dark"]) for token in COLOR_TOKENS]

    def other_fields(self) -> list[Any]:
        return [self[token] for token in (*FONT_TOKENS, *LENGTH_TOKENS, "line-height")]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        tokens: dict[str, Any] = {t: {"light": data[f"{t}__light"], "dark": data[f"{t}__dark"]} for t in COLOR_TOKENS}
        tokens.update({t: data[t] for t in (*FONT_TOKENS, *LENGTH_TOKENS, "line-height")})
        # Store only what differs from site.css, so a later change of a default reaches themes.
        changed = {token: value for token, value in tokens.items() if value != DEFAULTS.get(token)}
        try:
            data["tokens"] = clean_tokens(changed)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        return data


class ThemeAdmin(PublishableAdmin):
    form_class = ThemeForm
    list_display = ("name", "status", "is_active", "live_revision", "latest_revision", "last_published_at")
    change_form_template = "core/editor/theme_form.html"

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/activate/", wrap(require_POST(self.activate_view)), name="core_theme_activate"),
            *super().get_urls(),
        ]

    def content_from_form(self, form: forms.Form, obj: Any) -> dict[str, Any]:
        return {"name": form.cleaned_data["name"], "tokens": form.cleaned_data["tokens"]}

    def initial_from_content(self, content: dict[str, Any], obj: Any) -> dict[str, Any]:
        return ThemeForm.initial_for(content.get("name", ""), content.get("tokens", {}))

    def render_live_preview(self, request: HttpRequest, obj: Any) -> HttpResponse:
        # The home page styled by the unsaved tokens, through a signed stylesheet address.
        href = f"{reverse('theme-css')}?live={live_stylesheet_token(tokens=obj.tokens, user=request.user)}"
        request.theme_override = {"href": href, "name": obj.name}  # type: ignore[attr-defined]
        return render_home(request, site_components_live().get("home"))

    def diff_rows(self, changes: list[selectors.FieldChange]) -> list[dict[str, Any]] | None:
        return _token_rows(changes)

    def activate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        theme = self._get(request, pk)
        try:
            services.theme_activate(theme=theme, author=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "; ".join(error_messages(exc)))
        else:
            messages.success(request, f"{theme.name} now styles the site.")
        return redirect("admin:core_theme_change", pk)


def _token_rows(changes: list[selectors.FieldChange]) -> list[dict[str, Any]]:
    """Diff rows per token (the tokens field is one dict; editors think in tokens)."""
    rows: list[dict[str, Any]] = []
    for change in changes:
        if change.name != "tokens":
            rows.append({"token": change.name, "before": change.before, "after": change.after})
            continue
        before, after = {**DEFAULTS, **(change.before or {})}, {**DEFAULTS, **(change.after or {})}
        for token in sorted(set(before) | set(after)):
            if before.get(token) != after.get(token):
                rows.append({"token": token, "before": before.get(token), "after": after.get(token)})
    return rows
