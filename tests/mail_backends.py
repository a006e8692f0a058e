"""Email backends for tests of delivery failures: a mail server that refuses for a while.

They deliver into Django's test outbox (``mail.outbox``) as the locmem backend does, so a test
sees what was finally sent; ``FAILURES`` counts the refusals still to come and ``ATTEMPTS`` how
many sends were tried (module state: the worker's thread and the test share it)."""

from __future__ import annotations

import smtplib
import threading
import time
from typing import Any

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

_lock = threading.Lock()
FAILURES = 0
ATTEMPTS: list[float] = []  # monotonic time of each attempt


def refuse_next(count: int) -> None:
    global FAILURES
    with _lock:
        FAILURES = count
        ATTEMPTS.clear()


class FlakyBackend(LocmemBackend):
    """Refuses (SMTPServerDisconnected) while FAILURES is above zero, then delivers."""

    def send_messages(self, email_messages: Any) -> int:
        global FAILURES
        with _lock:
            ATTEMPTS.append(time.monotonic())
            if FAILURES > 0:
                FAILURES -= 1
                raise smtplib.SMTPServerDisconnected("the test mail server hung up")
        return super().send_messages(email_messages)
