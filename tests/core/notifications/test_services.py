"""The notification services: grouping, reading, preferences, unsubscribing and digests."""

from __future__ import annotations

import pytest
from django.core import signing
from django.core.exceptions import ValidationError

from apps.core.notifications import selectors, services
from apps.core.notifications.models import Notification
from apps.core.notifications.registry import Email, NotificationKind
from tests.core.factories import UserFactory
from tests.core.notifications.conftest import ping

pytestmark = pytest.mark.django_db


def test_events_on_one_thing_group_into_one_unread_row_read_as_the_newest_actor_and_others(ping_kind, member):
    ana, ben, cy = (UserFactory(display_name=name) for name in ("Ana", "Ben", "Cy"))
    ping(member, ben)
    ping(member, cy)
    ping(member, ben)
    row = ping(member, ana)

    assert Notification.objects.filter(recipient=member).count() == 1
    assert (row.count, row.actor_ids) == (4, [ana.pk, ben.pk, cy.pk])
    assert selectors.notification_text(row) == "Ana and 2 others pinged you 4 times about “The thing”"


def test_one_event_reads_with_the_single_template(ping_kind, member, stranger):
    row = ping(member, stranger)

    assert selectors.notification_text(row) == "Sam Stranger pinged you about “The thing”"
    assert (row.domain, row.group_key) == ("tests", "tests.ping:thing:1")


def test_once_read_the_next_event_starts_a_new_row(ping_kind, member, stranger):
    first = ping(member, stranger)
    services.notification_mark_read(user=member, notification=first)
    second = ping(member, stranger)

    assert second.pk != first.pk and second.count == 1
    assert selectors.notification_unread_count(member) == 1


def test_other_groups_and_recipients_get_rows_of_their_own(ping_kind, member, stranger, staff):
    ping(member, stranger, group="thing:1")
    ping(member, stranger, group="thing:2")
    ping(staff, stranger, group="thing:1")

    assert selectors.notification_unread_count(member) == 2
    assert selectors.notification_unread_count(staff) == 1


def test_nobody_is_notified_of_their_own_act_nor_when_inactive(ping_kind, member):
    assert ping(member, member) is None
    member.is_active = False
    member.save()
    assert ping(member, UserFactory()) is None
    assert not Notification.objects.exists()


def test_an_unknown_kind_or_a_foreign_target_is_a_programming_error(ping_kind, member, stranger):
    with pytest.raises(ValueError):
        ping(member, stranger, kind="tests.nope")
    with pytest.raises(ValueError):
        services.notify(
            recipient_id=member.pk, kind="tests.ping", group="g", target_url="https://evil.example/", target_label="x"
        )


def test_a_kind_checks_its_name_and_email_default():
    with pytest.raises(ValueError):
        NotificationKind(name="nodot", label="x", description="", template="x")
    with pytest.raises(ValueError):
        NotificationKind(name="a.b", label="x", description="", template="x", email="hourly")


def test_mark_read_is_only_for_the_recipient(ping_kind, member, stranger):
    row = ping(member, stranger)
    with pytest.raises(ValidationError):
        services.notification_mark_read(user=stranger, notification=row)
    assert selectors.notification_get_for_user(stranger, row.pk) is None


def test_mark_all_read_can_keep_to_one_domain(ping_kind, member, stranger):
    ping(member, stranger, group="a")
    ping(member, stranger, group="b")

    assert services.notification_mark_all_read(user=member, domain="other") == 0
    assert services.notification_mark_all_read(user=member, domain="tests") == 2
    assert selectors.notification_unread_count(member) == 0


def test_a_kind_turned_off_in_the_app_and_email_is_not_recorded(ping_kind, member, stranger):
    services.preference_set(user=member, kind="tests.ping", in_app=False, email=Email.OFF)

    assert ping(member, stranger) is None


def test_preferences_fall_back_to_the_kinds_defaults(ping_kind, mail_kind, member):
    services.preference_set(user=member, kind="tests.mail", in_app=True, email=Email.WEEKLY)
    choices = {c.kind.name: (c.in_app, c.email, c.is_default) for c in selectors.preference_list_for_user(member)}

    assert choices["tests.ping"] == (True, Email.OFF, True)
    assert choices["tests.mail"] == (True, Email.WEEKLY, False)


def test_bad_preferences_are_refused(ping_kind, member):
    with pytest.raises(ValidationError):
        services.preference_set(user=member, kind="tests.nope", in_app=True, email=Email.OFF)
    with pytest.raises(ValidationError):
        services.preference_set(user=member, kind="tests.ping", in_app=True, email="hourly")


def test_an_instant_kind_is_marked_emailed_as_its_email_is_queued(mail_kind, member, stranger):
    row = ping(member, stranger, kind="tests.mail")

    assert row.emailed_at is not None and row.email == Email.INSTANT


def test_an_email_carries_its_text_a_link_and_a_one_click_unsubscribe(mail_kind, member, stranger):
    row = ping(member, stranger, kind="tests.mail")
    email = services.notification_email(member, "Subject", [row], "email")

    assert email["to"] == member.email
    assert "Sam Stranger mailed you about “The thing”" in email["body"]
    assert f"/notifications/{row.pk}/open/" in email["body"]
    assert email["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = email["headers"]["List-Unsubscribe"].strip("<>")
    assert url.startswith("http") and url in email["body"] and url in email["html"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert services.unsubscribe_read(token) == (member, [mail_kind])


def test_an_unsubscribe_token_names_its_person_and_kinds_and_refuses_tampering(mail_kind, member):
    token = services.unsubscribe_token(member.pk, ["tests.mail"])
    user, kinds = services.unsubscribe_read(token)
    services.unsubscribe(user=user, kinds=kinds)

    assert selectors.preference_for(member.pk, mail_kind).email == Email.OFF
    assert services.unsubscribe_read(token[:-2] + "xx") is None
    assert services.unsubscribe_read(signing.dumps({"u": member.pk, "k": ["tests.mail"]})) is None  # no salt


def test_a_digest_takes_each_waiting_row_once(ping_kind, member, staff, stranger):
    for user in (member, staff):
        services.preference_set(user=user, kind="tests.ping", in_app=True, email=Email.DAILY)
    ping(member, stranger, group="a")
    ping(member, stranger, group="b")
    ping(staff, stranger, group="a")

    assert services.digest_send(frequency=Email.DAILY) == 2  # two people, one email each
    assert services.digest_send(frequency=Email.DAILY) == 0
    assert services.digest_send(frequency=Email.WEEKLY) == 0
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_new_activity_after_a_digest_goes_into_the_next_one(ping_kind, member, stranger):
    services.preference_set(user=member, kind="tests.ping", in_app=True, email=Email.WEEKLY)
    ping(member, stranger)
    services.digest_send(frequency=Email.WEEKLY)
    ping(member, stranger)

    assert services.digest_send(frequency=Email.WEEKLY) == 1


def test_choosing_no_email_drops_what_waits_for_a_digest(ping_kind, member, stranger):
    services.preference_set(user=member, kind="tests.ping", in_app=True, email=Email.DAILY)
    ping(member, stranger)
    services.preference_set(user=member, kind="tests.ping", in_app=True, email=Email.OFF)

    assert services.digest_send(frequency=Email.DAILY) == 0


def test_the_unread_state_is_one_query(ping_kind, member, stranger, django_assert_num_queries):
    ping(member, stranger)
    with django_assert_num_queries(1):
        count, latest = selectors.notification_unread_state(member.pk)
    assert count == 1 and latest is not None
