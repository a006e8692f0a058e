"""What any client may send the API without breaking it: bodies nested or sized past the limits,
numbers past what the database stores, OPTIONS on every endpoint, addresses that do not exist.
Each answers in the API's one JSON error shape, never a 500."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from apps.core.api import parsers
from apps.core.api.auth_views import issue_tokens
from tests.api_clients import error_of

HUGE = 99999999999999999999  # past a signed 64-bit integer


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- Bodies: depth and size ------------------------------------------------------------------------


def test_a_sign_in_body_nested_a_thousand_deep_answers_400_in_the_error_shape(db):
    body = '{"email": "a@b.c", "password": "x", "z": ' + nested(1000) + "}"

    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")

    assert "nested" in error_of(response, 400)["message"]


def parse(text: str | bytes) -> object:
    raw = text.encode() if isinstance(text, str) else text
    return parsers.JSONParser().parse(io.BytesIO(raw), "application/json", {})


def test_the_json_parser_takes_a_body_nested_as_deep_as_the_limit_and_refuses_one_level_more():
    assert parse(nested(parsers.MAX_DEPTH)) == json.loads(nested(parsers.MAX_DEPTH))
    with pytest.raises(ParseError, match="nested"):
        parse(nested(parsers.MAX_DEPTH + 1))
    with pytest.raises(ParseError, match="nested"):
        parse('{"a": ' * (parsers.MAX_DEPTH + 1) + "1" + "}" * (parsers.MAX_DEPTH + 1))


def test_brackets_inside_strings_do_not_count_towards_the_depth():
    text = json.dumps({"a": "[" * 500 + '\\"{' * 100, "b": ["]]]"]})

    assert parse(text) == json.loads(text)


def test_the_json_parser_still_refuses_what_is_not_json():
    with pytest.raises(ParseError):
        parse('{"a": ')
    with pytest.raises(ParseError):
        parse(b"\xff\xfe")


def test_a_json_body_larger_than_the_size_limit_answers_400(db, settings):
    settings.API_MAX_BODY_BYTES = 100

    response = APIClient().post(
        "/api/v1/auth/token/", {"email": "someone@example.com", "password": "x", "padding": "x" * 200}, format="json"
    )

    assert "100 bytes" in error_of(response, 400)["message"]


@pytest.mark.parametrize("form", ["multipart", "urlencoded"])
def test_a_form_body_larger_than_the_size_limit_answers_400(db, settings, form):
    settings.API_MAX_BODY_BYTES = 100
    client = APIClient()
    # Padding the sign-in ignores: without the limit, this is a plain wrong password (401).
    data = {"email": "someone@example.com", "password": "x", "padding": "x" * 20_000}
    if form == "multipart":
        # Files may add one image's worth on top of the limit, not more.
        response = client.post("/api/v1/auth/token/", data, format="multipart")
    else:
        body = "email=someone%40example.com&password=x&padding=" + "x" * 200
        response = client.post("/api/v1/auth/token/", body, content_type="application/x-www-form-urlencoded")

    error_of(response, 400)


def test_a_form_body_within_the_size_limit_is_still_parsed(db, member):
    response = APIClient().post("/api/v1/auth/token/", {"email": member.email, "password": "wrong"}, format="multipart")

    assert error_of(response, 401)["code"]


# --- Numbers and ids ---------------------------------------------------------------------------------


def test_an_activity_filter_by_an_actor_id_past_64_bits_answers_400(db, staff):
    client = APIClient()
    client.force_authenticate(staff)

    assert "actor" in error_of(client.get("/api/v1/activity/", {"actor": HUGE}), 400)["fields"]


@pytest.mark.parametrize("value", ["1", "9223372036854775807"])
def test_the_id_converter_matches_every_64_bit_positive_id(value):
    assert resolve(f"/blog/author/{value}/").kwargs == {"pk": int(value)}


@pytest.mark.parametrize("value", ["0", "9223372036854775808", str(HUGE), "0001"])
def test_the_id_converter_matches_no_id_past_64_bits_nor_zero(value):
    with pytest.raises(Resolver404):
        resolve(f"/blog/author/{value}/")


def test_the_id_converter_still_reverses_the_zero_templates_use_as_a_placeholder():
    assert reverse("blog_comments:detail", args=[0]) == "/blog/comments/0/"


def walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def test_no_url_of_the_site_or_the_api_takes_an_unbounded_int_from_its_path():
    # The admin's own views (publishing, themes) look their object up by the primary key alone,
    # which Django bounds itself: their huge ids answer 404 already.
    routes = [route for route, _ in walk(get_resolver().url_patterns) if not route.startswith("admin/")]
    unbounded = [route for route in routes if "<int:" in route]

    assert unbounded == []


def input_serializers() -> Iterator[type[serializers.Serializer]]:
    """Every serializer class of ours that reads what clients send (its name ends in Input)."""
    seen: set[type] = set()
    stack = [serializers.Serializer]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return iter(sorted((c for c in seen if c.__module__.startswith("apps.") and c.__name__.endswith("Input")), key=str))


def integer_fields(serializer: serializers.Serializer) -> Iterator[tuple[str, serializers.Field]]:
    for name, field in serializer.fields.items():
        child = getattr(field, "child", None)
        for candidate in (field, child):
            if isinstance(candidate, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
                yield name, candidate


def test_every_integer_a_client_sends_is_bounded_to_what_the_database_stores():
    checked = []
    for cls in input_serializers():
        for name, field in integer_fields(cls()):
            if field.read_only:
                continue
            checked.append(f"{cls.__name__}.{name}")
            with pytest.raises(serializers.ValidationError):
                field.run_validation(HUGE)
            with pytest.raises(serializers.ValidationError):
                field.run_validation(-HUGE)

    assert "PostListFilterInput.author" in checked and "PostDraftFieldsInput.categories" in checked


# --- OPTIONS on every endpoint -----------------------------------------------------------------------

SAMPLE = {
    "int": "1",
    "id": "1",
    "slug": "about",
    "str": "x",
    "path": "x",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def api_urls() -> list[str]:
    urls = []
    for route, _ in walk(get_resolver().url_patterns):
        if not route.startswith("api/") or route.startswith("api/docs/") or "(" in route or "^" in route:
            continue
        urls.append("/" + re.sub(r"<(\w+):\w+>", lambda m: SAMPLE[m.group(1)], route))
    return sorted(set(urls))


def test_the_api_url_list_covers_the_blog_and_the_platform():
    expected = {"/api/v1/", "/api/v1/blog/", "/api/v1/blog/posts/", "/api/v1/blog/posts/1/draft/", "/api/v1/me/"}

    assert expected <= set(api_urls())


@pytest.mark.parametrize("who", ["anonymous", "member", "super_admin"])
def test_options_answers_on_every_api_url_anonymous_and_with_a_jwt(cast, who):
    client = APIClient()
    if cast[who] is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(cast[who])['access']}")
    # Only a sign-in-only endpoint may refuse an anonymous caller (401), only a staff one a member (403).
    allowed = {"anonymous": {200, 401, 405}, "member": {200, 403, 405}, "super_admin": {200, 405}}[who]

    answers = {url: client.options(url).status_code for url in api_urls()}

    assert {url: status for url, status in answers.items() if status not in allowed} == {}
    assert answers["/api/v1/blog/posts/"] == 200


# --- Addresses that do not exist ---------------------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/nope/", "/api/v1/nope/", "/api/v1/blog/nope/", "/api/", "/api/v1/me/nope/"])
def test_an_unknown_path_under_api_answers_the_json_404(db, settings, debug, path):
    settings.DEBUG = debug

    response = Client().get(path)

    assert response["Content-Type"] == "application/json"
    assert error_of(response, 404)["code"] == "not_found"


def test_an_api_address_without_its_trailing_slash_still_redirects_to_it(db):
    response = Client().get("/api/v1/blog/posts", {"page": 2})

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/blog/posts/?page=2"
