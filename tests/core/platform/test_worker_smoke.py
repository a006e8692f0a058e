"""The queue works end to end: a task sent by the test runs on a real worker."""

from __future__ import annotations

import time

from django.core import mail

from apps.core.platform import mail as platform_mail


def wait_until(predicate, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_an_email_sent_later_leaves_from_the_worker(celery_worker) -> None:  # type: ignore[no-untyped-def]
    platform_mail.send_later(to="ana@example.com", subject="Hello", body="From the worker")
    assert wait_until(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["ana@example.com"]
