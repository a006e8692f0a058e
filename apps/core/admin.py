from __future__ import annotations

import copy
import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html

from apps.core.accounts import permissions, roles, services
from apps.core.accounts.permissions import AccountChange
from apps.core.accounts.roles import RoleName
from apps.core.models import DeadLetter, Role, SiteComponent, SitePage, Theme, User
from apps.core.platform.uploads import AVATAR_MAX_SIDE, image_reencode
from apps.core.site.editor import SiteComponentAdmin, SitePageAdmin
from apps.core.site.theme_editor import ThemeAdmin


def role_choices() -> list[tuple[str, str]]:
    # Everyone acts as "user": it is never granted, so it is not offered. Roles come from core
    # and from the apps' hooks, so the list is read when a form is built, not at import.
    return [
        (spec.name, f"{spec.label}: {spec.description}") for spec in roles.all_roles() if spec.name != RoleName.USER
    ]


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name")


class UserEditForm(UserChangeForm):
    # Roles are granted through the services (role version, staff flags, audit events), so the
    # form carries them as a plain choice field rather than editing the through table.
    platform_roles = RolesField(choices=role_choices, required=False, label="Roles")

    class Meta:
        model = User
        fields = "__all__"
        # Roles are the one way to grant power: Django's own permission fields are never offered,
        # and a posted value for them is ignored.
        exclude = ("user_permissions", "groups", "is_superuser", "is_staff", "role_version")

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        field = self.fields.get("platform_roles")
        if field is None:  # read-only for this actor
            return
        grantable = set(permissions.grantable_roles(actor))
        field.choices = [choice for choice in role_choices() if choice[0] in grantable]
        if self.instance.pk:
            field.initial = sorted(permissions.held_roles(self.instance) & grantable)

    def clean_avatar(self) -> Any:
        # An avatar uploaded here is re-encoded as one from the profile page is (no EXIF or GPS,
        # nothing after the image, upright), so the admin is no way around the profile's rules.
        avatar = self.cleaned_data.get("avatar")
        if not isinstance(avatar, UploadedFile):
            return avatar  # unchanged, or cleared
        encoded, suffix = image_reencode(avatar, max_side=AVATAR_MAX_SIDE)
        encoded.name = f"avatar{suffix}"
        return encoded

    def clean_platform_roles(self) -> set[str]:
        wanted = set(self.cleaned_data["platform_roles"])
        held = set(permissions.held_roles(self.instance)) if self.instance.pk else set()
        grantable = set(permissions.grantable_roles(self.actor))
        forbidden = sorted((wanted ^ held) - grantable)
        if forbidden:
            raise forms.ValidationError(f"You may not grant or revoke: {', '.join(forbidden)}.")
        return wanted | (held - grantable)  # roles the actor may not change are kept as they are


class PasswordSetForm(AdminPasswordChangeForm):
    """Django's form; the write goes through ``services.user_set_password`` (policy, token revocation)."""

    actor: Any = None

    def save(self, commit: bool = True) -> User:
        password = self.cleaned_data["password1"] if self.cleaned_data.get("set_usable_password", True) else None
        services.user_set_password(actor=self.actor, user=self.user, password=password)
        return self.user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """People: everyone sees the list; an admin changes only accounts below their own role
    (``permissions.account_change_refusal``), and on their own account the profile and password."""

    form = UserEditForm
    add_form = UserCreationForm
    change_password_form = PasswordSetForm
    ordering = ("email",)
    list_display = ("email", "display_name", "role_list", "is_active", "email_confirmed", "date_joined")
    list_filter = ("roles__name", "is_active", "is_staff")
    search_fields = ("email", "display_name")
    readonly_fields = ("last_login", "date_joined", "email_verified_at", "is_staff", "role_version", "role_list")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "bio", "avatar", "email_verified_at")}),
        ("Access", {"fields": ("is_active", "platform_roles", "is_staff", "role_version")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")}),)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("roles")

    # --- What this actor may change on this account -------------------------------------

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The profile is the least one may change (one's own); accounts at or above the actor
        # are view-only.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.can_change_account(request.user, obj, AccountChange.PROFILE))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or permissions.can_change_account(request.user, obj, AccountChange.DELETE))

    def _guarded(self, request: HttpRequest, obj: Any) -> bool:
        """An existing account whose email, active flag and roles this actor may not change."""
        return obj is not None and not permissions.can_manage_account(request.user, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if self._guarded(request, obj):
            # platform_roles is a form field: naming it here drops it from the form.
            fields += ("email", "is_active", "platform_roles")
        return fields

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if not self._guarded(request, obj):
            return fieldsets
        swap = {"platform_roles": "role_list"}
        if not permissions.can_change_account(request.user, obj, AccountChange.PASSWORD):
            swap["password"] = "password_note"  # noqa: S105 (field names, not a secret)
        return tuple(
            (name, {**options, "fields": tuple(swap.get(field, field) for field in options["fields"])})
            for name, options in fieldsets
        )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return form_class

        class FormWithActor(form_class):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, actor=request.user, **inner)

        return FormWithActor

    @admin.display(description="Roles")
    def role_list(self, obj: User) -> str:
        return ", ".join(role.name for role in obj.roles.all()) or "—"

    @admin.display(description="Password")
    def password_note(self, obj: User) -> str:
        return "Set by the account holder, or by someone above their role."

    @admin.display(description="Email confirmed", boolean=True)
    def email_confirmed(self, obj: User) -> bool:
        return obj.email_verified_at is not None

    # --- Writes: each through its service, which asks the same policy again --------------

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        target = self.get_object(request, unquote(id))
        if target is not None:
            refusal = permissions.account_change_refusal(request.user, target, AccountChange.PASSWORD)
            if refusal is not None:
                raise PermissionDenied(refusal)
        # Django's view builds its form from self.change_password_form; a copy of this admin
        # carries one bound to the acting user (the admin instance is shared between requests).
        bound = copy.copy(self)
        bound.change_password_form = type("PasswordSetByActor", (PasswordSetForm,), {"actor": request.user})
        return BaseUserAdmin.user_change_password(bound, request, id, form_url)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            # Staff vouch for the address of an account they create.
            obj.email_verified_at = timezone.now()
            super().save_model(request, obj, form, change)
            return
        # The form has written the guarded fields onto obj: put them back for the services to change.
        new_email = obj.email if "email" in form.changed_data else None
        new_active = obj.is_active if "is_active" in form.changed_data else None
        if new_email is not None:
            obj.email = form.initial["email"]
        if new_active is not None:
            obj.is_active = form.initial.get("is_active", True)
        super().save_model(request, obj, form, change)
        try:
            if new_email is not None:
                services.user_set_email(actor=request.user, user=obj, email=new_email)
            if new_active is not None:
                services.user_set_active(actor=request.user, user=obj, active=new_active)
            if "platform_roles" in form.changed_data:
                services.roles_set(actor=request.user, user=obj, roles=form.cleaned_data["platform_roles"])
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        services.user_delete(actor=request.user, user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        # The action already asked has_delete_permission of each; the service asks again, and
        # one refusal leaves every selected account in place.
        with transaction.atomic():
            for user in queryset:
                services.user_delete(actor=request.user, user=user)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    """The roles are fixed by code; the admin lists them and who holds them."""

    list_display = ("name", "description", "holders")
    readonly_fields = ("name", "description")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Role]:
        return super().get_queryset(request).annotate(holder_count=Count("grants"))

    @admin.display(description="Holders", ordering="holder_count")
    def holders(self, obj: Role) -> int:
        return obj.holder_count

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    """Deliveries a subscriber failed OUTBOX_MAX_ATTEMPTS times: read them, retry or discard them."""

    list_display = ("event_name", "subscriber", "attempts", "error", "dead_at")
    list_filter = ("subscriber", "event__name")
    search_fields = ("subscriber", "event__name", "event__event_id", "aggregate")
    ordering = ("-dead_at", "-pk")
    actions = ("retry",)
    fields = (
        "event_name",
        "event_identity",
        "aggregate",
        "subscriber",
        "attempts",
        "created_at",
        "dead_at",
        "payload",
        "last_error",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[DeadLetter]:
        return super().get_queryset(request).select_related("event")

    @admin.display(description="Event", ordering="event__name")
    def event_name(self, obj: DeadLetter) -> str:
        return obj.event.name

    @admin.display(description="Event id")
    def event_identity(self, obj: DeadLetter) -> str:
        return obj.event.event_id

    @admin.display(description="Last error")
    def error(self, obj: DeadLetter) -> str:
        lines = obj.last_error.strip().splitlines()
        return lines[-1][:200] if lines else ""

    @admin.display(description="Payload")
    def payload(self, obj: DeadLetter) -> str:
        stored = {"actor_id": obj.event.actor_id, "occurred_at": obj.event.occurred_at.isoformat(), **obj.event.payload}
        return format_html("<pre>{}</pre>", json.dumps(stored, indent=2, sort_keys=True))

    @admin.action(description="Retry the selected deliveries", permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[DeadLetter]) -> None:
        from apps.core.platform import outbox

        count = outbox.retry_dead(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} dead letter(s) queued for delivery again.", messages.SUCCESS)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("core.change_deadletter")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # read-only: staff retry (the action) or delete a dead letter, never edit one


# Roles are the one way to grant power: groups of Django permissions are not managed in the portal.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)

admin.site.register(Theme, ThemeAdmin)
admin.site.register(SitePage, SitePageAdmin)
admin.site.register(SiteComponent, SiteComponentAdmin)
