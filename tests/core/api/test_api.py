from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest
import yaml
from django.db import transaction
from rest_framework import exceptions
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from apps.core.api.errors import exception_handler
from apps.core.platform import events


@dataclass(frozen=True, kw_only=True)
class WidgetMade(events.DomainEvent):
    name: ClassVar[str] = "testing.widget_made"
    widget_id: int


@pytest.fixture
def api():
    return APIClient()


def publish_widgets(count: int, *, actor_id: int | None = None) -> None:
    with transaction.atomic():
        for i in range(count):
            events.publish(WidgetMade(widget_id=i, actor_id=actor_id))
    events.deliver_pending()


def test_api_root_names_the_version_and_links(api):
    response = api.get("/api/v1/")

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "v1"
    assert body["links"]["schema"].endswith("/api/schema/")
    assert body["links"]["docs"].endswith("/api/docs/")


def test_api_root_refuses_post_in_the_json_error_shape(api):
    response = api.post("/api/v1/", {})

    assert response.status_code == 405
    assert response.json() == {
        "error": {"status": 405, "code": "method_not_allowed", "message": 'Method "POST" not allowed.'}
    }


def test_schema_is_openapi_3_and_describes_the_api(api):
    response = api.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/" in schema["paths"]
    assert "/api/v1/activity/" in schema["paths"]
    listing = schema["paths"]["/api/v1/activity/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"name", "actor", "page", "page_size"}


def test_docs_ui_loads_its_assets_from_this_site(api):
    response = api.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn." not in html and "unpkg" not in html
    assert "<script>" not in html  # the split view keeps its start-up script in a file


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("member", 403), ("staff", 200), ("superuser", 200)],
)
def test_activity_log_access_matrix(api, request, who, expected):
    user = request.getfixturevalue(who)
    if user is not None:
        api.force_authenticate(user)

    response = api.get("/api/v1/activity/")

    assert response.status_code == expected
    if expected != 200:
        assert response.json()["error"]["status"] == expected


@pytest.mark.django_db(transaction=True)
def test_activity_log_pages_and_filters(api, staff):
    publish_widgets(5, actor_id=staff.pk)
    publish_widgets(2)
    api.force_authenticate(staff)

    page = api.get("/api/v1/activity/", {"page_size": 3, "page": 2, "name": "testing.widget_made"}).json()
    mine = api.get("/api/v1/activity/", {"actor": staff.pk, "name": "testing.widget_made"}).json()

    assert page["count"] == 7 and page["pages"] == 3
    assert len(page["results"]) == 3
    assert "page=3" in page["next"] and page["previous"]
    assert page["results"][0].keys() == {"id", "name", "actor_id", "occurred_at", "payload"}
    assert mine["count"] == 5


def test_activity_log_rejects_a_malformed_filter_with_field_errors(api, staff):
    api.force_authenticate(staff)

    response = api.get("/api/v1/activity/", {"name": "DROP TABLE", "actor": "x"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"name", "actor"}


def test_a_page_past_the_end_is_a_404_in_the_json_shape(api, staff):
    api.force_authenticate(staff)

    response = api.get("/api/v1/activity/", {"page": 9})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_throttled_requests_get_429_with_retry_after(api, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "100/min"})

    codes = [api.get("/api/v1/").status_code for _ in range(3)]
    response = api.get("/api/v1/")

    assert codes == [200, 200, 429]
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "throttled" and error["retry_after"] > 0
    assert int(response["Retry-After"]) > 0


def test_session_authenticated_writes_need_a_csrf_token(member):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(member)

    response = api.post("/api/v1/", {})

    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_nested_and_list_field_errors_come_out_flat_under_dotted_names():
    nested = exceptions.ValidationError(
        {
            "title": ["This field is required."],
            "tags": {0: ["Ensure this field has no more than 50 characters."]},
            "body": [{}, {}, {}, {"url": ["Enter a valid URL."], "size": {"width": ["Too wide."]}}],
            "author": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
        }
    )

    response = exception_handler(nested, {})

    assert response.status_code == 400
    assert response.data["error"]["fields"] == {
        "title": ["This field is required."],
        "tags.0": ["Ensure this field has no more than 50 characters."],
        "body.3.url": ["Enter a valid URL."],
        "body.3.size.width": ["Too wide."],
        "author": ["Invalid data. Expected a dictionary, but got str."],
    }


def test_errors_of_a_list_serializer_name_each_item_by_position():
    response = exception_handler(exceptions.ValidationError([{}, {"name": ["This field is required."]}]), {})

    error = response.data["error"]
    assert error["message"] == "Invalid input."
    assert error["fields"] == {"1.name": ["This field is required."]}


def test_an_invalid_item_of_a_list_in_a_post_body_is_named_by_its_position(user_with_role):
    api = APIClient()
    api.force_authenticate(user_with_role("blog_author"))

    response = api.post("/api/v1/blog/posts/", {"title": "Trains", "tags": ["rail", "a\x00b"]}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"tags.1": ["Null characters are not allowed."]}


def _wrapped(cause: Exception) -> Exception:
    # How Django raises a driver's error: its own class, the driver's as the cause.
    from django.db import OperationalError

    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def test_a_database_gone_under_a_request_is_unavailable_and_a_mistake_in_sql_is_not():
    import sqlite3

    import psycopg.errors
    from django.db import InterfaceError

    from apps.core.api.errors import database_unavailable

    assert database_unavailable(_wrapped(psycopg.errors.AdminShutdown("terminating connection")))
    assert database_unavailable(_wrapped(psycopg.errors.ConnectionFailure("connection failure")))
    assert database_unavailable(_wrapped(psycopg.OperationalError("server closed the connection unexpectedly")))
    assert database_unavailable(InterfaceError("connection already closed"))
    assert database_unavailable(_wrapped(sqlite3.OperationalError("database is locked")))
    assert not database_unavailable(_wrapped(psycopg.errors.UndefinedTable('relation "x" does not exist')))
    assert not database_unavailable(_wrapped(sqlite3.OperationalError("no such table: x")))
    assert not database_unavailable(ValueError("not a database error"))
