"""The digests on a real worker, and their places in beat's schedule."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.core import mail

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
