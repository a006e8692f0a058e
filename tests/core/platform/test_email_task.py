"""core.send_email on a real worker: a refused send is retried with backoff, a lost one logged."""

from __future__ import annotations

import logging

import pytest
from django.core import mail

from apps.core.platform import mail as platform_mail
from apps.core.platform.tasks import MAIL_RETRY_CAP_SECONDS, mail_retry_delay
from tests import mail_backends
from tests.core.platform.test_worker_smoke import wait_until


@pytest.fixture
def flaky_mail(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "tests.mail_backends.FlakyBackend"
    yield mail_backends
    mail_backends.refuse_next(0)


def test_a_send_the_server_refuses_once_is_retried_after_a_pause_and_sent_once(celery_worker, flaky_mail, settings):
    settings.EMAIL_RETRY_SECONDS = 1  # the first retry waits 0.5 to 1 s
    flaky_mail.refuse_next(1)

    platform_mail.send_later(to="ana@example.com", subject="Hello", body="Second time lucky")

    assert wait_until(lambda: len(mail.outbox) == 1, timeout=20), flaky_mail.ATTEMPTS
    assert len(flaky_mail.ATTEMPTS) == 2, flaky_mail.ATTEMPTS
    first, second = flaky_mail.ATTEMPTS
    assert second - first >= 0.4  # at least half the 1 s step (less a timer's slack)
    assert mail.outbox[0].to == ["ana@example.com"]


def test_a_send_refused_every_time_is_given_up_and_logged(celery_worker, flaky_mail, settings, caplog):
    settings.EMAIL_RETRY_SECONDS = 0
    settings.EMAIL_MAX_RETRIES = 2
    flaky_mail.refuse_next(100)

    with caplog.at_level(logging.WARNING, logger="apps.core.platform.tasks"):
        platform_mail.send_later(to="bo@example.com", subject="Never", body="Lost")
        assert wait_until(lambda: "is lost after 3 tries" in caplog.text, timeout=15)

    assert len(flaky_mail.ATTEMPTS) == 3 and mail.outbox == []
    lost = [r for r in caplog.records if "is lost" in r.getMessage()]
    assert len(lost) == 1 and lost[0].levelno == logging.ERROR and "bo@example.com" in lost[0].getMessage()


def test_the_pause_before_a_retry_doubles_each_time_up_to_ten_minutes(settings):
    settings.EMAIL_RETRY_SECONDS = 5
    for retries, full in [(0, 5), (1, 10), (2, 20), (3, 40), (10, MAIL_RETRY_CAP_SECONDS)]:
        delays = [mail_retry_delay(retries) for _ in range(50)]
        assert all(full / 2 <= delay <= full for delay in delays), (retries, min(delays), max(delays))
