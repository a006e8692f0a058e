"""Load for the fault tests: threads sending a mix of requests to a served process while a test
breaks something, each outcome kept with the phase it started in, and the users and clients
they act as."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from apps.core.models import User
from tests.core.factories import DEFAULT_PASSWORD, UserFactory

TIMEOUT = 15  # seconds a request may take before it counts as failed


@dataclass(frozen=True)
class Outcome:
    kind: str
    phase: str
    ok: bool
    detail: str
    seconds: float


def _hashed(password: str) -> str:
    # The serving process knows Django's default hashers only (the tests' own is MD5). Few
    # iterations: it rehashes at the first sign-in, and only the sign-in kinds pay the full cost.
    return PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt(), iterations=1000)


def serving_user(**fields: object) -> User:
    user = UserFactory(**fields)
    user.password = _hashed(DEFAULT_PASSWORD)
    user.save(update_fields=["password"])
    return user


def csrf_of(session: requests.Session) -> str:
    return session.cookies.get("csrftoken", "")


def api_token(url: str, email: str, password: str = DEFAULT_PASSWORD) -> requests.Response:
    return requests.post(url + "/api/v1/auth/token/", json={"email": email, "password": password}, timeout=TIMEOUT)


def still_signed_in(url: str, session: requests.Session, user: User) -> bool:
    response = session.get(url + "/accounts/profile/", allow_redirects=False, timeout=TIMEOUT)
    return response.status_code == 200 and user.email in response.text


class Load:
    """Worker threads sending a mix of requests until stopped, each outcome tagged with the phase
    (before, during, after the outage) it started in."""

    def __init__(self) -> None:
        self.phase = "before"
        self.outcomes: list[Outcome] = []
        self.comments: list[str] = []  # bodies of acknowledged comment posts
        self.posts: list[str] = []  # titles of acknowledged API post creations
        self.sessions: list[tuple[requests.Session, User]] = []  # signed in by the load, checked after
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._serial = count()

    def run(self, name: str, steps: list[tuple[str, Callable[[str], tuple[bool, str]]]], pause: float) -> None:
        def loop() -> None:
            while not self._stop.is_set():
                for kind, step in steps:
                    if self._stop.is_set():
                        return
                    phase, started = self.phase, time.monotonic()
                    try:
                        ok, detail = step(f"{name}-{next(self._serial)}")
                    except requests.RequestException as exc:
                        ok, detail = False, type(exc).__name__
                    with self._lock:
                        self.outcomes.append(Outcome(kind, phase, ok, detail, time.monotonic() - started))
                    self._stop.wait(pause)

        thread = threading.Thread(target=loop, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def remember(self, bucket: list, item: object) -> None:
        with self._lock:
            bucket.append(item)

    def create_post(self, url: str, headers: dict[str, str], title: str) -> requests.Response:
        """Create a post through the API; a 201 is an acknowledged write, kept in ``posts``."""
        response = requests.post(url + "/api/v1/blog/posts/", json={"title": title}, headers=headers, timeout=TIMEOUT)
        if response.status_code == 201:
            self.remember(self.posts, title)
        return response

    def post_comment(self, session: requests.Session, address: str, body: str) -> requests.Response:
        """Post a comment as htmx does; a 201 is an acknowledged write, kept in ``comments``."""
        headers = {"X-CSRFToken": csrf_of(session), "HX-Request": "true"}
        response = session.post(address, {"body": body}, headers=headers, timeout=TIMEOUT)
        if response.status_code == 201:
            self.remember(self.comments, body)
        return response

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=TIMEOUT + 5)
