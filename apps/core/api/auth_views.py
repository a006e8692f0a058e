"""Tokens for API clients: sign in, refresh, sign out; and ``me/``, who the caller is.

Access tokens live minutes; refresh tokens rotate, and the one exchanged is blacklisted. Every
token carries the user's ``role_version``, so a change of roles, of the active flag or of the
password ends every token issued before it (``authentication.user_for_token``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import update_last_login
from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import AuthenticationFailed as JWTAuthenticationFailed
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from apps.core.accounts import permissions, security
from apps.core.api.auth_serializers import (
    ErrorOutput,
    MeOutput,
    RefreshTokenInput,
    TokenObtainInput,
    TokenPairOutput,
)
from apps.core.api.authentication import ROLE_VERSION_CLAIM, user_for_token
from apps.core.api.throttling import ScopedRateThrottle
from apps.core.models import User, normalize_email

ROLES_CLAIM = "roles"
INVALID_CREDENTIALS = "The email address or password is not correct."


class LockedOut(exceptions.Throttled):
    default_code = "locked_out"

    def __init__(self, lockout: security.Lockout) -> None:
        # Throttled would append its own "Expected available in …" sentence; the lockout's says it.
        super().__init__(detail=lockout.message, code=self.default_code)
        self.wait = lockout.retry_after


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorOutput, description=description)


# --- Tokens -------------------------------------------------------------------------------


def issue_tokens(user: User) -> dict[str, str]:
    """A new refresh token for ``user`` and an access token derived from it (which copies its claims)."""
    refresh = RefreshToken.for_user(user)
    refresh[ROLES_CLAIM] = sorted(permissions.held_roles(user))
    refresh[ROLE_VERSION_CLAIM] = user.role_version
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _refresh_token(raw: str) -> RefreshToken:
    """Decode and verify (signature, expiry, type, blacklist), or answer 401."""
    try:
        return RefreshToken(raw)
    except TokenError as error:
        raise exceptions.AuthenticationFailed(str(error), code="token_not_valid") from None


def _current_user(token: RefreshToken) -> Any:
    # simplejwt's exceptions keep their code inside a dict detail the error shape does not read.
    try:
        return user_for_token(token)
    except JWTAuthenticationFailed as error:
        raise exceptions.AuthenticationFailed(str(error.detail["detail"]), code=str(error.detail["code"])) from None


def _rotate(refresh: RefreshToken) -> dict[str, str]:
    with transaction.atomic():
        # The row lock makes two concurrent uses of one refresh token queue; the second finds it blacklisted.
        # order_by: the model's default ordering joins the nullable user, which FOR UPDATE refuses.
        OutstandingToken.objects.select_for_update().filter(jti=refresh[jwt_settings.JTI_CLAIM]).order_by("pk").first()
        try:
            refresh.check_blacklist()
        except TokenError as error:
            raise exceptions.AuthenticationFailed(str(error), code="token_not_valid") from None
        access = refresh.access_token
        refresh.blacklist()
        refresh.set_jti()
        refresh.set_exp()
        refresh.set_iat()
        refresh.outstand()
    return {"access": str(access), "refresh": str(refresh)}


def _sign_in(request: Request, *, email: str, password: str) -> User:
    """The user these credentials name, checked against the lockout first; raises 401, 403 or 429."""
    email = normalize_email(email)
    try:
        user = security.authenticate_with_lockout(request, email=email, password=password)
    except security.SignInRefused as refused:
        if refused.lockout is not None:
            raise LockedOut(refused.lockout) from None
        raise exceptions.AuthenticationFailed(INVALID_CREDENTIALS, code="invalid_credentials") from None
    if user.email_verified_at is None:
        raise exceptions.PermissionDenied(
            "Confirm your email address first: follow the link we sent you.", code="email_unverified"
        )
    security.clear_failures(email=email, ip=security.client_ip(request))
    if jwt_settings.UPDATE_LAST_LOGIN:
        update_last_login(None, user)
    return user


# --- Views --------------------------------------------------------------------------------


class _TokenView(APIView):
    """Public token endpoints: no session (so no CSRF) and the strict "auth" throttle."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def get_authenticate_header(self, request: Request) -> str:
        # Without one DRF turns every 401 into a 403; these endpoints have no authenticator of their own.
        return 'Bearer realm="api"'


class TokenObtainView(_TokenView):
    """Exchange an email and password for an access and a refresh token."""

    @extend_schema(
        request=TokenObtainInput,
        responses={
            200: TokenPairOutput,
            400: _error("Missing or malformed fields."),
            401: _error("Unknown email, wrong password or deactivated account (invalid_credentials)."),
            403: _error("The email address is not confirmed yet (email_unverified)."),
            429: _error("Too many failed attempts (locked_out), or too many requests (throttled)."),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        data = TokenObtainInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = _sign_in(request, **data.validated_data)
        return Response(TokenPairOutput(issue_tokens(user)).data)


class TokenRefreshView(_TokenView):
    """Exchange a refresh token for a new pair. The refresh token sent stops working."""

    @extend_schema(
        request=RefreshTokenInput,
        responses={
            200: TokenPairOutput,
            400: _error("Missing field."),
            401: _error("Invalid, expired, already used or outdated refresh token, or deactivated user."),
            429: _error("Too many requests."),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        data = RefreshTokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        refresh = _refresh_token(data.validated_data["refresh"])
        _current_user(refresh)  # before rotating: a deactivated user or an old role version ends here
        return Response(TokenPairOutput(_rotate(refresh)).data)


class LogoutView(APIView):
    """Sign out an API client: blacklist its refresh token. Its access token runs out on its own."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=RefreshTokenInput,
        responses={
            204: OpenApiResponse(description="The refresh token no longer works."),
            400: _error("Missing field, or the refresh token is invalid, expired or already blacklisted."),
            401: _error("Not signed in."),
            403: _error("The refresh token belongs to another user (not_token_owner)."),
            429: _error("Too many requests."),
        },
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        data = RefreshTokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            refresh = RefreshToken(data.validated_data["refresh"])
        except TokenError as error:
            raise exceptions.ValidationError({"refresh": [str(error)]}) from None
        if refresh.get(jwt_settings.USER_ID_CLAIM) != str(request.user.pk):
            raise exceptions.PermissionDenied("This refresh token is not yours.", code="not_token_owner")
        refresh.blacklist()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The signed-in user: profile, held and effective roles."""

    @extend_schema(responses={200: MeOutput, 401: _error("Not signed in.")}, tags=["auth"])
    def get(self, request: Request) -> Response:
        return Response(MeOutput(request.user, context={"request": request}).data)
