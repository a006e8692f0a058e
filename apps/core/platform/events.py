"""Domain events: how one app reacts to another without importing its models.

A service publishes a typed event inside its transaction::

    @dataclass(frozen=True, kw_only=True)
    class OrderPaid(DomainEvent):
        name: ClassVar[str] = "commerce.order_paid"
        order_id: int

    events.publish(OrderPaid(order_id=order.pk, actor_id=user.pk))

and other apps subscribe to it, usually in their ``AppConfig.ready()``::

    @events.subscribe(OrderPaid)
    def enrol_buyer(event: OrderPaid) -> None: ...

Delivery happens only after the transaction commits: an event raised in a transaction that
rolls back is never delivered nor logged. Every delivered event is appended to the activity
log (the ``activity`` collection of the document store), which analytics and feeds read.
A failing handler is logged and does not stop the others: the transaction that raised the
event has already committed, and one subscriber's bug must not undo another's reaction.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, ClassVar, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import PyMongoError

from apps.core.platform import documents

logger = logging.getLogger(__name__)

ACTIVITY_COLLECTION = "activity"
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
    """Base of every event. Subclasses set ``name`` (``<app>.<noun>_<verb>``) and add fields."""

    name: ClassVar[str]
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
        _registry[name] = cls

    def payload(self) -> dict[str, Any]:
        """The subclass's own fields, made JSON-safe (dates, decimals and UUIDs as strings)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in _BASE_FIELDS}
        return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _ordered_id() -> str:
    # Sortable by time: BSON dates keep only milliseconds, so events of the same millisecond
    # are ordered by this id (16 hex digits of nanoseconds, then randomness for uniqueness).
    return f"{time.time_ns():016x}{uuid.uuid4().hex[:16]}"


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Any], None]

_registry: dict[str, type[DomainEvent]] = {}
_handlers: dict[str, list[Handler]] = defaultdict(list)


def event_types() -> dict[str, type[DomainEvent]]:
    """Every event type defined so far, by name."""
    return dict(_registry)


def subscribe(event_type: type[E]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Register the decorated function to run after each committed ``event_type``."""

    def decorator(handler: Callable[[E], None]) -> Callable[[E], None]:
        if handler not in _handlers[event_type.name]:
            _handlers[event_type.name].append(handler)
        return handler

    return decorator


def unsubscribe(event_type: type[DomainEvent], handler: Handler) -> None:
    with_handler = _handlers.get(event_type.name, [])
    if handler in with_handler:
        with_handler.remove(handler)


def publish(event: DomainEvent, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Deliver ``event`` once the current transaction on ``using`` commits (at once outside one)."""
    transaction.on_commit(partial(_deliver, event), using=using, robust=True)


def _deliver(event: DomainEvent) -> None:
    try:
        documents.collection(ACTIVITY_COLLECTION).insert_one(_activity_document(event))
    except (documents.DocumentStoreError, PyMongoError) as exc:
        logger.error("could not append %s %s to the activity log: %s", event.name, event.id, exc)
    except Exception:
        logger.exception("could not append %s %s to the activity log", event.name, event.id)
    for handler in list(_handlers.get(event.name, [])):
        try:
            handler(event)
        except Exception:
            logger.exception(
                "handler %s failed on %s %s", getattr(handler, "__qualname__", handler), event.name, event.id
            )


def _activity_document(event: DomainEvent) -> dict[str, Any]:
    return {
        "_id": event.id,
        "name": event.name,
        "actor_id": event.actor_id,
        "occurred_at": event.occurred_at,
        "payload": event.payload(),
    }


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
