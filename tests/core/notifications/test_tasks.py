"""The digests on a real worker, and their places in beat's schedule."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from apps.core.notifications import services
from apps.core.notifications.models import Notification
from apps.core.notifications.registry import Email
from apps.core.notifications.tasks import notifications_digest
from tests.core.factories import UserFactory
from tests.core.notifications.conftest import ping


def test_beat_runs_the_daily_and_the_weekly_digest():
    schedule = {
        entry["kwargs"]["frequency"]: entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "core.notifications_digest"
    }

    assert set(schedule) == {"daily", "weekly"}
    assert "apps.core.notifications.tasks" in settings.CELERY_IMPORTS


@pytest.mark.django_db(transaction=True)
def test_the_weekly_digest_leaves_from_the_worker_one_email_per_person(ping_kind, celery_worker):
    mia, sam = UserFactory(display_name="Mia"), UserFactory(display_name="Sam")
    services.preference_set(user=mia, kind="tests.ping", in_app=True, email=Email.WEEKLY)
    ping(mia, sam, group="a", label="First")
    ping(mia, sam, group="b", label="Second")

    notifications_digest.delay(frequency="weekly")

    deadline = time.monotonic() + 15
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.05)
    [email] = mail.outbox
    assert email.to == [mia.email] and "“First”" in email.body and "“Second”" in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_the_retention_sweep_forgets_only_notifications_read_long_ago(db, ping_kind, settings):
    mia, sam = UserFactory(display_name="Mia"), UserFactory(display_name="Sam")
    old_read, recent_read, old_unread = (ping(mia, sam, group=group) for group in ("a", "b", "c"))
    now = timezone.now()
    Notification.objects.filter(pk=old_read.pk).update(read_at=now - timedelta(days=181))
    Notification.objects.filter(pk=recent_read.pk).update(read_at=now - timedelta(days=179))
    Notification.objects.filter(pk=old_unread.pk).update(created_at=now - timedelta(days=400))
    settings.NOTIFICATIONS_RETENTION_DAYS = 180

    assert services.notifications_prune() == 1
    assert services.notifications_prune() == 0  # a second run (or one at the same time) finds nothing
    assert set(Notification.objects.values_list("pk", flat=True)) == {recent_read.pk, old_unread.pk}
    assert settings.CELERY_BEAT_SCHEDULE["notifications-prune"]["task"] == "core.notifications_prune"
