"""The style guide (/styleguide/): every component of the design system in every state, in the
light and the dark scheme side by side, so a domain developer picks components instead of
writing CSS (docs/design-system.md). Staff only; nothing here reads or writes data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.accounts import permissions
from apps.core.site.themes import COLOR_TOKENS


class SampleForm(forms.Form):
    """A form with one field of each kind the field component renders."""

    title = forms.CharField(max_length=80, help_text="Shown as the page's heading; 80 characters at most.")
    email = forms.EmailField(label="Email address")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    category = forms.ChoiceField(choices=[("", "Choose one"), ("news", "News"), ("guides", "Guides")])
    audience = forms.ChoiceField(
        choices=[("everyone", "Everyone"), ("members", "Members only")],
        widget=forms.RadioSelect,
        initial="everyone",
    )
    subscribe = forms.BooleanField(label="Email me when someone replies", required=False)
    cover = forms.ImageField(label="Cover image", required=False, help_text="JPEG, PNG or WebP, up to 5 MB.")


def _panel(scheme: str) -> dict[str, Any]:
    """One scheme's samples; every id is prefixed by the scheme, as both panels share the page."""
    prefix = f"{scheme}-invalid"
    invalid = SampleForm(data={f"{prefix}-title": "", f"{prefix}-email": "not-an-email"}, prefix=prefix)
    invalid.is_valid()
    now = timezone.now()
    return {
        "scheme": scheme,
        "label": "Light" if scheme == "light" else "Dark",
        "form": SampleForm(prefix=scheme),
        "invalid_form": invalid,
        "picker_form": SampleForm(prefix=f"{scheme}-picker"),
        "link_tabs": [
            {"label": "Overview", "url": "#", "current": True},
            {"label": "Posts", "url": "#"},
            {"label": "Comments", "url": "#"},
        ],
        "button_tabs": [
            {"label": "Write", "id": f"{scheme}-tab-write", "selected": True},
            {"label": "Preview", "id": f"{scheme}-tab-preview"},
            {"label": "History", "id": f"{scheme}-tab-history"},
        ],
        "menu_items": [
            {"label": "Edit", "url": "#"},
            {"label": "Duplicate", "url": "#"},
            {"separator": True},
            {"label": "Delete", "url": "#", "danger": True},
        ],
        "page": Paginator(range(120), 10).page(5),
        "columns": ["Post", "Author", "Status", {"label": "Views", "num": True}, {"label": "Comments", "num": True}],
        "rows": [
            [format_html('<a href="#">{}</a>', "Designing in the open"), "Ada Lovelace", "Published", "12,408", "31"],
            [format_html('<a href="#">{}</a>', "A field guide to tokens"), "Grace Hopper", "In review", "—", "0"],
            [format_html('<a href="#">{}</a>', "Charts without JavaScript"), "Alan Turing", "Draft", "—", "0"],
        ],
        "bars": [("Jul", 12), ("Aug", 19), ("Sep", 7), ("Oct", 24), ("Nov", 16), ("Dec", 21)],
        "line": [("1 Nov", 120), ("8 Nov", 180), ("15 Nov", 150), ("22 Nov", 260), ("29 Nov", 240), ("1 Dec", 310)],
        "date": datetime(2026, 11, 28, 9, 30, tzinfo=now.tzinfo),
        "starts_at": datetime(2026, 12, 3, 18, 0, tzinfo=now.tzinfo),
    }


@require_GET
@never_cache
def styleguide(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_view_styleguide(request.user):
        raise PermissionDenied("The style guide is for staff.")
    context = {
        "panels": [_panel("light"), _panel("dark")],
        "colors": COLOR_TOKENS,
        "type_steps": ["text-3xl", "text-2xl", "text-xl", "text-lg", "text-md", "text-sm", "text-xs"],
        "spaces": [f"space-{n}" for n in range(1, 9)],
        "sample_image": static("favicon.svg"),
        "sample_stats": [("posts", 12), ("followers", 340)],
    }
    return render(request, "core/styleguide.html", context)
