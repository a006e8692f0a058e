"""The JWT API: sign in, refresh, sign out and me/, their abuse cases, lockout, throttling and schema."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import Any

import jwt
import pytest
import yaml
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from apps.core.accounts import services
from apps.core.api.auth_views import issue_tokens
from tests.core.factories import DEFAULT_PASSWORD
from tests.utils import race

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def sign_in(api: APIClient, email: str, password: str = DEFAULT_PASSWORD, **extra: Any) -> Any:
    return api.post(TOKEN, {"email": email, "password": password}, **extra)


def bearer(access: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {access}"}


def me(api: APIClient, access: str) -> Any:
    return api.get(ME, **bearer(access))


def refresh(api: APIClient, token: str) -> Any:
    return api.post(REFRESH, {"refresh": token})


def logout(api: APIClient, access: str, token: str) -> Any:
    return api.post(LOGOUT, {"refresh": token}, **bearer(access))


def error_of(response: Any, status: int) -> dict[str, Any]:
    """The response's error, after checking it has the API's one error shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["error"]
    assert body["error"]["status"] == status
    assert body["error"]["code"] and body["error"]["message"]
    return body["error"]


def claims_of(user: Any) -> dict[str, Any]:
    return {"roles": sorted(role.name for role in user.roles.all()), "role_version": user.role_version}


# --- Signing in ---------------------------------------------------------------------------


def test_a_verified_user_gets_tokens_carrying_the_roles_held_and_the_role_version(api, user_with_role):
    user = user_with_role("student")
    services.role_grant(actor=None, user=user, role="blog_admin")
    user.refresh_from_db()

    response = sign_in(api, user.email)

    assert response.status_code == 200
    assert response.json().keys() == {"access", "refresh"}
    access, refresh_token = AccessToken(response.json()["access"]), RefreshToken(response.json()["refresh"])
    for token in (access, refresh_token):
        # Held roles only: blog_author comes with blog_admin but is not granted.
        assert token["roles"] == ["blog_admin", "student"]
        assert token["role_version"] == user.role_version
        assert token["user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.last_login is not None


def test_the_email_is_matched_case_insensitively(api, user_with_role):
    user_with_role("instructor", email="ada@example.com")

    response = sign_in(api, "  Ada@Example.COM ")

    assert response.status_code == 200


def test_an_unknown_email_and_a_wrong_password_get_the_same_401(api, user_with_role):
    user = user_with_role(None)

    unknown = sign_in(api, "nobody@example.com")
    wrong = sign_in(api, user.email, "not-the-password")

    assert error_of(unknown, 401)["code"] == "invalid_credentials"
    assert unknown.json() == wrong.json()
    assert unknown["WWW-Authenticate"].startswith("Bearer")


def test_a_deactivated_account_gets_the_same_401_as_a_wrong_password(api, user_with_role):
    user = user_with_role("instructor")
    services.user_set_active(actor=None, user=user, active=False)

    response = sign_in(api, user.email)

    assert response.json() == sign_in(api, "nobody@example.com").json()
    assert error_of(response, 401)["code"] == "invalid_credentials"


def test_an_unverified_email_gets_403_only_with_the_right_password(api, user_with_role):
    user = user_with_role(None, email_verified_at=None)

    right = sign_in(api, user.email)
    wrong = sign_in(api, user.email, "not-the-password")

    assert error_of(right, 403)["code"] == "email_unverified"
    assert error_of(wrong, 401)["code"] == "invalid_credentials"


# --- Refreshing and signing out ------------------------------------------------------------


def test_refreshing_rotates_the_pair_and_blacklists_the_refresh_token_sent(api, user_with_role):
    user = user_with_role("shop_owner")
    old = issue_tokens(user)

    response = refresh(api, old["refresh"])

    assert response.status_code == 200
    new = response.json()
    assert new.keys() == {"access", "refresh"} and new["refresh"] != old["refresh"]
    assert AccessToken(new["access"])["roles"] == ["shop_owner"]
    assert BlacklistedToken.objects.filter(token__jti=RefreshToken(old["refresh"], verify=False)["jti"]).exists()
    assert me(api, new["access"]).status_code == 200
    assert refresh(api, new["refresh"]).status_code == 200


def test_logout_blacklists_the_refresh_token(api, user_with_role):
    user = user_with_role("student")
    tokens = issue_tokens(user)

    response = logout(api, tokens["access"], tokens["refresh"])

    assert response.status_code == 204
    assert error_of(refresh(api, tokens["refresh"]), 401)["code"] == "token_not_valid"


def test_logout_refuses_someone_elses_refresh_token_and_blacklists_nothing(api, user_with_role):
    mine, theirs = issue_tokens(user_with_role("student")), issue_tokens(user_with_role("student"))

    response = logout(api, mine["access"], theirs["refresh"])

    assert error_of(response, 403)["code"] == "not_token_owner"
    assert not BlacklistedToken.objects.exists()
    assert refresh(api, theirs["refresh"]).status_code == 200


@pytest.mark.parametrize("token", ["garbage", "a.b.c"])
def test_logout_with_an_invalid_refresh_token_is_a_400_naming_the_field(api, user_with_role, token):
    tokens = issue_tokens(user_with_role(None))

    response = logout(api, tokens["access"], token)

    assert set(error_of(response, 400)["fields"]) == {"refresh"}


def test_logout_with_an_access_token_in_place_of_the_refresh_token_is_a_400(api, user_with_role):
    tokens = issue_tokens(user_with_role(None))

    response = logout(api, tokens["access"], tokens["access"])

    assert error_of(response, 400)["fields"] == {"refresh": ["Token has wrong type"]}


# --- me/ ------------------------------------------------------------------------------------


def test_me_describes_the_signed_in_user_with_held_and_effective_roles(api, user_with_role):
    user = user_with_role("blog_admin", email="bea@example.com", display_name="Bea")

    response = me(api, issue_tokens(user)["access"])

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": "bea@example.com",
        "display_name": "Bea",
        "roles": ["blog_admin"],
        "effective_roles": ["blog_admin", "blog_author", "user"],
        "email_verified": True,
        "avatar": None,
    }


def test_me_gives_the_avatar_as_an_absolute_url(api, user_with_role):
    user = user_with_role(None)
    user.avatar.name = f"avatars/{user.pk}/face.png"
    user.save(update_fields=["avatar"])

    response = me(api, issue_tokens(user)["access"])

    assert response.json()["avatar"] == f"http://testserver/media/avatars/{user.pk}/face.png"


def test_me_answers_a_session_too(api, user_with_role):
    api.force_login(user_with_role("instructor"))

    response = api.get(ME)

    assert response.status_code == 200
    assert response.json()["roles"] == ["instructor"]


# --- 1. JWT abuse ---------------------------------------------------------------------------


def test_a_token_with_alg_none_is_refused(api, user_with_role):
    tokens = issue_tokens(user_with_role("admin"))
    access = jwt.encode(AccessToken(tokens["access"]).payload, key=None, algorithm="none")
    refresh_token = jwt.encode(RefreshToken(tokens["refresh"]).payload, key=None, algorithm="none")

    assert error_of(me(api, access), 401)["code"] == "token_not_valid"
    assert error_of(refresh(api, refresh_token), 401)["code"] == "token_not_valid"


def test_a_token_signed_with_another_key_is_refused(api, user_with_role):
    tokens = issue_tokens(user_with_role("admin"))
    other_key = secrets.token_hex(32)
    forged = {
        "access": jwt.encode(AccessToken(tokens["access"]).payload, other_key, algorithm="HS256"),
        "refresh": jwt.encode(RefreshToken(tokens["refresh"]).payload, other_key, algorithm="HS256"),
    }

    assert error_of(me(api, forged["access"]), 401)["code"] == "token_not_valid"
    assert error_of(refresh(api, forged["refresh"]), 401)["code"] == "token_not_valid"


def test_expired_tokens_are_refused(api, user_with_role):
    user = user_with_role("instructor")
    access, refresh_token = AccessToken.for_user(user), RefreshToken.for_user(user)
    for token in (access, refresh_token):
        token.set_exp(lifetime=-timedelta(seconds=1))
        token.payload.update(claims_of(user))

    assert error_of(me(api, str(access)), 401)["code"] == "token_not_valid"
    assert error_of(refresh(api, str(refresh_token)), 401)["message"] == "Token is expired"


def test_a_refresh_token_reused_after_rotation_is_refused(api, user_with_role):
    tokens = issue_tokens(user_with_role("student"))
    assert refresh(api, tokens["refresh"]).status_code == 200

    response = refresh(api, tokens["refresh"])

    error = error_of(response, 401)
    assert error["code"] == "token_not_valid" and error["message"] == "Token is blacklisted"


def test_tokens_are_not_interchangeable(api, user_with_role):
    tokens = issue_tokens(user_with_role("student"))

    assert error_of(me(api, tokens["refresh"]), 401)["code"] == "token_not_valid"
    assert error_of(refresh(api, tokens["access"]), 401)["message"] == "Token has wrong type"


@pytest.mark.parametrize("token", ["garbage", "a.b.c", ""])
def test_a_garbage_refresh_token_is_refused(api, token):
    response = refresh(api, token)

    assert response.status_code in (400, 401)
    if token:
        assert error_of(response, 401)["code"] == "token_not_valid"
    else:
        assert set(error_of(response, 400)["fields"]) == {"refresh"}


def test_tokens_issued_before_a_role_change_are_refused(api, user_with_role):
    user = user_with_role("student")
    old = issue_tokens(user)

    services.role_grant(actor=None, user=user, role="instructor")

    assert error_of(me(api, old["access"]), 401)["message"] == "Token is outdated: sign in again"
    refused = error_of(refresh(api, old["refresh"]), 401)
    assert refused["code"] == "token_outdated"
    assert not BlacklistedToken.objects.exists()  # refused before rotating
    fresh = sign_in(api, user.email).json()
    assert me(api, fresh["access"]).json()["roles"] == ["instructor", "student"]


def test_tokens_of_a_deactivated_user_are_refused(api, user_with_role):
    user = user_with_role("shop_owner")
    tokens = issue_tokens(user)

    services.user_set_active(actor=None, user=user, active=False)

    assert error_of(me(api, tokens["access"]), 401)["status"] == 401
    assert error_of(refresh(api, tokens["refresh"]), 401)["code"] == "user_inactive"
    # Even a token minted with the new role version: the user is inactive.
    user.refresh_from_db()
    assert error_of(refresh(api, issue_tokens(user)["refresh"]), 401)["code"] == "user_inactive"


def test_tokens_issued_before_a_password_change_are_refused(api, user_with_role):
    user = user_with_role("student")
    tokens = issue_tokens(user)

    user.set_password("A-new-Password-99!")
    user.save(update_fields=["password"])
    services.user_credentials_changed(user=user)

    assert error_of(me(api, tokens["access"]), 401)["status"] == 401
    assert error_of(refresh(api, tokens["refresh"]), 401)["code"] == "token_outdated"
    assert sign_in(api, user.email, "A-new-Password-99!").status_code == 200


# --- 2. Lockout -----------------------------------------------------------------------------


def test_the_account_locks_after_the_limit_even_for_the_right_password(api, user_with_role, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 3
    user = user_with_role("student")

    failures = [sign_in(api, user.email, "wrong").status_code for _ in range(settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT)]
    response = sign_in(api, user.email)

    assert failures == [401, 401, 401]
    error = error_of(response, 429)
    assert error["code"] == "locked_out"
    assert error["message"].startswith("Too many failed sign-in attempts.")
    assert 0 < error["retry_after"] <= settings.LOGIN_LOCKOUT_WINDOW
    assert int(response["Retry-After"]) == error["retry_after"]
    # The lockout counts the account whatever the case of its address.
    assert sign_in(api, user.email.upper()).status_code == 429


def test_the_lockout_ends_with_its_window(api, user_with_role, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 1
    settings.LOGIN_LOCKOUT_WINDOW = 1
    user = user_with_role("student")
    assert sign_in(api, user.email, "wrong").status_code == 401
    assert sign_in(api, user.email).status_code == 429

    time.sleep(1.1)

    assert sign_in(api, user.email).status_code == 200


def test_an_address_trying_many_accounts_is_made_to_wait(api, user_with_role, settings):
    # Not locked out for the window (see tests/core/accounts/test_lockout.py): a short, growing wait.
    settings.LOGIN_BACKOFF_AFTER = 3
    user = user_with_role("student")
    for n in range(3):
        assert sign_in(api, f"guess{n}@example.com", "wrong").status_code == 401

    from_there = sign_in(api, user.email)
    from_elsewhere = sign_in(api, user.email, REMOTE_ADDR="192.0.2.7")

    assert error_of(from_there, 429)["code"] == "locked_out"
    assert from_elsewhere.status_code == 200


def test_a_success_clears_the_accounts_failures(api, user_with_role, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 3
    user = user_with_role("student")
    for _ in range(2):
        sign_in(api, user.email, "wrong")
    assert sign_in(api, user.email).status_code == 200

    after = [sign_in(api, user.email, "wrong").status_code for _ in range(2)]

    assert after == [401, 401]
    assert sign_in(api, user.email).status_code == 200


# --- 3. The seed accounts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "email", "password", "effective"),
    [
        (
            "admin",
            "admin@freelancer.dev",
            "AdminPass123!",
            ["admin", "blog_admin", "blog_author", "instructor", "shop_owner", "user"],
        ),
        ("instructor", "instructor@test.com", "Instructor123!", ["instructor", "user"]),
        ("shop_owner", "shopowner@test.com", "Shopowner123!", ["shop_owner", "user"]),
    ],
)
def test_the_seed_accounts_get_tokens_and_see_their_roles(api, user_with_role, role, email, password, effective):
    user = user_with_role(role, email=email, password=password)
    assert user.check_password(password)

    tokens = sign_in(api, email, password)
    response = me(api, tokens.json()["access"])

    assert tokens.status_code == 200
    assert response.json()["email"] == email
    assert response.json()["roles"] == [role]
    assert response.json()["effective_roles"] == effective


# --- 4. Access matrix -------------------------------------------------------------------------


def everyone_but_anonymous(cast: dict[str, Any], status: int) -> dict[str, int]:
    return {who: status for who in cast if who != "anonymous"}


def test_token_access_matrix(api, cast):
    seen = {
        who: sign_in(api, user.email if user else "anonymous@example.com").status_code for who, user in cast.items()
    }

    assert seen == {"anonymous": 401, **everyone_but_anonymous(cast, 200)}


def test_refresh_access_matrix(api, cast):
    seen = {who: refresh(api, issue_tokens(user)["refresh"] if user else "").status_code for who, user in cast.items()}

    # Anonymous has no refresh token to send.
    assert seen == {"anonymous": 400, **everyone_but_anonymous(cast, 200)}


def test_logout_access_matrix(api, cast, user_with_role):
    other = issue_tokens(user_with_role(None))["refresh"]
    own, foreign = {}, {}
    for who, user in cast.items():
        tokens = issue_tokens(user) if user else {"refresh": other}
        headers = bearer(tokens["access"]) if user else {}
        foreign[who] = api.post(LOGOUT, {"refresh": other}, **headers).status_code
        own[who] = api.post(LOGOUT, {"refresh": tokens["refresh"]}, **headers).status_code

    assert own == {"anonymous": 401, **everyone_but_anonymous(cast, 204)}
    assert foreign == {"anonymous": 401, **everyone_but_anonymous(cast, 403)}


def test_me_access_matrix(api, cast):
    seen = {}
    roles = {}
    for who, user in cast.items():
        response = me(api, issue_tokens(user)["access"]) if user else api.get(ME)
        seen[who] = response.status_code
        roles[who] = response.json().get("roles")

    assert seen == {"anonymous": 401, **everyone_but_anonymous(cast, 200)}
    assert roles == {
        "anonymous": None,
        "member": [],
        **{role: [role] for role in cast if role not in ("anonymous", "member")},
    }


# --- 5. Methods, input, throttling, CSRF ------------------------------------------------------


def test_wrong_methods_get_405_in_the_error_shape(api, user_with_role):
    tokens = issue_tokens(user_with_role(None))
    api.credentials(**bearer(tokens["access"]))

    responses = {
        TOKEN: api.get(TOKEN),
        REFRESH: api.get(REFRESH),
        LOGOUT: api.get(LOGOUT),
        ME: api.post(ME, {}),
    }

    for path, response in responses.items():
        assert error_of(response, 405)["code"] == "method_not_allowed", path


def test_missing_fields_get_400_naming_them(api, user_with_role):
    tokens = issue_tokens(user_with_role(None))

    token = api.post(TOKEN, {})
    malformed = api.post(TOKEN, {"email": "not-an-email", "password": "x"})
    refreshing = api.post(REFRESH, {})
    leaving = api.post(LOGOUT, {}, **bearer(tokens["access"]))

    assert set(error_of(token, 400)["fields"]) == {"email", "password"}
    assert error_of(token, 400)["code"] == "invalid"
    assert set(error_of(malformed, 400)["fields"]) == {"email"}
    assert set(error_of(refreshing, 400)["fields"]) == {"refresh"}
    assert set(error_of(leaving, 400)["fields"]) == {"refresh"}
    assert not BlacklistedToken.objects.exists()


def test_the_auth_endpoints_share_the_auth_throttle(api, monkeypatch, user_with_role):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "2/min", "anon": "100/min", "user": "100/min"})

    codes = [sign_in(api, "nobody@example.com").status_code, refresh(api, "garbage").status_code]
    response = sign_in(api, "nobody@example.com")

    assert codes == [401, 401]
    error = error_of(response, 429)
    assert error["code"] == "throttled" and error["retry_after"] > 0
    assert int(response["Retry-After"]) > 0


def test_logout_is_throttled_per_user(api, monkeypatch, user_with_role):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "2/min", "anon": "100/min", "user": "100/min"})
    tokens = issue_tokens(user_with_role(None))

    codes = [logout(api, tokens["access"], "garbage").status_code for _ in range(3)]

    assert codes == [400, 400, 429]


def test_a_session_authenticated_logout_needs_a_csrf_token(user_with_role):
    user = user_with_role("student")
    tokens = issue_tokens(user)
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(user)

    refused = api.post(LOGOUT, {"refresh": tokens["refresh"]})
    secret = secrets.token_hex(16)
    api.cookies["csrftoken"] = secret
    accepted = api.post(LOGOUT, {"refresh": tokens["refresh"]}, HTTP_X_CSRFTOKEN=secret)

    assert "CSRF" in error_of(refused, 403)["message"]
    assert accepted.status_code == 204


def test_bearer_requests_need_no_csrf_token(user_with_role):
    tokens = issue_tokens(user_with_role("student"))
    api = APIClient(enforce_csrf_checks=True)

    assert logout(api, tokens["access"], tokens["refresh"]).status_code == 204


# --- 6. Schema and API root -----------------------------------------------------------------


def test_the_schema_describes_the_auth_endpoints(api):
    schema = yaml.safe_load(api.get("/api/schema/").content)

    operations = {
        "/api/v1/auth/token/": "post",
        "/api/v1/auth/token/refresh/": "post",
        "/api/v1/auth/logout/": "post",
        "/api/v1/me/": "get",
    }
    for path, method in operations.items():
        operation = schema["paths"][path][method]
        assert operation["tags"] == ["auth"]
        assert "200" in operation["responses"] or "204" in operation["responses"]
    assert "401" in schema["paths"]["/api/v1/me/"]["get"]["responses"]


def test_the_api_root_links_the_auth_endpoints(api):
    links = api.get("/api/v1/").json()["links"]

    assert {
        key: links[key].removeprefix("http://testserver") for key in ("token", "token_refresh", "logout", "me")
    } == {
        "token": TOKEN,
        "token_refresh": REFRESH,
        "logout": LOGOUT,
        "me": ME,
    }
    assert {"schema", "docs", "activity"} <= links.keys()


@pytest.mark.django_db(transaction=True)
def test_one_refresh_token_sent_twice_at_once_rotates_once(user_with_role):
    tokens = issue_tokens(user_with_role("student"))

    codes = race(lambda _: refresh(APIClient(), tokens["refresh"]).status_code, times=4)

    assert sorted(codes) == [200, 401, 401, 401]


def test_an_outdated_bearer_token_says_why_in_the_error_code(api, user_with_role):
    user = user_with_role("student")
    tokens = issue_tokens(user)
    services.role_grant(actor=None, user=user, role="blog_author")

    response = api.get("/api/v1/me/", **bearer(tokens["access"]))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_outdated"


def test_throttles_ignore_a_forged_forwarded_for_header(api, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "100/min", "auth": "100/min"})

    codes = [api.get("/api/v1/", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code for i in range(3)]

    assert codes == [200, 200, 429]
