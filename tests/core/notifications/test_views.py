"""The notification pages: list, open, mark read (HTMX and plain), preferences, unsubscribe."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from apps.core.notifications import selectors, services
from apps.core.notifications.models import Notification
from apps.core.notifications.registry import Email
from tests.core.notifications.conftest import ping

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_list_needs_sign_in(client):
    response = client.get(reverse("notifications:list"))

    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_list_shows_ones_own_grouped_notifications_and_the_bell(ping_kind, client_for, member, stranger, staff):
    ping(member, stranger)
    ping(member, staff)
    ping(staff, stranger, label="Not for Mia")

    response = client_for(member).get(reverse("notifications:list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Stacy Staff and 1 other pinged you 2 times about “The thing”" in body
    assert "Not for Mia" not in body
    assert 'data-unread-count="1"' in body


def test_an_empty_list_shows_the_empty_state(ping_kind, client_for, member):
    body = client_for(member).get(reverse("notifications:list")).content.decode()

    assert "No notifications yet" in body


def test_htmx_gets_the_list_fragment_filtered(ping_kind, client_for, member, stranger):
    ping(member, stranger)
    client = client_for(member)

    fragment = client.get(reverse("notifications:list") + "?domain=tests", **HTMX).content.decode()
    other = client.get(reverse("notifications:list") + "?domain=nope&unread=1", **HTMX).content.decode()

    assert '<section class="notifications"' in fragment and "pinged you" in fragment
    assert 'aria-current="page">Tests</a>' in fragment  # the filter's tabs swap with the list
    assert "<html" not in fragment and "pinged you" in other  # an unknown domain is no filter


def test_the_list_costs_the_same_queries_for_one_or_many(
    ping_kind, client_for, member, stranger, django_assert_max_num_queries
):
    client = client_for(member)
    for group in range(12):
        ping(member, stranger, group=f"g{group}")
    with django_assert_max_num_queries(12):
        client.get(reverse("notifications:list"))


def test_opening_a_notification_marks_it_read_and_goes_to_its_target(ping_kind, client_for, member, stranger):
    row = ping(member, stranger)

    response = client_for(member).get(reverse("notifications:open", args=[row.pk]))

    assert response.status_code == 302 and response["Location"] == "/things/1/#part-2"
    row.refresh_from_db()
    assert row.read_at is not None


def test_someone_elses_notification_is_a_404(ping_kind, client_for, member, stranger):
    row = ping(member, stranger)
    client = client_for(stranger)

    assert client.get(reverse("notifications:open", args=[row.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[row.pk])).status_code == 404
    assert Notification.objects.get(pk=row.pk).read_at is None


def test_mark_read_by_htmx_answers_the_row_and_the_bell_out_of_band(ping_kind, client_for, member, stranger):
    row = ping(member, stranger)

    response = client_for(member).post(reverse("notifications:read", args=[row.pk]), **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="notification-{row.pk}"' in body and "notification--unread" not in body
    assert 'id="bell-count"' in body and 'hx-swap-oob="true"' in body and 'data-unread-count="0"' in body


def test_mark_read_without_javascript_redirects_to_the_list(ping_kind, client_for, member, stranger):
    row = ping(member, stranger)

    response = client_for(member).post(reverse("notifications:read", args=[row.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")


def test_mark_all_read_keeps_to_the_chosen_domain(ping_kind, client_for, member, stranger):
    ping(member, stranger, group="a")
    ping(member, stranger, group="b")
    client = client_for(member)

    response = client.post(reverse("notifications:read-all"), {"domain": "tests"}, **HTMX)

    assert response.status_code == 200 and 'data-unread-count="0"' in response.content.decode()
    assert selectors.notification_unread_count(member) == 0
    assert client.post(reverse("notifications:read-all")).status_code == 302


@pytest.mark.parametrize("name", ["notifications:read-all"])
def test_writes_refuse_get(ping_kind, client_for, member, name):
    assert client_for(member).get(reverse(name)).status_code == 405


def test_preferences_show_the_defaults_and_save_choices(ping_kind, mail_kind, client_for, member):
    client = client_for(member)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Pings" in page and "Mailed pings" in page

    response = client.post(
        reverse("notifications:preferences"),
        {"tests.ping-in_app": "on", "tests.ping-email": "weekly", "tests.mail-email": "off"},
    )

    assert response.status_code == 302
    choices = {c.kind.name: (c.in_app, c.email, c.is_default) for c in selectors.preference_list_for_user(member)}
    assert choices["tests.ping"] == (True, "weekly", False)
    assert choices["tests.mail"] == (False, "off", False)
    assert all(is_default for name, (_, _, is_default) in choices.items() if not name.startswith("tests."))


def test_a_bad_preference_is_a_form_error_and_changes_nothing(ping_kind, client_for, member):
    response = client_for(member).post(reverse("notifications:preferences"), {"tests.ping-email": "hourly"})

    assert response.status_code == 422
    assert not member.notification_preferences.exists()


def test_the_unsubscribe_link_works_signed_out_get_asks_post_does(mail_kind, member):
    client = Client(enforce_csrf_checks=True)
    url = reverse("notifications:unsubscribe", args=[services.unsubscribe_token(member.pk, ["tests.mail"])])

    page = client.get(url)
    assert page.status_code == 200 and "Mailed pings".lower() in page.content.decode().lower()
    assert selectors.preference_for(member.pk, mail_kind).email == Email.INSTANT

    done = client.post(url)  # as a mail client's one-click POST: no CSRF token, no session
    assert done.status_code == 200
    assert selectors.preference_for(member.pk, mail_kind).email == Email.OFF


def test_a_bad_unsubscribe_link_is_a_400(client):
    assert client.get(reverse("notifications:unsubscribe", args=["nope"])).status_code == 400
    assert client.post(reverse("notifications:unsubscribe", args=["nope"])).status_code == 400


def test_the_header_bell_costs_no_query_for_visitors(client, django_assert_num_queries):
    # The signed-out header comes from the chrome cache and never reads the count.
    client.get(reverse("login"))
    with django_assert_num_queries(0):
        body = client.get(reverse("login")).content.decode()
    assert "data-notification-bell" not in body
