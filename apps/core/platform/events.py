"""Domain events: how one app reacts to another without importing its models.

A service publishes a typed event inside its transaction::

    @dataclass(frozen=True, kw_only=True)
    class OrderPaid(DomainEvent):
        name: ClassVar[str] = "commerce.order_paid"
        aggregate: ClassVar[str] = "commerce.order:{order_id}"
        order_id: int

    events.publish(OrderPaid(order_id=order.pk, actor_id=user.pk))

and other apps subscribe to it, usually in their ``AppConfig.ready()``::

    @events.subscribe(OrderPaid)
    def enrol_buyer(event: OrderPaid) -> None: ...

``publish`` writes the event to the outbox (``core.OutboxEvent``) in the publisher's own
transaction: an event raised in a transaction that rolls back leaves no row and is never
delivered. On commit a relay task is woken (once per transaction) and hands each event to its
durable subscribers as Celery tasks (apps/core/platform/outbox.py): at least once, in order per
aggregate and subscriber, once in effect (a ledger row per event and subscriber commits with
the handler's SQL), retried with backoff and, after ``OUTBOX_MAX_ATTEMPTS`` failures, parked as
a dead letter that staff see and retry in the admin. The activity log (the ``activity``
collection of the document store) is one such subscriber.

``after_commit`` handlers run in the committing process right after commit, best effort and
never retried: for work that keeps this process's own state true (dropping a cache the next
request of the same user reads), not for anything that must happen.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import json
import logging
import re
import string
import time
import types
import typing
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.dateparse import parse_duration
from django.utils.duration import duration_iso_string
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from apps.core.platform import documents

logger = logging.getLogger(__name__)

ACTIVITY_COLLECTION = "activity"
ACTIVITY_SUBSCRIBER = "core.activity_log"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_BASE_FIELDS = {"id", "occurred_at", "actor_id"}

documents.register_indexes(
    ACTIVITY_COLLECTION,
    [
        IndexModel([("occurred_at", DESCENDING)]),
        IndexModel([("name", ASCENDING), ("occurred_at", DESCENDING)]),
        IndexModel([("actor_id", ASCENDING), ("occurred_at", DESCENDING)]),
    ],
)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every event. Subclasses set ``name`` (``<app>.<noun>_<verb>``) and add fields.

    ``aggregate`` names what the event is about, as a format string over its fields
    (``"commerce.order:{order_id}"``): a subscriber sees the events of one aggregate in the order they
    were published. Events of different types about one thing should name it alike. Without one,
    all events of the type form one line (ordered, but one after the other).
    """

    name: ClassVar[str]
    aggregate: ClassVar[str | None] = None
    actor_id: int | None = None
    id: str = field(default_factory=lambda: _ordered_id())
    occurred_at: datetime = field(default_factory=timezone.now)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise TypeError(f"{cls.__qualname__}.name must look like 'app.noun_verb', got {name!r}")
        existing = _registry.get(name)
        if existing is not None and existing.__qualname__ != cls.__qualname__:
            raise TypeError(f"Event name {name!r} is already used by {existing.__qualname__}")
        if cls.aggregate is not None:
            known = {key for klass in cls.__mro__ for key in getattr(klass, "__annotations__", {})}
            named = {part[1] for part in string.Formatter().parse(cls.aggregate) if part[1]}
            if not named or named - known:
                raise TypeError(f"{cls.__qualname__}.aggregate must name fields of the event, got {cls.aggregate!r}")
        _registry[name] = cls

    def payload(self) -> dict[str, Any]:
        """The subclass's own fields, made JSON-safe (dates, decimals and UUIDs as strings)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in _BASE_FIELDS}
        return json.loads(json.dumps(data, default=_to_json))

    @property
    def aggregate_key(self) -> str:
        """The aggregate this event belongs to (``commerce.order:12``); the event's name by default."""
        if self.aggregate is None:
            return self.name
        return self.aggregate.format(**{f.name: getattr(self, f.name) for f in dataclasses.fields(self)})


def _ordered_id() -> str:
    # Sortable by time: BSON dates keep only milliseconds, so events of the same millisecond
    # are ordered by this id (16 hex digits of nanoseconds, then randomness for uniqueness).
    return f"{time.time_ns():016x}{uuid.uuid4().hex[:16]}"


def _to_json(value: Any) -> Any:
    # Full precision (DjangoJSONEncoder cuts datetimes to milliseconds): a subscriber rebuilds
    # the very values the publisher used.
    if isinstance(value, datetime | date | clock_time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return duration_iso_string(value)
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable in an event")


def _revive(kind: Any, value: Any) -> Any:
    """``value`` as read from JSON, turned back into ``kind`` (a field's type hint)."""
    if value is None or kind is Any:
        return value
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        for option in (arg for arg in args if arg is not type(None)):
            try:
                return _revive(option, value)
            except (TypeError, ValueError, ArithmeticError):
                continue
        return value
    if origin in (list, set, frozenset) and args:
        return origin(_revive(args[0], item) for item in value)
    if origin is tuple and args:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_revive(args[0], item) for item in value)
        return tuple(_revive(arg, item) for arg, item in zip(args, value, strict=False))
    if origin is dict and len(args) == 2:
        return {key: _revive(args[1], item) for key, item in value.items()}
    if not isinstance(kind, type):
        return value
    if issubclass(kind, datetime):
        return datetime.fromisoformat(value)
    if issubclass(kind, date):
        return date.fromisoformat(value)
    if issubclass(kind, clock_time):
        return clock_time.fromisoformat(value)
    if issubclass(kind, timedelta):
        revived = parse_duration(value)
        if revived is None:
            raise ValueError(f"not a duration: {value!r}")
        return revived
    if issubclass(kind, Decimal):
        return Decimal(value)
    if issubclass(kind, uuid.UUID):
        return uuid.UUID(value)
    if issubclass(kind, enum.Enum):
        return kind(value)
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{key: _revive(hints.get(key, Any), item) for key, item in value.items()})
    if kind is float and isinstance(value, int):
        return float(value)
    return value


def rebuild(
    name: str, *, event_id: str, actor_id: int | None, occurred_at: datetime, payload: dict[str, Any]
) -> DomainEvent:
    """The event as its publisher made it, from what the outbox stored (types from the fields')."""
    event_type = _registry.get(name)
    if event_type is None:
        raise LookupError(f"no event type is named {name!r}")
    try:
        hints = typing.get_type_hints(event_type)
    except Exception:  # a hint naming something its module cannot resolve: values as stored
        hints = {}
    fields = {f.name for f in dataclasses.fields(event_type) if f.init}
    values = {key: _revive(hints.get(key, Any), value) for key, value in payload.items() if key in fields}
    return event_type(id=event_id, actor_id=actor_id, occurred_at=occurred_at, **values)


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Any], None]


@dataclass(frozen=True)
class Subscriber:
    """A durable subscriber: ``key`` names it in the ledger, so it must stay stable."""

    key: str
    handler: Handler
    # True: the handler's SQL commits in the transaction that marks the delivery done, so its
    # effect happens once. False: it runs outside any transaction (its effects live elsewhere,
    # like the activity log's documents) and must itself be idempotent by the event's id.
    atomic: bool = True
    # None: never parked (retried with capped backoff); otherwise OUTBOX_MAX_ATTEMPTS when 0.
    max_attempts: int | None = 0


_registry: dict[str, type[DomainEvent]] = {}
_subscribers: dict[type[DomainEvent], list[Subscriber]] = defaultdict(list)
_subscribers_by_key: dict[str, Subscriber] = {}
_after_commit: dict[type[DomainEvent], list[Handler]] = defaultdict(list)


def event_types() -> dict[str, type[DomainEvent]]:
    """Every event type defined so far, by name."""
    return dict(_registry)


def subscribe(
    event_type: type[E], *, key: str | None = None, atomic: bool = True, max_attempts: int | None = 0
) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Deliver each committed ``event_type`` (and its subclasses: ``DomainEvent`` is every event)
    to the decorated function on a worker, at least once, in order per aggregate.

    ``key`` (default ``module.qualname``) names the subscriber in the ledger and the dead letters;
    one function subscribed to several types keeps one key, so its order per aggregate spans them.
    """

    def decorator(handler: Callable[[E], None]) -> Callable[[E], None]:
        name = key or f"{handler.__module__}.{handler.__qualname__}"
        existing = _subscribers_by_key.get(name)
        if existing is not None and existing.handler is not handler:
            raise ValueError(f"subscriber key {name!r} is already taken by another handler")
        subscriber = Subscriber(key=name, handler=handler, atomic=atomic, max_attempts=max_attempts)
        _subscribers_by_key[name] = subscriber
        if all(s.key != name for s in _subscribers[event_type]):
            _subscribers[event_type].append(subscriber)
        return handler

    return decorator


def after_commit(event_type: type[E]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Run the decorated function in the committing process right after each committed
    ``event_type``: best effort (a failure is logged), not retried, not durable."""

    def decorator(handler: Callable[[E], None]) -> Callable[[E], None]:
        if handler not in _after_commit[event_type]:
            _after_commit[event_type].append(handler)
        return handler

    return decorator


def unsubscribe(event_type: type[DomainEvent], handler: Handler) -> None:
    """Forget ``handler`` for ``event_type``, as a durable subscriber and as an after-commit one."""
    if handler in _after_commit.get(event_type, []):
        _after_commit[event_type].remove(handler)
    for subscriber in list(_subscribers.get(event_type, [])):
        if subscriber.handler is handler:
            _subscribers[event_type].remove(subscriber)
            if not any(subscriber in subs for subs in _subscribers.values()):
                _subscribers_by_key.pop(subscriber.key, None)


def subscribers_of(event_type: type[DomainEvent]) -> list[Subscriber]:
    """The durable subscribers an event of this type goes to (those of its base types too)."""
    found: dict[str, Subscriber] = {}
    for klass in event_type.__mro__:
        for subscriber in _subscribers.get(klass, []):  # type: ignore[call-overload]
            found.setdefault(subscriber.key, subscriber)
    return list(found.values())


def subscriber(key: str) -> Subscriber | None:
    return _subscribers_by_key.get(key)


def _after_commit_handlers(event_type: type[DomainEvent]) -> list[Handler]:
    return [handler for klass in event_type.__mro__ for handler in _after_commit.get(klass, [])]  # type: ignore[call-overload]


def publish(event: DomainEvent, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Write ``event`` to the outbox in the current transaction on ``using``; it is delivered
    once that transaction commits (at once outside one), never if it rolls back."""
    from apps.core.platform import outbox

    outbox.store(event, using=using)
    if _after_commit_handlers(type(event)):
        transaction.on_commit(partial(_run_after_commit, event), using=using, robust=True)
    _wake_on_commit(using)


def _wake_on_commit(using: str) -> None:
    from apps.core.platform import outbox

    connection = connections[using]
    # One wake per transaction: the relay takes every waiting event. A wake that a rolled-back
    # savepoint discarded is no longer in the list, so the next event registers another.
    if connection.in_atomic_block and any(callback is outbox.wake for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(outbox.wake, using=using, robust=True)


def _run_after_commit(event: DomainEvent) -> None:
    for handler in _after_commit_handlers(type(event)):
        try:
            handler(event)
        except Exception:
            logger.exception(
                "after-commit handler %s failed on %s %s",
                getattr(handler, "__qualname__", handler),
                event.name,
                event.id,
            )


def deliver_pending(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Relay and deliver, in this process and at once, every event whose delivery is due.

    For tests and operators: a test inside its transaction sees its own outbox rows, so the
    activity log and subscribers' effects show without a worker. Returns how many were delivered.
    """
    from apps.core.platform import outbox

    return outbox.deliver_pending(using=using)


# --- The activity log: one durable subscriber to every event ---------------------------------


def _activity_document(event: DomainEvent) -> dict[str, Any]:
    return {
        "_id": event.id,
        "name": event.name,
        "actor_id": event.actor_id,
        "occurred_at": event.occurred_at,
        "payload": event.payload(),
    }


@subscribe(DomainEvent, key=ACTIVITY_SUBSCRIBER, atomic=False, max_attempts=None)
def append_to_activity_log(event: DomainEvent) -> None:
    """The event's document, keyed by its id: a repeated delivery finds it there and is done.
    An unreachable store raises, so the delivery backs off and is tried again (never parked:
    an outage is not the event's fault)."""
    with contextlib.suppress(DuplicateKeyError):
        documents.collection(ACTIVITY_COLLECTION).insert_one(_activity_document(event))


def activity_query(*, name: str | None = None, actor_id: int | None = None) -> documents.DocumentQuery:
    """The activity log, newest first, optionally narrowed to one event name or actor."""
    filter: dict[str, Any] = {}
    if name:
        filter["name"] = name
    if actor_id is not None:
        filter["actor_id"] = actor_id
    return documents.DocumentQuery(
        documents.collection(ACTIVITY_COLLECTION),
        filter,
        sort=[("occurred_at", DESCENDING), ("_id", DESCENDING)],
    )
