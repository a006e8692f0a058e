"""The notification API: one's own list (filters), the unread count, mark read, mark all read,
preferences; in the API's error shape."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.core.notifications import selectors
from tests.core.notifications.conftest import ping

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_everything_needs_sign_in(api):
    for path in ("/api/v1/notifications/", "/api/v1/notifications/unread-count/", "/api/v1/notifications/preferences/"):
        response = api.get(path)
        assert response.status_code == 401 and response.json()["error"]["status"] == 401


def test_the_list_is_ones_own_grouped_and_filtered(api, ping_kind, member, stranger, staff):
    ping(member, stranger)
    ping(member, staff)
    ping(staff, stranger)
    api.force_authenticate(member)

    [item] = api.get("/api/v1/notifications/").json()["results"]
    assert item["text"] == "Stacy Staff and 1 other pinged you 2 times about “The thing”"
    assert (item["actor"], item["actor_count"], item["count"], item["read_at"]) == ("Stacy Staff", 2, 2, None)
    assert api.get("/api/v1/notifications/?domain=other").json()["count"] == 0
    assert api.get("/api/v1/notifications/?unread=true&domain=tests").json()["count"] == 1


def test_a_malformed_filter_is_a_400_with_its_field(api, member):
    api.force_authenticate(member)
    response = api.get("/api/v1/notifications/?domain=NOT%20ONE")

    assert response.status_code == 400 and "domain" in response.json()["error"]["fields"]


def test_mark_read_and_mark_all_read_move_the_count(api, ping_kind, member, stranger):
    first = ping(member, stranger, group="a")
    ping(member, stranger, group="b")
    api.force_authenticate(member)

    assert api.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    read = api.post(f"/api/v1/notifications/{first.pk}/read/").json()
    assert read["read_at"] is not None
    assert api.post("/api/v1/notifications/read-all/", {"domain": "tests"}, format="json").json() == {
        "marked": 1,
        "unread": 0,
    }


def test_someone_elses_notification_is_a_404(api, ping_kind, member, stranger):
    row = ping(member, stranger)
    api.force_authenticate(stranger)

    response = api.post(f"/api/v1/notifications/{row.pk}/read/")

    assert response.status_code == 404 and selectors.notification_unread_count(member) == 1


def test_preferences_read_with_defaults_and_patch_only_what_is_named(api, ping_kind, mail_kind, member):
    api.force_authenticate(member)
    before = {p["kind"]: p for p in api.get("/api/v1/notifications/preferences/").json()}
    assert before["tests.mail"]["email"] == "instant" and before["tests.mail"]["is_default"]

    response = api.patch(
        "/api/v1/notifications/preferences/", {"preferences": [{"kind": "tests.mail", "email": "daily"}]}, format="json"
    )

    after = {p["kind"]: p for p in response.json()}
    assert response.status_code == 200
    assert (after["tests.mail"]["email"], after["tests.mail"]["in_app"], after["tests.mail"]["is_default"]) == (
        "daily",
        True,
        False,
    )
    assert after["tests.ping"]["is_default"]


def test_bad_preferences_are_a_400_and_change_nothing(api, ping_kind, member):
    api.force_authenticate(member)
    for body in (
        {"preferences": [{"kind": "tests.nope", "email": "off"}]},
        {"preferences": [{"kind": "tests.ping", "email": "hourly"}]},
        {"preferences": "no"},
    ):
        response = api.patch("/api/v1/notifications/preferences/", body, format="json")
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == "invalid"
    assert not member.notification_preferences.exists()


def test_a_kind_for_others_is_not_among_ones_preferences_and_cannot_be_set(api, member, staff):
    from apps.core.notifications.registry import NotificationKind, register, unregister

    register(
        NotificationKind(
            name="tests.staff_only",
            label="For staff",
            description="Only staff hear of it.",
            template="{actors} did a staff thing",
            audience=lambda user: user.is_staff,
        )
    )
    try:
        api.force_authenticate(member)
        kinds = [item["kind"] for item in api.get("/api/v1/notifications/preferences/").json()]
        body = {"preferences": [{"kind": "tests.staff_only", "email": "instant"}]}
        refused = api.patch("/api/v1/notifications/preferences/", body, format="json")
        api.force_authenticate(staff)
        staff_kinds = [item["kind"] for item in api.get("/api/v1/notifications/preferences/").json()]
    finally:
        unregister("tests.staff_only")

    assert "tests.staff_only" not in kinds and "tests.staff_only" in staff_kinds
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {
        "preferences.0.kind": ["This kind of notification is not sent to you."]
    }
    assert not member.notification_preferences.exists()
