"""Sign-in lockout and simple rate limits, counted in the cache (Redis in production).

Failures are counted per account and per client address within a window. When either count
reaches its limit, sign-in is refused (429) until the window that began with the first
failure ends. A successful sign-in clears the account's count, not the address's, so one
person's success cannot unlock an address that is guessing at many accounts.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.http import HttpRequest

from apps.core.models import normalize_email


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting only as many X-Forwarded-For hops as there are proxies."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _account_key(email: str) -> str:
    return f"lockout:acct:{_digest(normalize_email(email))}"


def _ip_key(ip: str) -> str:
    return f"lockout:ip:{_digest(ip)}"


@dataclass(frozen=True)
class Lockout:
    retry_after: int  # seconds

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        unit = "minute" if minutes == 1 else "minutes"
        return f"Too many failed sign-in attempts. Try again in {minutes} {unit}."


def _window_end(key: str) -> float:
    return float(cache.get(f"{key}:ends") or 0.0)


def lockout_for(*, email: str, ip: str) -> Lockout | None:
    """The lockout in force for this account or address, if any."""
    now = time.time()
    limits = (
        (_account_key(email), settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT),
        (_ip_key(ip), settings.LOGIN_LOCKOUT_IP_LIMIT),
    )
    for key, limit in limits:
        if (cache.get(key) or 0) >= limit:
            ends = _window_end(key)
            if ends > now:
                return Lockout(retry_after=math.ceil(ends - now))
    return None


def record_failure(*, email: str, ip: str) -> None:
    # add() starts a window only if none is open; incr() is atomic in Redis, so concurrent
    # failures are all counted.
    window = settings.LOGIN_LOCKOUT_WINDOW
    for key in (_account_key(email), _ip_key(ip)):
        if cache.add(key, 0, timeout=window):
            cache.set(f"{key}:ends", time.time() + window, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # the window closed between add() and incr()
            cache.set(key, 1, timeout=window)
            cache.set(f"{key}:ends", time.time() + window, timeout=window)


class SignInRefused(Exception):
    """Credentials refused: ``lockout`` is set when the lockout refused them, None when they
    were wrong (an unknown email, a wrong password and a deactivated account look alike)."""

    def __init__(self, lockout: Lockout | None = None) -> None:
        super().__init__(lockout.message if lockout else "invalid credentials")
        self.lockout = lockout


def authenticate_with_lockout(request: Any, *, email: str, password: str) -> Any:
    """The account these credentials name, for every sign-in surface (page and API).

    The lockout is checked before the password is looked at, and a refused attempt counts
    towards it. authenticate() hashes even for an unknown email and refuses inactive users, so
    the refusals look alike in answer and in time. The caller clears the failures once it lets
    the user in (it may still refuse, say, an unconfirmed address).
    """
    ip = client_ip(request)
    lockout = lockout_for(email=email, ip=ip)
    if lockout is not None:
        raise SignInRefused(lockout)
    user = authenticate(request, username=normalize_email(email), password=password)
    if user is None:
        record_failure(email=email, ip=ip)
        raise SignInRefused()
    return user


def clear_failures(*, email: str) -> None:
    key = _account_key(email)
    cache.delete_many([key, f"{key}:ends"])


def rate_limited(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one hit of ``scope`` for ``key``; True once more than ``limit`` hits fall in ``window``."""
    cache_key = f"rate:{scope}:{_digest(key)}:{int(time.time() // window)}"
    if cache.add(cache_key, 1, timeout=window):
        return False
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        return False
    return hits > limit
