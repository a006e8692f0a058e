"""The site editor for free pages and site components (header menu, home sections, footer).

Both are edited on the engine's admin editor (apps/core/publishing/admin.py): bodies with the
block editor, menus and link lists as one link per line, a live preview of the real page beside
the form, and the full-site preview, schedule, history, diff and revert that every publishable gets.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse

from apps.core.blocks import render_blocks
from apps.core.blocks.forms import BlocksField
from apps.core.models import SiteComponent, SitePage
from apps.core.publishing.admin import EditorForm, PublishableAdmin
from apps.core.publishing.preview import Draft, drafts_of
from apps.core.site import services as core_services
from apps.core.site.views import home_for, render_home

# --- Free pages ---------------------------------------------------------------------------------


class SitePageForm(EditorForm):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=80, help_text="The page's address: /<slug>/")
    seo_description = forms.CharField(
        label="Description for search engines", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = BlocksField()


class SitePageAdmin(PublishableAdmin):
    form_class = SitePageForm
    search_fields = ("title", "slug")
    list_filter = ("live",)

    def content_from_form(self, form: forms.Form, obj: Any) -> dict[str, Any]:
        return {name: form.cleaned_data[name] for name in SitePage.content_fields}

    def initial_from_content(self, content: dict[str, Any], obj: Any) -> dict[str, Any]:
        return {name: content.get(name, [] if name == "body" else "") for name in SitePage.content_fields}

    def site_url(self, obj: Any) -> str:
        return f"/{obj.slug}/"

    def render_live_preview(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return render(request, "core/page.html", {"page": obj, "body": render_blocks(obj.body, request=request)})


# --- Site components ------------------------------------------------------------------------------


def links_to_text(links: list[dict[str, Any]], *, nested: bool = False) -> str:
    """A menu or link list as editors write it: ``Label | /url``, children on ``- `` lines."""
    lines: list[str] = []
    for link in links:
        lines.append(f"{link.get('label', '')} | {link.get('url', '')}")
        if nested:
            lines.extend(f"- {child.get('label', '')} | {child.get('url', '')}" for child in link.get("children", []))
    return "\n".join(lines)


def text_to_links(text: str, *, nested: bool) -> list[dict[str, Any]]:
    """The reverse of :func:`links_to_text`; raises ValidationError naming each bad line."""
    links: list[dict[str, Any]] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        is_child = line.startswith("- ")
        label, bar, url = line[2:].partition("|") if is_child else line.partition("|")
        if not bar:
            errors.append(f"Line {number}: write the label, a “|”, then the address (About | /about/).")
            continue
        link = {"label": label.strip(), "url": url.strip()}
        if not is_child:
            links.append({**link, "children": []} if nested else link)
        elif not nested:
            errors.append(f"Line {number}: this list has no sub-items; remove the “- ”.")
        elif not links:
            errors.append(f"Line {number}: a sub-item needs a menu item above it.")
        else:
            links[-1]["children"].append(link)
    if errors:
        raise ValidationError(errors)
    return links


class LinksField(forms.CharField):
    def __init__(self, *, nested: bool, **kwargs: Any) -> None:
        self.nested = nested
        help_text = "One link per line: Label | /address"
        if nested:
            help_text += " — start a line with “- ” to put it under the item above."
        kwargs.setdefault("help_text", help_text)
        super().__init__(required=False, widget=forms.Textarea(attrs={"rows": 8, "class": "vLargeTextField"}), **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return links_to_text(value, nested=self.nested) if isinstance(value, list) else value

    def clean(self, value: Any) -> list[dict[str, Any]]:
        return text_to_links(super().clean(value) or "", nested=self.nested)


class HeaderForm(EditorForm):
    menu = LinksField(nested=True, label="Menu")


class HomeForm(EditorForm):
    sections = BlocksField(label="Sections")


class FooterForm(EditorForm):
    blocks = BlocksField(label="Text and blocks")
    links = LinksField(nested=False, label="Links")


COMPONENT_FORMS: dict[str, type[EditorForm]] = {
    SiteComponent.Key.HEADER: HeaderForm,
    SiteComponent.Key.HOME: HomeForm,
    SiteComponent.Key.FOOTER: FooterForm,
}


class NewComponentForm(forms.Form):
    key = forms.ChoiceField(label="Component")

    def __init__(self, *args: Any, missing: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = missing


class SiteComponentAdmin(PublishableAdmin):
    def _missing_keys(self) -> list[tuple[str, str]]:
        existing = set(SiteComponent.objects.values_list("key", flat=True))
        return [(key, label) for key, label in SiteComponent.Key.choices if key not in existing]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and bool(self._missing_keys())

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        """A component's key is fixed at creation: pick it, then edit it on its own page."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NewComponentForm(request.POST or None, missing=self._missing_keys())
        if request.method == "POST" and form.is_valid():
            component = core_services.site_component_get_or_create(key=form.cleaned_data["key"], author=request.user)
            messages.success(request, f"{component} created: write its first draft.")
            return redirect(f"admin:{self._url_name('change')}", component.pk)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": "Add a site component"}
        return TemplateResponse(request, "core/editor/component_add.html", {**context, "form": form})

    def make_form(self, request: HttpRequest, obj: Any, **kwargs: Any) -> EditorForm:
        return COMPONENT_FORMS[obj.key](**kwargs)

    def content_from_form(self, form: forms.Form, obj: Any) -> dict[str, Any]:
        fields = [name for name in form.fields if name != "based_on"]
        return {"content": {name: form.cleaned_data[name] for name in fields}}

    def initial_from_content(self, content: dict[str, Any], obj: Any) -> dict[str, Any]:
        body = content.get("content") or {}
        return {name: body.get(name, []) for name in COMPONENT_FORMS[obj.key].base_fields if name != "based_on"}

    def render_live_preview(self, request: HttpRequest, obj: Any) -> HttpResponse:
        # The home page with this component's draft in place of its published version.
        drafts = drafts_of(request)
        drafts.drafts.setdefault(obj.content_label(), {})[str(obj.pk)] = Draft(obj=obj, revision=0, token="")
        request.site_drafts = drafts  # type: ignore[attr-defined]
        return render_home(request, home_for(request))
