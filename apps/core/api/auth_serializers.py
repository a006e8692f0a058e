"""Shapes of the token endpoints and of ``me/`` (views in ``auth_views.py``)."""

from __future__ import annotations

from typing import Any

from django.utils.functional import lazy
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from apps.core.accounts import permissions, roles


class TokenObtainInput(serializers.Serializer):
    email = serializers.EmailField(help_text="Matched case-insensitively.")
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})


class RefreshTokenInput(serializers.Serializer):
    refresh = serializers.CharField(help_text="A refresh token from auth/token/ or auth/token/refresh/.")


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField(help_text="Send as `Authorization: Bearer <access>`; lives a few minutes.")
    refresh = serializers.CharField(
        help_text="Exchange it once at auth/token/refresh/ for a new pair; the old one then stops working."
    )


# Plain strings rather than an enum: two enum fields with one choice set make drf-spectacular warn,
# and its fix (ENUM_NAME_OVERRIDES) lives in settings. The names come from the app hooks, read
# when the schema is built: at import the hook registry may still be loading (this module is
# reached through DRF's settings while an app's platform.py is being imported).
_RoleList = serializers.ListField(
    child=serializers.CharField(), help_text=lazy(lambda: f"Role names, sorted: {', '.join(roles.names())}.", str)()
)


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    display_name = serializers.CharField()
    roles = serializers.SerializerMethodField(help_text="The roles granted to the user, sorted.")
    effective_roles = serializers.SerializerMethodField(
        help_text="Every role the user may act as through the hierarchy (always including user), sorted."
    )
    email_verified = serializers.BooleanField()
    avatar = serializers.ImageField(allow_null=True, help_text="Absolute URL of the avatar, or null.")

    @extend_schema_field(_RoleList)
    def get_roles(self, user: Any) -> list[str]:
        return sorted(permissions.held_roles(user))

    @extend_schema_field(_RoleList)
    def get_effective_roles(self, user: Any) -> list[str]:
        return sorted(permissions.roles_of(user))


# The shape apps/core/api/errors.py gives every error; for the schema only.
ErrorOutput = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorDetail",
            fields={
                "status": serializers.IntegerField(),
                "code": serializers.CharField(help_text="Stable, machine-readable, e.g. invalid_credentials."),
                "message": serializers.CharField(help_text="For people."),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField()),
                    required=False,
                    help_text="Validation errors by field name (400 only).",
                ),
                "retry_after": serializers.IntegerField(required=False, help_text="Seconds to wait (429 only)."),
            },
        )
    },
)
