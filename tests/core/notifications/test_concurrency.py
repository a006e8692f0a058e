"""Events of one group arriving at once, on PostgreSQL's row locks: one unread row, every event
counted once."""

from __future__ import annotations

import pytest
from django.conf import settings

from apps.core.notifications import services
from apps.core.notifications.models import Notification
from tests.core.factories import UserFactory
from tests.utils import race

# SQLite takes one writer at a time (IMMEDIATE transactions), so nothing would race there.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL: SQLite serialises writers, so events cannot race",
    ),
]


def test_replies_arriving_at_once_gather_in_one_unread_notification(ping_kind, member):
    actors = [UserFactory() for _ in range(6)]

    def event(index: int) -> int:
        row = services.notify(
            recipient_id=member.pk,
            kind="tests.ping",
            group="thing:1",
            target_url="/things/1/",
            target_label="The thing",
            actor_id=actors[index].pk,
        )
        return row.pk

    results = race(event, times=len(actors))

    assert not [r for r in results if isinstance(r, BaseException)], results
    [row] = Notification.objects.filter(recipient=member)
    assert row.count == 6 and sorted(row.actor_ids) == sorted(a.pk for a in actors)


def test_two_digests_at_once_email_each_waiting_row_once(ping_kind, member, stranger):
    services.preference_set(user=member, kind="tests.ping", in_app=True, email="daily")
    for group in range(20):
        services.notify(
            recipient_id=member.pk,
            kind="tests.ping",
            group=f"g{group}",
            target_url="/x/",
            target_label="X",
            actor_id=stranger.pk,
        )

    def digest(index: int) -> int:
        return services.digest_send(frequency="daily", batch=10)

    results = race(digest, times=2)

    assert results == [1, 1], results  # each run took one batch of ten (SKIP LOCKED), one email each
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
