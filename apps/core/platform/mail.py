"""Email leaves through the queue: a request never waits on an SMTP server, and a failed send
is retried by the worker with backoff."""

from __future__ import annotations

from apps.core.platform import jobs


def send_later(
    *, to: str, subject: str, body: str, html: str | None = None, headers: dict[str, str] | None = None
) -> None:
    """Email ``to`` once the current transaction commits, from a worker."""
    from apps.core.platform.tasks import send_email

    jobs.enqueue(send_email, to=to, subject=subject, body=body, html=html, headers=headers or {})
