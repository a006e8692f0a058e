"""The theme editor inside the admin: a draft form built from the token schema, preview in a new
tab, publish, make active, history, diff and revert. Every write goes through the engine."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from apps.core import permissions
from apps.core.models import Theme
from apps.core.publishing import revisions, selectors, services
from apps.core.themes import COLOR_TOKENS, DEFAULTS, FONT_STACKS, FONT_TOKENS, LENGTH_TOKENS, clean_tokens


class ThemeForm(forms.Form):
    """Every token as a field; colours as a pair of colour pickers (light, dark)."""

    name = forms.CharField(max_length=80)
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

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
    def initial_for(name: str, tokens: dict[str, Any], based_on: int) -> dict[str, Any]:
        values = {**DEFAULTS, **tokens}
        initial: dict[str, Any] = {"name": name, "based_on": based_on}
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


class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "is_active", "live_revision", "latest_revision", "last_published_at")
    change_form_template = "core/editor/theme_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return permissions.can_edit_draft(request.user, Theme())

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_edit_draft(request.user, obj or Theme())

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", wrap(self.preview_view), name="core_theme_preview"),
            path("<int:pk>/revisions/", wrap(self.revisions_view), name="core_theme_revisions"),
            path("<int:pk>/diff/<int:a>/<int:b>/", wrap(self.diff_view), name="core_theme_diff"),
            path("<int:pk>/revert/<int:number>/", wrap(require_POST(self.revert_view)), name="core_theme_revert"),
            path("<int:pk>/activate/", wrap(require_POST(self.activate_view)), name="core_theme_activate"),
            *super().get_urls(),
        ]

    # --- Editing ----------------------------------------------------------------------------

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        return self._edit(request, None)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return self._edit(request, get_object_or_404(Theme, pk=object_id))

    def _edit(self, request: HttpRequest, theme: Theme | None) -> HttpResponse:
        if not self.has_change_permission(request, theme):
            raise PermissionDenied
        if request.method == "POST":
            form = ThemeForm(request.POST)
            if form.is_valid():
                saved = self._save(request, theme, form)
                if saved is not None:
                    return redirect("admin:core_theme_change", saved.pk)
        else:
            if theme is None:
                form = ThemeForm(initial=ThemeForm.initial_for("", {}, 0))
            else:
                latest = revisions.revision_read(theme, theme.latest_revision) or {"content": theme.content_of()}
                content = latest["content"]
                form = ThemeForm(
                    initial=ThemeForm.initial_for(content["name"], content["tokens"], theme.latest_revision)
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": Theme._meta,
            "title": f"Theme: {theme.name}" if theme else "New theme",
            "theme": theme,
            "form": form,
            "can_publish": permissions.can_publish(request.user, theme or Theme()),
        }
        return TemplateResponse(request, self.change_form_template, context)

    def _save(self, request: HttpRequest, theme: Theme | None, form: ThemeForm) -> Theme | None:
        content = {"name": form.cleaned_data["name"], "tokens": form.cleaned_data["tokens"]}
        publish = "_publish" in request.POST
        try:
            if theme is None:
                theme = services.draft_create(model=Theme, content=content, author=request.user)
            else:
                services.draft_save(
                    obj=theme, content=content, author=request.user, based_on=form.cleaned_data["based_on"]
                )
            if publish:
                services.publish(obj=theme, author=request.user)
        except ValidationError as exc:
            # A conflict keeps the editor's values in the form: nothing typed is lost.
            form.add_error(None, exc.messages)
            return None
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return None
        messages.success(request, f"Revision {theme.latest_revision} {'published' if publish else 'saved as a draft'}.")
        return theme

    # --- Preview, history, diff, revert, activate -----------------------------------------------

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        theme = get_object_or_404(Theme, pk=pk)
        token = services.preview_token(obj=theme, revision=theme.latest_revision, user=request.user)
        return HttpResponseRedirect(f"{reverse('home')}?theme_preview={token}")

    def revisions_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        theme = get_object_or_404(Theme, pk=pk)
        if not self.has_change_permission(request, theme):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": Theme._meta,
            "title": f"History of {theme.name}",
            "theme": theme,
            "history": selectors.revision_history_with_authors(theme),
        }
        return TemplateResponse(request, "core/editor/revisions.html", context)

    def diff_view(self, request: HttpRequest, pk: int, a: int, b: int) -> HttpResponse:
        theme = get_object_or_404(Theme, pk=pk)
        if not self.has_change_permission(request, theme):
            raise PermissionDenied
        try:
            changes = selectors.revision_diff(theme, a, b)
        except ValidationError as exc:
            raise PermissionDenied(exc.messages[0]) from None
        rows = _token_rows(changes)
        context = {
            **self.admin_site.each_context(request),
            "opts": Theme._meta,
            "title": f"{theme.name}: revision {a} to {b}",
            "theme": theme,
            "rows": rows,
        }
        return TemplateResponse(request, "core/editor/diff.html", context)

    def revert_view(self, request: HttpRequest, pk: int, number: int) -> HttpResponse:
        theme = get_object_or_404(Theme, pk=pk)
        try:
            new = services.revert(obj=theme, to_revision=number, author=request.user, based_on=theme.latest_revision)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(
                request, f"Revision {number} is the draft again, as revision {new}. Publish it to show it."
            )
        return redirect("admin:core_theme_change", pk)

    def activate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        theme = get_object_or_404(Theme, pk=pk)
        try:
            services.theme_activate(theme=theme, author=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
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
