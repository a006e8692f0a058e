"""Sign-in lockout, address backoff and simple rate limits, counted in the cache (Redis in production).

Failed sign-ins are counted three ways within a window (``LOGIN_LOCKOUT_WINDOW``, from the
first failure):

- per (account, address): ``LOGIN_LOCKOUT_PAIR_LIMIT`` failures lock that account from that
  address until the window ends, even for the right password (one guesser, one target);
- per account, from every address: ``LOGIN_LOCKOUT_ACCOUNT_LIMIT`` failures lock the account
  everywhere until the window ends (guessing spread over many addresses);
- per address, over every account: never a lockout, since one office behind NAT or one bot
  would lock out everyone there. From the ``LOGIN_BACKOFF_AFTER``-th failure on, each failure
  starts a short wait (``LOGIN_BACKOFF_BASE`` seconds, doubling, at most ``LOGIN_BACKOFF_MAX``)
  during which that address gets 429 without its password being looked at; once the wait is
  over a right password signs in again.

A successful sign-in clears the account's count and its pair with that address; a completed
password reset clears the account from every address. Neither clears the address's count, so
one person's success cannot let an address that is guessing at many accounts go on at full
speed. Clearing bumps a generation number
that every key carries, so "every pair of this account" and "everything" are cleared without
listing keys. ``lockouts_list`` reads a small index (at most 1,000 entries, the longest-lasting
kept) written when a lock or a wait begins; it is for operators (``manage.py lockouts``) and
may miss an entry written by a racing request, while the counts themselves are atomic (``incr``).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.http import HttpRequest

from apps.core.models import normalize_email

_INDEX = "lockout:index"
_INDEX_SIZE = 1000  # entries the operators' list keeps


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


def _bump(key: str) -> None:
    # A new generation never repeats an old one (a nanosecond clock, not a counter), and it is kept
    # (one small key per account that ever signed in), so counts made under it live out their window.
    cache.set(key, time.time_ns(), timeout=None)


def _account_gen_key(email: str) -> str:
    return f"lockout:gen:acct:{_digest(normalize_email(email))}"


def _ip_gen_key(ip: str) -> str:
    return f"lockout:gen:ip:{_digest(ip)}"


@dataclass(frozen=True)
class _Keys:
    account: str
    pair: str
    ip: str
    backoff: str


def _keys(email: str, ip: str) -> _Keys:
    account_gen_key, ip_gen_key = _account_gen_key(email), _ip_gen_key(ip)
    generations = cache.get_many(["lockout:gen:all", account_gen_key, ip_gen_key])
    everything = int(generations.get("lockout:gen:all") or 0)
    account_gen = int(generations.get(account_gen_key) or 0)
    ip_gen = int(generations.get(ip_gen_key) or 0)
    account = f"lockout:{everything}:acct:{_digest(normalize_email(email))}:{account_gen}"
    address = f"lockout:{everything}:ip:{_digest(ip)}:{ip_gen}"
    return _Keys(account=account, pair=f"{account}:{address}", ip=address, backoff=f"{address}:wait")


@dataclass(frozen=True)
class Lockout:
    retry_after: int  # seconds

    @property
    def message(self) -> str:
        if self.retry_after < 60:
            unit = "second" if self.retry_after == 1 else "seconds"
            return f"Too many failed sign-in attempts. Try again in {self.retry_after} {unit}."
        minutes = math.ceil(self.retry_after / 60)
        unit = "minute" if minutes == 1 else "minutes"
        return f"Too many failed sign-in attempts. Try again in {minutes} {unit}."


def _until(key: str) -> float:
    return float(cache.get(f"{key}:ends") or 0.0)


def _lockout_until(until: float, now: float) -> Lockout | None:
    return Lockout(retry_after=max(1, math.ceil(until - now))) if until > now else None


def lockout_for(*, email: str, ip: str) -> Lockout | None:
    """The lockout or wait in force for this account from this address, if any."""
    now = time.time()
    keys = _keys(email, ip)
    counts = cache.get_many([keys.backoff, keys.account, keys.pair])
    waits = [float(counts.get(keys.backoff) or 0.0)]
    limits = ((keys.account, settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT), (keys.pair, settings.LOGIN_LOCKOUT_PAIR_LIMIT))
    for key, limit in limits:
        if int(counts.get(key) or 0) >= limit:
            waits.append(_until(key))
    return _lockout_until(max(waits), now)


def _count(key: str, now: float) -> int:
    """One more failure under ``key``; the window begins with the first."""
    # add() starts a window only if none is open; incr() is atomic in Redis, so concurrent
    # failures are all counted.
    window = settings.LOGIN_LOCKOUT_WINDOW
    if cache.add(key, 0, timeout=window):
        cache.set(f"{key}:ends", now + window, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:  # the window closed between add() and incr()
        cache.set(key, 1, timeout=window)
        cache.set(f"{key}:ends", now + window, timeout=window)
        return 1


def backoff_seconds(failures: int) -> int:
    """The wait after an address's ``failures``-th failure in the window: none before
    ``LOGIN_BACKOFF_AFTER``, then ``LOGIN_BACKOFF_BASE`` seconds doubling up to ``LOGIN_BACKOFF_MAX``."""
    over = failures - settings.LOGIN_BACKOFF_AFTER
    if over < 0:
        return 0
    return min(settings.LOGIN_BACKOFF_BASE * 2 ** min(over, 32), settings.LOGIN_BACKOFF_MAX)


def record_failure(*, email: str, ip: str) -> None:
    """Count one failed sign-in of ``email`` from ``ip``; start a lock or a wait if one is due."""
    now = time.time()
    keys = _keys(email, ip)
    account, pair, address = _count(keys.account, now), _count(keys.pair, now), _count(keys.ip, now)
    wait = backoff_seconds(address)
    if wait:
        cache.set(keys.backoff, now + wait, timeout=wait)
        _index_add(("address", "", ip), failures=address, until=now + wait)
    if pair >= settings.LOGIN_LOCKOUT_PAIR_LIMIT:
        _index_add(("pair", normalize_email(email), ip), failures=pair, until=_until(keys.pair))
    if account >= settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT:
        _index_add(("account", normalize_email(email), ""), failures=account, until=_until(keys.account))


class SignInRefused(Exception):
    """Credentials refused: ``lockout`` is set when the lockout refused them, None when they
    were wrong (an unknown email, a wrong password and a deactivated account look alike)."""

    def __init__(self, lockout: Lockout | None = None) -> None:
        super().__init__(lockout.message if lockout else "invalid credentials")
        self.lockout = lockout


def authenticate_with_lockout(request: Any, *, email: str, password: str) -> Any:
    """The account these credentials name, for every sign-in surface (page and API).

    The lockout and the address's wait are checked before the password is looked at, and a
    refused attempt counts towards them. authenticate() hashes even for an unknown email and
    refuses inactive users, so the refusals look alike in answer and in time. The caller clears
    the failures once it lets the user in (it may still refuse, say, an unconfirmed address).
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


def clear_failures(*, email: str, ip: str | None = None) -> None:
    """Forget the account's failures: after a success from ``ip``, its count and that pair only
    (other addresses guessing at it stay locked); without ``ip`` (a completed password reset,
    an operator), its locks from every address too."""
    email = normalize_email(email)
    if ip is None:
        _bump(_account_gen_key(email))
        _index_remove(lambda kind, entry_email, entry_ip: entry_email == email)
        return
    keys = _keys(email, ip)
    cache.delete_many([keys.account, f"{keys.account}:ends", keys.pair, f"{keys.pair}:ends"])
    _index_remove(lambda kind, entry_email, entry_ip: entry_email == email and entry_ip in ("", ip))


def clear_address(*, ip: str) -> None:
    """Forget an address's failures, its wait and its locks on every account (an operator's call)."""
    _bump(_ip_gen_key(ip))
    _index_remove(lambda kind, email, entry_ip: entry_ip == ip)


def clear_all() -> None:
    """Forget every failure, lock and wait."""
    _bump("lockout:gen:all")
    cache.delete(_INDEX)


# --- The operators' index -------------------------------------------------------------------

LockKind = Literal["account", "pair", "address"]


@dataclass(frozen=True)
class LockEntry:
    kind: LockKind  # account: from everywhere; pair: this account from this address; address: a wait
    email: str
    ip: str
    failures: int
    retry_after: int  # seconds left


def _index_add(entry: tuple[str, str, str], *, failures: int, until: float) -> None:
    now = time.time()
    index: dict[tuple[str, str, str], tuple[int, float]] = cache.get(_INDEX) or {}
    index = {key: value for key, value in index.items() if value[1] > now}  # ended locks go
    index[entry] = (failures, until)
    if len(index) > _INDEX_SIZE:  # a wide attack: keep the locks that last longest
        index = dict(sorted(index.items(), key=lambda item: item[1][1])[-_INDEX_SIZE:])
    cache.set(_INDEX, index, timeout=settings.LOGIN_LOCKOUT_WINDOW + settings.LOGIN_BACKOFF_MAX)


def _index_remove(matches: Any) -> None:
    index: dict[tuple[str, str, str], tuple[int, float]] = cache.get(_INDEX) or {}
    kept = {entry: value for entry, value in index.items() if not matches(*entry)}
    if kept != index:
        cache.set(_INDEX, kept, timeout=settings.LOGIN_LOCKOUT_WINDOW + settings.LOGIN_BACKOFF_MAX)


def lockouts_list() -> list[LockEntry]:
    """The locks and waits in force now, longest first (for operators)."""
    now = time.time()
    index: dict[tuple[str, str, str], tuple[int, float]] = cache.get(_INDEX) or {}
    entries = [
        LockEntry(kind=kind, email=email, ip=ip, failures=failures, retry_after=math.ceil(until - now))  # type: ignore[arg-type]
        for (kind, email, ip), (failures, until) in index.items()
        if until > now
    ]
    return sorted(entries, key=lambda entry: (-entry.retry_after, entry.kind, entry.email, entry.ip))


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
