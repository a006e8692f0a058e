"""The queue works end to end: a task sent by the test runs on a real worker."""

from __future__ import annotations

from django.core import mail

from apps.core.platform import mail as platform_mail
from tests.utils import wait_until


def test_an_email_sent_later_leaves_from_the_worker(celery_worker) -> None:  # type: ignore[no-untyped-def]
    platform_mail.send_later(to="ana@example.com", subject="Hello", body="From the worker")
    assert wait_until(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["ana@example.com"]
