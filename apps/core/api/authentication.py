from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

ROLE_VERSION_CLAIM = "role_version"


def user_for_token(token: Token) -> Any:
    """The active user a token names, provided the token's role version is still current.

    Raises AuthenticationFailed (401) for an unknown or deactivated user, and for a token issued
    before the user's roles, active flag or password last changed.
    """
    user_model = get_user_model()
    try:
        user_id = token[api_settings.USER_ID_CLAIM]
    except KeyError:
        raise AuthenticationFailed(
            "Token contained no recognizable user identification", code="token_not_valid"
        ) from None
    user = user_model._default_manager.prefetch_related("roles").filter(**{api_settings.USER_ID_FIELD: user_id}).first()
    if user is None:
        raise AuthenticationFailed("User not found", code="user_not_found")
    if not user.is_active:
        raise AuthenticationFailed("User is inactive", code="user_inactive")
    if token.get(ROLE_VERSION_CLAIM) != user.role_version:
        raise AuthenticationFailed("Token is outdated: sign in again", code="token_outdated")
    return user


class VersionedJWTAuthentication(JWTAuthentication):
    """Bearer JWTs that die when the user's roles or status change (see ``user_for_token``)."""

    def get_user(self, validated_token: Token) -> Any:
        return user_for_token(validated_token)


class VersionedJWTScheme(SimpleJWTScheme):
    """Describes the bearer scheme in the OpenAPI schema (drf-spectacular finds it by subclassing)."""

    target_class = VersionedJWTAuthentication
    name = "jwtAuth"
