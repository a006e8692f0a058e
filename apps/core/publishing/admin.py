"""The editor every publishable model gets inside the Django admin.

A model's admin subclasses :class:`PublishableAdmin` and says how its form maps to content
(``content_from_form`` / ``initial_from_content``) and how visitors see it (``site_url`` and
``render_live_preview``). The base supplies the rest, all through the engine's services: draft
saving with conflict detection, publish, schedule, unpublish, the live preview beside the form,
the full-site preview in a new tab, history, diff and revert. Access follows the content's own
policy (``permissions.can_edit_draft`` / ``can_publish``), so a role may draft without publishing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csp.decorators import csp_replace
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from apps.core.accounts import permissions
from apps.core.platform.idempotency import idempotency_exempt
from apps.core.publishing import revisions, selectors, services
from apps.core.publishing.http import as_draft
from apps.core.publishing.models import Publishable
from apps.core.publishing.preview import preview_add


class EditorForm(forms.Form):
    """Base of every editor form: it carries the revision the editor opened."""

    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        required=False,
        label="Publish the newest draft at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Leave empty to cancel a scheduled publication.",
    )
    take_down_at = forms.DateTimeField(
        required=False,
        label="Take it off the site at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def error_messages(exc: ValidationError | PermissionDenied) -> list[str]:
    """What a refused service call says, as a list of messages for the editor."""
    return list(getattr(exc, "messages", None) or [str(exc)])


class PublishableAdmin(admin.ModelAdmin):
    """The site editor for one publishable model. Subclasses set ``form_class`` and the hooks."""

    form_class: type[EditorForm] = EditorForm
    change_form_template = "core/editor/edit.html"
    list_display = ("__str__", "status", "live_revision", "latest_revision", "last_published_at", "go_live_at")
    #: Whether the editor shows the live preview frame (it needs ``render_live_preview``).
    live_preview = True

    # --- Hooks for subclasses ---------------------------------------------------------------

    def content_from_form(self, form: forms.Form, obj: Publishable | None) -> dict[str, Any]:
        raise NotImplementedError

    def initial_from_content(self, content: dict[str, Any], obj: Publishable | None) -> dict[str, Any]:
        raise NotImplementedError

    def make_form(self, request: HttpRequest, obj: Publishable | None, **kwargs: Any) -> EditorForm:
        return self.form_class(**kwargs)

    def create(self, request: HttpRequest, form: forms.Form, content: dict[str, Any]) -> Publishable:
        return services.draft_create(model=self.model, content=content, author=request.user)

    def blank(self, form: forms.Form) -> Publishable:
        """An unsaved new object for the live preview of the add form."""
        return self.model()

    def site_url(self, obj: Publishable) -> str:
        """Where visitors (and the full-site preview) see ``obj``."""
        return "/"

    def render_live_preview(self, request: HttpRequest, obj: Publishable) -> HttpResponse:
        """The page visitors would see with ``obj`` (unsaved, its content applied)."""
        raise NotImplementedError

    def diff_rows(self, changes: list[selectors.FieldChange]) -> list[dict[str, Any]] | None:
        """Rows for a custom diff table, or None for the generic field-by-field diff."""
        return None

    # --- Access: the content's own policy --------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return permissions.can_edit_draft(request.user, self.model())

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_edit_draft(request.user, obj or self.model())

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # content is unpublished, never deleted: its history stays

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)

    def _url_name(self, suffix: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{suffix}"

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", wrap(self.preview_view), name=self._url_name("preview")),
            path("live-preview/", wrap(require_POST(self.live_preview_view)), name=self._url_name("live_preview")),
            path(
                "<int:pk>/live-preview/",
                wrap(require_POST(self.live_preview_view)),
                name=self._url_name("live_preview_of"),
            ),
            path("<int:pk>/revisions/", wrap(self.revisions_view), name=self._url_name("revisions")),
            path("<int:pk>/diff/<int:a>/<int:b>/", wrap(self.diff_view), name=self._url_name("diff")),
            path("<int:pk>/revert/<int:number>/", wrap(require_POST(self.revert_view)), name=self._url_name("revert")),
            path("<int:pk>/schedule/", wrap(require_POST(self.schedule_view)), name=self._url_name("schedule")),
            path("<int:pk>/unpublish/", wrap(require_POST(self.unpublish_view)), name=self._url_name("unpublish")),
            *super().get_urls(),
        ]

    def _get(self, request: HttpRequest, pk: int | str) -> Publishable:
        obj = get_object_or_404(self.model, pk=pk)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    # --- Editing ------------------------------------------------------------------------------

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self._edit(request, None)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return self._edit(request, self._get(request, object_id))

    def _edit(self, request: HttpRequest, obj: Publishable | None) -> HttpResponse:
        if request.method == "POST":
            form = self.make_form(request, obj, data=request.POST, files=request.FILES)
            if form.is_valid():
                saved = self._save(request, obj, form)
                if saved is not None:
                    return redirect(f"admin:{self._url_name('change')}", saved.pk)
        else:
            form = self.make_form(request, obj, initial=self._initial(obj))
        return TemplateResponse(request, self.change_form_template, self._context(request, obj, form=form))

    def _initial(self, obj: Publishable | None) -> dict[str, Any]:
        if obj is None:
            return {**self.initial_from_content({}, None), "based_on": 0}
        latest = revisions.revision_read(obj, obj.latest_revision) or {"content": obj.content_of()}
        return {**self.initial_from_content(latest["content"], obj), "based_on": obj.latest_revision}

    def _context(self, request: HttpRequest, obj: Publishable | None, **extra: Any) -> dict[str, Any]:
        schedule = ScheduleForm(initial={"publish_at": obj.go_live_at, "take_down_at": obj.expire_at}) if obj else None
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{self.opts.verbose_name.capitalize()}: {obj}" if obj else f"New {self.opts.verbose_name}",
            "object": obj,
            "can_publish": permissions.can_publish(request.user, obj or self.model()),
            "live_preview": self.live_preview,
            # The form and its live preview need the whole width; the breadcrumbs lead back.
            "is_nav_sidebar_enabled": False,
            "schedule_form": extra.pop("schedule_form", schedule),
            "site_url": self.site_url(obj) if obj is not None and obj.live else None,
            "media": self.media + (extra["form"].media if "form" in extra else forms.Media()),
            **extra,
        }

    def _save(self, request: HttpRequest, obj: Publishable | None, form: forms.Form) -> Publishable | None:
        content = self.content_from_form(form, obj)
        publish = "_publish" in request.POST
        try:
            if obj is None:
                obj = self.create(request, form, content)
            else:
                services.draft_save(
                    obj=obj, content=content, author=request.user, based_on=form.cleaned_data["based_on"]
                )
            if publish:
                services.publish(obj=obj, author=request.user)
        except (ValidationError, PermissionDenied) as exc:
            # A conflict or a refused value keeps the editor's values in the form: nothing typed is lost.
            form.add_error(None, error_messages(exc))
            return None
        done = "published" if publish else "saved as a draft"
        messages.success(request, f"Revision {obj.latest_revision} {done}.")
        return obj

    # --- Previews -----------------------------------------------------------------------------------

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Open the real site with this draft (and the editor's other previewed drafts) applied."""
        obj = self._get(request, pk)
        preview_add(request, obj)
        latest = revisions.revision_read(obj, obj.latest_revision)
        if latest is not None:
            obj.apply_content(latest["content"])  # the draft's address (a page's new slug)
        return HttpResponseRedirect(self.site_url(obj))

    @csp_replace({"frame-ancestors": ["'self'"]})
    @xframe_options_sameorigin
    @idempotency_exempt  # posted again after each pause in typing, from one rendered form; writes nothing
    def live_preview_view(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        """The unsaved form rendered as visitors would see it, for the frame beside the form."""
        obj = self._get(request, pk) if pk is not None else None
        if obj is None and not self.has_add_permission(request):
            raise PermissionDenied
        if not self.live_preview:
            raise Http404("This content has no live preview.")
        form = self.make_form(request, obj, data=request.POST, files=request.FILES)
        if form.is_valid():
            target = obj if obj is not None else self.blank(form)
            try:
                target.apply_content(target.clean_content(self.content_from_form(form, obj)))
            except ValidationError as exc:
                form.add_error(None, error_messages(exc))
        if not form.is_valid():
            context = {"form": form, "title": "Nothing to preview yet"}
            return as_draft(TemplateResponse(request, "core/editor/live_preview_errors.html", context))
        return as_draft(self.render_live_preview(request, target))

    # --- Schedule and unpublish -------------------------------------------------------------------

    def schedule_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self._get(request, pk)
        form = ScheduleForm(request.POST)
        if form.is_valid():
            start, end = form.cleaned_data["publish_at"], form.cleaned_data["take_down_at"]
            try:
                services.schedule(obj=obj, author=request.user, revision=None, go_live_at=start, expire_at=end)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, error_messages(exc))
            else:
                messages.success(request, _schedule_message(start, end))
                return redirect(f"admin:{self._url_name('change')}", pk)
        edit_form = self.make_form(request, obj, initial=self._initial(obj))
        context = self._context(request, obj, form=edit_form, schedule_form=form)
        return TemplateResponse(request, self.change_form_template, context, status=400)

    def unpublish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self._get(request, pk)
        try:
            services.unpublish(obj=obj, author=request.user)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"“{obj}” is off the site; its content and history are kept.")
        return redirect(f"admin:{self._url_name('change')}", pk)

    # --- History, diff, revert ----------------------------------------------------------------------

    def revisions_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self._get(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"History of {obj}",
            "object": obj,
            "history": selectors.revision_history_with_authors(obj),
        }
        return TemplateResponse(request, "core/editor/revisions.html", context)

    def diff_view(self, request: HttpRequest, pk: int, a: int, b: int) -> HttpResponse:
        obj = self._get(request, pk)
        try:
            changes = selectors.revision_diff(obj, a, b)
        except ValidationError as exc:
            raise Http404(exc.messages[0]) from None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{obj}: revision {a} to {b}",
            "object": obj,
            "changes": changes,
            "rows": _readable_rows(self.diff_rows(changes)),
            "a": a,
            "b": b,
        }
        return TemplateResponse(request, "core/editor/diff.html", context)

    def revert_view(self, request: HttpRequest, pk: int, number: int) -> HttpResponse:
        obj = self._get(request, pk)
        try:
            new = services.revert(obj=obj, to_revision=number, author=request.user, based_on=obj.latest_revision)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "; ".join(error_messages(exc)))
            return redirect(f"admin:{self._url_name('change')}", pk)
        if new == number:  # the newest revision already holds that content: nothing was stored
            messages.success(request, f"Revision {number} is already the newest revision.")
        else:
            messages.success(
                request, f"Revision {number} is the draft again, as revision {new}. Publish it to show it."
            )
        return redirect(f"admin:{self._url_name('change')}", pk)


def _readable_rows(rows: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """A custom diff table's values as text (a colour token is a light and a dark value)."""
    if rows is None:
        return None
    return [
        {**row, "before": selectors.value_text(row["before"]), "after": selectors.value_text(row["after"])}
        for row in rows
    ]


def _schedule_message(start: datetime | None, end: datetime | None) -> str:
    def when(moment: datetime) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")

    if start is None and end is None:
        return "The schedule is cancelled."
    parts = []
    if start is not None:
        parts.append(f"the newest draft goes live at {when(start)}")
    if end is not None:
        parts.append(f"it comes off the site at {when(end)}")
    return "Scheduled: " + " and ".join(parts) + "."
