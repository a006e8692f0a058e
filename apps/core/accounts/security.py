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

The cache is an accelerator, but the lockout is security: while the cache cannot be reached the
same three counts (and the address's wait) are kept in SQL (``SignInFailureCount``), so a
password-guessing burst during a Redis outage is still refused. The first request to reach the
cache again leaves a mark there (``lockout:sql-until``) telling every process to read the SQL
counts too until the locks made in them have run out; otherwise the normal path never touches
SQL. The simple rate limits (comments, registration) allow while the cache is down.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest

from apps.core.models import SignInFailureCount, normalize_email
from apps.core.platform.degraded import degraded

_INDEX = "lockout:index"
_SQL_UNTIL = "lockout:sql-until"  # counts kept in SQL during an outage are read until then
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
    generations = cache.get_many(["lockout:gen:all", account_gen_key, ip_gen_key, _SQL_UNTIL])
    _mark_sql_counts(float(generations.get(_SQL_UNTIL) or 0.0))
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
    try:
        keys = _keys(email, ip)
        counts = cache.get_many([keys.backoff, keys.account, keys.pair])
        waits = [float(counts.get(keys.backoff) or 0.0)]
        limits = ((keys.account, settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT), (keys.pair, settings.LOGIN_LOCKOUT_PAIR_LIMIT))
        for key, limit in limits:
            if int(counts.get(key) or 0) >= limit:
                waits.append(_until(key))
    except Exception as exc:  # the cache is down: the counts are in SQL meanwhile
        degraded("lockout", exc)
        return _lockout_until(_sql_until(email, ip, now), now)
    if _sql_counts_in_force(now):
        waits.append(_sql_until(email, ip, now))
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
    try:
        _record_failure_in_cache(email=email, ip=ip, now=now)
    except Exception as exc:  # the cache is down: count in SQL so the lockout still holds
        degraded("lockout", exc)
        _sql_record_failure(email=email, ip=ip, now=now)


def _record_failure_in_cache(*, email: str, ip: str, now: float) -> None:
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
    try:
        if ip is None:
            _bump(_account_gen_key(email))
            _index_remove(lambda kind, entry_email, entry_ip: entry_email == email)
        else:
            keys = _keys(email, ip)
            cache.delete_many([keys.account, f"{keys.account}:ends", keys.pair, f"{keys.pair}:ends"])
            _index_remove(lambda kind, entry_email, entry_ip: entry_email == email and entry_ip in ("", ip))
    except Exception as exc:  # the cache is down: its counts are unreachable, the SQL ones are cleared
        degraded("lockout", exc)
    else:
        if not _sql_counts_in_force(time.time()):
            return
    account = _sql_key(SignInFailureCount.Kind.ACCOUNT, email, "")
    if ip is None:
        pairs = Q(kind=SignInFailureCount.Kind.PAIR, email=email)
    else:
        pairs = Q(key=_sql_key(SignInFailureCount.Kind.PAIR, email, ip))
    SignInFailureCount.objects.filter(Q(key=account) | pairs).delete()


def clear_address(*, ip: str) -> None:
    """Forget an address's failures, its wait and its locks on every account (an operator's call)."""
    SignInFailureCount.objects.filter(ip=ip).delete()
    _bump(_ip_gen_key(ip))
    _index_remove(lambda kind, email, entry_ip: entry_ip == ip)


def clear_all() -> None:
    """Forget every failure, lock and wait."""
    SignInFailureCount.objects.all().delete()
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
    """The locks and waits in force now, longest first (for operators), those counted in SQL
    during a cache outage too."""
    now = time.time()
    try:
        index: dict[tuple[str, str, str], tuple[int, float]] = cache.get(_INDEX) or {}
    except Exception as exc:
        degraded("lockout", exc)
        index = {}
    entries = [
        LockEntry(kind=kind, email=email, ip=ip, failures=failures, retry_after=math.ceil(until - now))  # type: ignore[arg-type]
        for (kind, email, ip), (failures, until) in index.items()
        if until > now
    ]
    entries.extend(_sql_locks(now))
    return sorted(entries, key=lambda entry: (-entry.retry_after, entry.kind, entry.email, entry.ip))


def rate_limited(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one hit of ``scope`` for ``key``; True once more than ``limit`` hits fall in ``window``.

    False while the cache cannot be reached (a rate limit spares capacity; the write goes on)."""
    cache_key = f"rate:{scope}:{_digest(key)}:{int(time.time() // window)}"
    try:
        if cache.add(cache_key, 1, timeout=window):
            return False
        try:
            hits = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window)
            return False
    except Exception as exc:
        degraded("rate_limit", exc)
        return False
    return hits > limit


# --- The SQL counts, while the cache is down ------------------------------------------------

# Until when this process knows SQL counts may be in force (it made some, or the cache said so).
_sql_counts_until = 0.0
_sql_counts_announced = 0.0  # what this process last wrote to the cache's mark


def _sql_counts_in_force(now: float) -> bool:
    return _sql_counts_until > now


def _mark_sql_counts(cached_until: float) -> None:
    """Called with the cache's mark on every lookup that reached it: learn it, or, after this
    process counted in SQL, tell the others (once, on the first lookup after the outage)."""
    global _sql_counts_until, _sql_counts_announced
    if cached_until > _sql_counts_until:
        _sql_counts_until = cached_until
    elif _sql_counts_until > cached_until and _sql_counts_until > _sql_counts_announced:
        cache.set(_SQL_UNTIL, _sql_counts_until, timeout=math.ceil(_sql_counts_until - time.time()) + 1)
        _sql_counts_announced = _sql_counts_until


def _sql_key(kind: str, email: str, ip: str) -> str:
    return f"{kind}:{_digest(normalize_email(email)) if email else ''}:{_digest(ip) if ip else ''}"


def _moment(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def _sql_count(kind: str, email: str, ip: str, now: float) -> tuple[int, float]:
    """One more failure in SQL; the count and when its window ends (a new one after the last ended)."""
    key = _sql_key(kind, email, ip)
    moment = _moment(now)
    with transaction.atomic():
        if not SignInFailureCount.objects.filter(key=key, ends__gt=moment).update(failures=F("failures") + 1):
            ends = _moment(now + settings.LOGIN_LOCKOUT_WINDOW)
            fresh = {"kind": kind, "email": email, "ip": ip, "failures": 1, "ends": ends}
            try:
                with transaction.atomic():
                    SignInFailureCount.objects.update_or_create(key=key, ends__lte=moment, defaults=fresh)
            except IntegrityError:  # a concurrent failure started the window first
                SignInFailureCount.objects.filter(key=key).update(failures=F("failures") + 1)
        row = SignInFailureCount.objects.get(key=key)
    return row.failures, row.ends.timestamp()


def _sql_record_failure(*, email: str, ip: str, now: float) -> None:
    global _sql_counts_until
    email = normalize_email(email)
    Kind = SignInFailureCount.Kind
    _sql_count(Kind.ACCOUNT, email, "", now)
    _sql_count(Kind.PAIR, email, ip, now)
    address, _ = _sql_count(Kind.ADDRESS, "", ip, now)
    wait = backoff_seconds(address)
    if wait:
        SignInFailureCount.objects.update_or_create(
            key=_sql_key(Kind.WAIT, "", ip),
            defaults={"kind": Kind.WAIT, "ip": ip, "failures": address, "ends": _moment(now + wait)},
        )
    _sql_counts_until = max(_sql_counts_until, now + settings.LOGIN_LOCKOUT_WINDOW + settings.LOGIN_BACKOFF_MAX)
    # Ended windows go with the next outage's failures: the table holds only what is in force.
    SignInFailureCount.objects.filter(ends__lte=_moment(now)).delete()


def _sql_until(email: str, ip: str, now: float) -> float:
    """When the lock or wait counted in SQL for this account from this address ends (0: none)."""
    email = normalize_email(email)
    Kind = SignInFailureCount.Kind
    limits = {
        _sql_key(Kind.ACCOUNT, email, ""): settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT,
        _sql_key(Kind.PAIR, email, ip): settings.LOGIN_LOCKOUT_PAIR_LIMIT,
        _sql_key(Kind.WAIT, "", ip): 0,
    }
    rows = SignInFailureCount.objects.filter(key__in=limits, ends__gt=_moment(now))
    return max((row.ends.timestamp() for row in rows if row.failures >= limits[row.key]), default=0.0)


def _sql_locks(now: float) -> list[LockEntry]:
    Kind = SignInFailureCount.Kind
    limits = {Kind.ACCOUNT: settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT, Kind.PAIR: settings.LOGIN_LOCKOUT_PAIR_LIMIT}
    entries = []
    for row in SignInFailureCount.objects.filter(ends__gt=_moment(now)).exclude(kind=Kind.ADDRESS):
        if row.kind == Kind.WAIT or row.failures >= limits[row.kind]:
            kind: Any = "address" if row.kind == Kind.WAIT else row.kind
            left = math.ceil(row.ends.timestamp() - now)
            entries.append(LockEntry(kind=kind, email=row.email, ip=row.ip, failures=row.failures, retry_after=left))
    return entries
