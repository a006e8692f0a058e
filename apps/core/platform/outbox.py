"""The transactional outbox: how a committed domain event reaches its durable subscribers.

1. ``store`` writes the event (``OutboxEvent``) in the publisher's transaction; on commit
   ``wake`` sends one ``core.outbox_relay`` task. A broker error there is logged, never raised:
   the row is safe and the beat sweep relays it a few seconds later.
2. ``relay`` turns each unrelayed event into one ``EventDelivery`` per subscriber and sends one
   ``core.outbox_deliver`` task per (subscriber, aggregate). Relays run one at a time (an
   advisory lock on PostgreSQL, the single writer on SQLite), so deliveries are made in the
   events' order.
3. ``deliver_pair`` works through a subscriber's pending deliveries of one aggregate in order:
   it claims the earliest (a lease, one attempt counted, committed), runs the handler and marks
   the row delivered in one transaction (for SQL subscribers: effect and ledger mark commit
   together, so a killed attempt leaves nothing and the next one's effect happens once). A
   failure backs off exponentially (a task sent with a countdown) and holds back the later events
   of that aggregate; after the subscriber's attempts run out the row becomes a dead letter and
   the aggregate moves on.
4. ``sweep`` (beat, every ``OUTBOX_SWEEP_SECONDS``) relays what no wake relayed and sends again
   what is due but has no task on its way: a retry whose task was lost, an attempt whose worker
   died (its lease expired), a message the filesystem transport dropped with its reader. Safe to
   run twice at once: claims lock rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and a second
   task for a pair finds nothing to claim.
5. ``prune`` (beat, hourly) deletes ledger rows and relayed events older than
   ``OUTBOX_RETENTION_DAYS``; dead letters and their events stay until staff act.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from apps.core.models import EventDelivery, OutboxEvent
from apps.core.platform import events

logger = logging.getLogger(__name__)

Status = EventDelivery.Status
RELAY_BATCH = 500
# pg_advisory_xact_lock key of the relay (any constant of our own: "outbox" in ASCII).
_RELAY_LOCK = 0x6F7574626F78


# --- Writing -----------------------------------------------------------------------------


def store(event: events.DomainEvent, *, using: str = DEFAULT_DB_ALIAS) -> OutboxEvent:
    """The event's outbox row, in the current transaction."""
    return OutboxEvent.objects.using(using).create(
        event_id=event.id,
        name=event.name,
        aggregate=event.aggregate_key[:200],
        actor_id=event.actor_id,
        occurred_at=event.occurred_at,
        payload=event.payload(),
    )


def wake() -> None:
    """Ask a worker to relay now (after a commit). The sweep covers a wake that is lost."""
    from apps.core.platform import jobs
    from apps.core.platform.tasks import outbox_relay

    jobs.nudge(outbox_relay)


# --- Relaying ----------------------------------------------------------------------------


def _serialise_relays(using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RELAY_LOCK])


def relay_batch(*, using: str = DEFAULT_DB_ALIAS, limit: int = RELAY_BATCH) -> tuple[int, set[tuple[str, str]]]:
    """Make the deliveries of up to ``limit`` unrelayed events: how many events, and the
    (subscriber, aggregate) pairs that got a delivery."""
    now = timezone.now()
    pairs: set[tuple[str, str]] = set()
    with transaction.atomic(using=using):
        _serialise_relays(using)
        rows = list(
            OutboxEvent.objects.using(using)
            .select_for_update(skip_locked=True)
            .filter(relayed_at__isnull=True)
            .order_by("id")[:limit]
        )
        if not rows:
            return 0, pairs
        deliveries = []
        for row in rows:
            event_type = events.event_types().get(row.name)
            for subscriber in events.subscribers_of(event_type) if event_type else []:
                deliveries.append(
                    EventDelivery(
                        event=row,
                        subscriber=subscriber.key,
                        aggregate=row.aggregate,
                        seq=row.pk,
                        next_attempt_at=now,
                        enqueued_at=now,
                    )
                )
                pairs.add((subscriber.key, row.aggregate))
            if event_type is None:
                logger.error("outbox event %s names no known event type %r; nobody receives it", row.pk, row.name)
        EventDelivery.objects.using(using).bulk_create(deliveries, ignore_conflicts=True)
        OutboxEvent.objects.using(using).filter(pk__in=[row.pk for row in rows]).update(relayed_at=now)
    return len(rows), pairs


def relay(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Relay every waiting event, sending a delivery task per pair; how many events it relayed."""
    relayed = 0
    while True:
        count, pairs = relay_batch(using=using)
        if not count:
            return relayed
        for subscriber, aggregate in sorted(pairs):
            _send_deliver(subscriber, aggregate)
        relayed += count


def _send_deliver(subscriber: str, aggregate: str, *, countdown: float | None = None) -> bool:
    from apps.core.platform import jobs
    from apps.core.platform.tasks import outbox_deliver

    # A task that cannot be sent is sent again by the sweep once it is due.
    return jobs.send_after(outbox_deliver, countdown, subscriber, aggregate)


# --- Delivering --------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    pk: int
    token: str
    attempts: int
    row: EventDelivery  # as claimed, with its event


def _claim_next(subscriber_key: str, aggregate: str, *, using: str) -> Claim | None:
    """Lease the pair's earliest pending delivery, if it is due and nobody holds it.

    Only the earliest: were it skipped (locked, leased, backing off), a later event of the
    aggregate would overtake it.
    """
    pending = EventDelivery.objects.using(using).filter(
        subscriber=subscriber_key, aggregate=aggregate, status=Status.PENDING
    )
    tried: set[int] = set()
    for _round in range(3):
        now = timezone.now()
        with transaction.atomic(using=using):
            head = pending.order_by("seq").values_list("pk", flat=True).first()
            if head is None or head in tried:
                return None  # nothing waits, or the head is locked by another worker's claim
            tried.add(head)
            locked = pending.select_for_update(skip_locked=True, of=("self",)).select_related("event")
            row = locked.filter(pk=head).first()
            if row is None:
                continue  # delivered meanwhile, or locked: look at the head again
            if row.next_attempt_at > now or (row.lease_until is not None and row.lease_until > now):
                return None  # backing off, or another worker's attempt is under way
            row.attempts += 1
            row.lease_token = uuid.uuid4().hex
            row.lease_until = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
            row.save(update_fields=["attempts", "lease_token", "lease_until"])
            return Claim(pk=row.pk, token=row.lease_token, attempts=row.attempts, row=row)
    return None


def _event_of(row: EventDelivery) -> events.DomainEvent:
    stored = row.event
    return events.rebuild(
        stored.name,
        event_id=stored.event_id,
        actor_id=stored.actor_id,
        occurred_at=stored.occurred_at,
        payload=stored.payload,
    )


def _finish(row: EventDelivery) -> None:
    row.status = Status.DELIVERED
    row.delivered_at = timezone.now()
    row.lease_until = None
    row.last_error = ""
    row.save(update_fields=["status", "delivered_at", "lease_until", "last_error"])


class _LeaseLost(Exception):
    """Another attempt took this delivery over (our lease expired): leave it to that one."""


def _attempt(claim: Claim, *, using: str) -> bool:
    """Run the claimed delivery; True when it is done (now or already)."""
    subscriber: events.Subscriber | None = None
    try:
        row = claim.row
        subscriber = events.subscriber(row.subscriber)
        if subscriber is None:
            raise LookupError(f"no durable subscriber is named {row.subscriber!r} (removed from the code?)")
        event = _event_of(row)
        if subscriber.atomic:
            with transaction.atomic(using=using):
                if (row := _locked(claim, using=using)) is None:
                    return True
                subscriber.handler(event)
                _finish(row)
        else:
            subscriber.handler(event)
            with transaction.atomic(using=using):
                if (row := _locked(claim, using=using)) is not None:
                    _finish(row)
        return True
    except _LeaseLost:
        return False
    except Exception as exc:
        _fail(claim, exc, subscriber, using=using)
        return False


def _locked(claim: Claim, *, using: str) -> EventDelivery | None:
    """The claimed row, locked for the handler's transaction; None if it is no longer pending."""
    row = EventDelivery.objects.using(using).select_for_update().filter(pk=claim.pk).first()
    if row is None or row.status != Status.PENDING:
        return None
    if row.lease_token != claim.token:
        raise _LeaseLost
    return row


def _backoff(attempts: int) -> float:
    base = float(settings.OUTBOX_RETRY_BACKOFF)
    return min(base * 2 ** max(attempts - 1, 0), float(settings.OUTBOX_RETRY_BACKOFF_MAX))


def _fail(claim: Claim, exc: Exception, subscriber: events.Subscriber | None, *, using: str) -> None:
    error = "".join(traceback.format_exception(exc, limit=8))[-4000:]
    now = timezone.now()
    limit = settings.OUTBOX_MAX_ATTEMPTS
    if subscriber is not None and subscriber.max_attempts != 0:
        limit = subscriber.max_attempts
    with transaction.atomic(using=using):
        row = EventDelivery.objects.using(using).select_for_update().filter(pk=claim.pk).first()
        if row is None or row.status != Status.PENDING or row.lease_token != claim.token:
            return
        row.last_error = error
        row.lease_until = None
        if limit is not None and row.attempts >= limit:
            row.status = Status.DEAD
            row.dead_at = now
            logger.error(
                "delivery %s of %s to %s is a dead letter after %s attempts: %s",
                row.pk,
                row.event_id,
                row.subscriber,
                row.attempts,
                exc,
            )
            delay = None
        else:
            delay = _backoff(row.attempts)
            row.next_attempt_at = now + timedelta(seconds=delay)
            row.enqueued_at = row.next_attempt_at
            logger.warning(
                "delivery %s of %s to %s failed (attempt %s), again in %.1f s: %s",
                row.pk,
                row.event_id,
                row.subscriber,
                row.attempts,
                delay,
                exc,
            )
        row.save(update_fields=["last_error", "lease_until", "status", "dead_at", "next_attempt_at", "enqueued_at"])
    if delay is not None:
        transaction.on_commit(lambda: _send_deliver(row.subscriber, row.aggregate, countdown=delay), using=using)


def deliver_pair(subscriber_key: str, aggregate: str, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Deliver the pair's due events in order until one fails or none is due; how many were done."""
    done = 0
    while (claim := _claim_next(subscriber_key, aggregate, using=using)) is not None:
        if _attempt(claim, using=using):
            done += 1
            continue
        row = EventDelivery.objects.using(using).filter(pk=claim.pk).values_list("status", flat=True).first()
        if row != Status.DEAD:
            break  # backing off: the later events of the aggregate wait behind it
    return done


# --- Sweeping and pruning ----------------------------------------------------------------


def _due(now: datetime) -> Q:
    resend_before = now - timedelta(seconds=settings.OUTBOX_RESEND_AFTER)
    leased = Q(lease_until__isnull=False)
    return Q(status=Status.PENDING, next_attempt_at__lte=now) & (
        (leased & Q(lease_until__lt=now))  # an attempt whose worker died
        | (~leased & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=resend_before)))  # a task lost on the way
    )


def sweep(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Relay what is waiting and send a task for every pair whose delivery is due but has none."""
    relayed = relay(using=using)
    now = timezone.now()
    with transaction.atomic(using=using):
        rows = list(
            EventDelivery.objects.using(using)
            .select_for_update(skip_locked=True)
            .filter(_due(now))
            .order_by("seq")
            .values_list("pk", "subscriber", "aggregate")[:5000]
        )
        # An expired lease is a dead attempt: forget it, and wait OUTBOX_RESEND_AFTER before the next resend.
        EventDelivery.objects.using(using).filter(pk__in=[pk for pk, _, _ in rows]).update(
            enqueued_at=now, lease_until=None
        )
    pairs = sorted({(subscriber, aggregate) for _, subscriber, aggregate in rows})
    for subscriber, aggregate in pairs:
        _send_deliver(subscriber, aggregate)
    return {"relayed": relayed, "resent": len(pairs)}


def prune(*, using: str = DEFAULT_DB_ALIAS, batch: int = 5000) -> int:
    """Delete delivered ledger rows and fully delivered events past the retention period."""
    before = timezone.now() - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    deleted = 0
    while True:
        with transaction.atomic(using=using):
            ids = list(
                EventDelivery.objects.using(using)
                .filter(status=Status.DELIVERED, delivered_at__lt=before)
                .values_list("pk", flat=True)[:batch]
            )
            count, _ = EventDelivery.objects.using(using).filter(pk__in=ids).delete()
            deleted += count
        if len(ids) < batch:
            break
    while True:
        with transaction.atomic(using=using):
            ids = list(
                OutboxEvent.objects.using(using)
                .filter(relayed_at__lt=before)
                .exclude(deliveries__status__in=[Status.PENDING, Status.DEAD])
                .values_list("pk", flat=True)[:batch]
            )
            count, _ = OutboxEvent.objects.using(using).filter(pk__in=ids).delete()
            deleted += count
        if len(ids) < batch:
            return deleted


# --- In-process delivery (tests), backlog and dead letters (operators, staff) -------------


def deliver_pending(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Relay and deliver every due delivery here and now, without a worker; how many were done."""
    done = 0
    while True:
        while relay_batch(using=using)[0]:
            pass
        now = timezone.now()
        pairs = (
            EventDelivery.objects.using(using)
            .filter(status=Status.PENDING, next_attempt_at__lte=now)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .values_list("subscriber", "aggregate")
            .distinct()
        )
        round_done = sum(deliver_pair(subscriber, aggregate, using=using) for subscriber, aggregate in list(pairs))
        done += round_done
        # A handler may publish events of its own: deliver those too, until nothing moves.
        if not round_done and not OutboxEvent.objects.using(using).filter(relayed_at__isnull=True).exists():
            return done


def retry_dead(ids: list[int], *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Put these dead letters back in line (from their first attempt) and send their tasks."""
    now = timezone.now()
    with transaction.atomic(using=using):
        rows = list(EventDelivery.objects.using(using).select_for_update().filter(pk__in=ids, status=Status.DEAD))
        EventDelivery.objects.using(using).filter(pk__in=[row.pk for row in rows]).update(
            status=Status.PENDING,
            attempts=0,
            next_attempt_at=now,
            lease_until=None,
            dead_at=None,
            enqueued_at=now,
        )
        pairs = sorted({(row.subscriber, row.aggregate) for row in rows})
        transaction.on_commit(lambda: [_send_deliver(s, a) for s, a in pairs], using=using)
    return len(rows)


def backlog(*, using: str = DEFAULT_DB_ALIAS, latest: int = 5) -> dict[str, Any]:
    """What waits: unrelayed events, pending deliveries (with the oldest's age), dead letters."""
    now = timezone.now()
    unrelayed = (
        OutboxEvent.objects.using(using)
        .filter(relayed_at__isnull=True)
        .aggregate(count=Count("id"), oldest=Min("created_at"))
    )
    pending = (
        EventDelivery.objects.using(using)
        .filter(status=Status.PENDING)
        .aggregate(count=Count("id"), oldest=Min("created_at"), retrying=Count("id", filter=Q(attempts__gt=0)))
    )
    dead = EventDelivery.objects.using(using).filter(status=Status.DEAD).select_related("event")

    def age(moment: datetime | None) -> float | None:
        return None if moment is None else round((now - moment).total_seconds(), 1)

    return {
        "unrelayed_events": unrelayed["count"],
        "oldest_unrelayed_age_seconds": age(unrelayed["oldest"]),
        "pending_deliveries": pending["count"],
        "retrying_deliveries": pending["retrying"],
        "oldest_pending_age_seconds": age(pending["oldest"]),
        "dead_letters": dead.count(),
        "latest_dead_letters": [
            {
                "id": row.pk,
                "event": row.event.name,
                "event_id": row.event.event_id,
                "subscriber": row.subscriber,
                "attempts": row.attempts,
                "dead_at": row.dead_at.isoformat() if row.dead_at else None,
                "last_error": row.last_error.strip().splitlines()[-1] if row.last_error.strip() else "",
            }
            for row in dead.order_by("-dead_at", "-pk")[:latest]
        ],
    }
