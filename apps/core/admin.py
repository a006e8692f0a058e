from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from apps.core import permissions, roles, services
from apps.core.models import Role, SiteComponent, SitePage, Theme, User
from apps.core.roles import RoleName
from apps.core.site_editor import SiteComponentAdmin, SitePageAdmin
from apps.core.theme_editor import ThemeAdmin


def role_choices() -> list[tuple[str, str]]:
    # Everyone acts as "user": it is never granted, so it is not offered.
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

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        if self.instance.pk:
            self.fields["platform_roles"].initial = sorted(permissions.held_roles(self.instance))
        grantable = set(permissions.grantable_roles(actor))
        self.fields["platform_roles"].help_text = (
            "Roles you may not change are kept as they are." if len(grantable) < len(role_choices()) + 1 else ""
        )

    def clean_platform_roles(self) -> set[str]:
        wanted = set(self.cleaned_data["platform_roles"])
        held = set(permissions.held_roles(self.instance)) if self.instance.pk else set()
        grantable = set(permissions.grantable_roles(self.actor))
        forbidden = sorted((wanted ^ held) - grantable)
        if forbidden:
            raise forms.ValidationError(f"You may not grant or revoke: {', '.join(forbidden)}.")
        return wanted


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "display_name", "role_list", "is_active", "email_confirmed", "date_joined")
    list_filter = ("roles__name", "is_active", "is_staff")
    search_fields = ("email", "display_name")
    readonly_fields = ("last_login", "date_joined", "email_verified_at", "is_staff", "is_superuser", "role_version")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "bio", "avatar", "email_verified_at")}),
        ("Access", {"fields": ("is_active", "platform_roles", "is_staff", "is_superuser", "role_version")}),
        ("Fine-grained permissions", {"classes": ("collapse",), "fields": ("groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")}),)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("roles")

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

    @admin.display(description="Email confirmed", boolean=True)
    def email_confirmed(self, obj: User) -> bool:
        return obj.email_verified_at is not None

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            # Staff vouch for the address of an account they create.
            obj.email_verified_at = timezone.now()
            super().save_model(request, obj, form, change)
            return
        became_active = "is_active" in form.changed_data
        active = obj.is_active
        if became_active:
            obj.is_active = form.initial.get("is_active", True)  # the service makes the change
        super().save_model(request, obj, form, change)
        try:
            if became_active:
                services.user_set_active(actor=request.user, user=obj, active=active)
            if "platform_roles" in form.changed_data:
                services.roles_set(actor=request.user, user=obj, roles=form.cleaned_data["platform_roles"])
        except PermissionDenied as exc:
            messages.error(request, str(exc))


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


admin.site.register(Theme, ThemeAdmin)
admin.site.register(SitePage, SitePageAdmin)
admin.site.register(SiteComponent, SiteComponentAdmin)
