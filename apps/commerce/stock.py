"""Stock counts: the only code that changes ``Stock.quantity``, ``allocated`` and ``reserved``.

Each function runs inside the caller's transaction and first locks the stock rows it touches
with ``SELECT ... FOR UPDATE``, always in variant id order: two checkouts that want the same
variants queue on the first of them instead of each holding one and waiting for the other
(a deadlock). The check constraint ``allocated + reserved <= quantity`` is the last word: were
a count ever computed wrongly, the database would refuse the write rather than oversell.

    reserve   checkout begins      reserved += n   (refused with OutOfStock when not available)
    release   expiry or failure    reserved -= n
    allocate  payment captured     reserved -= n, allocated += n
    ship      fulfilment           allocated -= n, quantity -= n
    deallocate cancel/refund before shipping   allocated -= n
    restock   refund of shipped goods returned quantity += n
    set_on_hand  the owner counted the shelf    quantity = n   (never below allocated + reserved)

Product pages show each variant's counts from the cache (``shown``): read through from the
database and dropped by every change here once it commits, so a page is stale only when a read
raced a change, and then for at most SHOWN_CACHE_SECONDS (also the bound when the cache is each
process's own memory and another process changed the counts). Checkout never trusts them: it
locks and re-reads the rows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import F

from apps.commerce.models import ProductVariant, Stock
from apps.core.platform import degraded

SHOWN_CACHE_SECONDS = 10


@dataclass(frozen=True)
class Shortage:
    variant_id: int
    wanted: int
    available: int


class OutOfStock(Exception):
    """Some variants have fewer available than asked: ``shortages`` says which and how many."""

    def __init__(self, shortages: list[Shortage]) -> None:
        self.shortages = shortages
        super().__init__(", ".join(f"variant {s.variant_id}: {s.available} of {s.wanted}" for s in shortages))


def locked(variant_ids: list[int] | set[int]) -> dict[int, Stock]:
    """The stock rows of ``variant_ids``, locked in variant id order (call inside atomic)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock rows are locked inside a transaction")
    rows = Stock.objects.select_for_update().filter(variant_id__in=sorted(set(variant_ids))).order_by("variant_id")
    return {row.variant_id: row for row in rows}


def _apply(counts: Mapping[int, int], **changes: int) -> None:
    """Add ``changes[column] * n`` to each variant's row (n from ``counts``), one UPDATE per row."""
    for variant_id, n in sorted(counts.items()):
        if n:
            Stock.objects.filter(variant_id=variant_id).update(
                **{column: F(column) + sign * n for column, sign in changes.items()}
            )
    _forget_shown(list(counts))


def reserve(counts: Mapping[int, int]) -> dict[int, Stock]:
    """Hold ``counts`` (variant id -> quantity) for a checkout, or raise OutOfStock naming every
    short variant and changing nothing. A variant with no stock row has none."""
    rows = locked(list(counts))
    shortages = [
        Shortage(variant_id, wanted, rows[variant_id].available if variant_id in rows else 0)
        for variant_id, wanted in sorted(counts.items())
        if variant_id not in rows or rows[variant_id].available < wanted
    ]
    if shortages:
        raise OutOfStock(shortages)
    _apply(counts, reserved=+1)
    return rows


def release(counts: Mapping[int, int]) -> None:
    """Give back a checkout's reservation (expired, failed, abandoned)."""
    locked(list(counts))
    _apply(counts, reserved=-1)


def allocate(counts: Mapping[int, int]) -> None:
    """A paid checkout's reservation becomes an allocation (sold, not yet shipped)."""
    locked(list(counts))
    _apply(counts, reserved=-1, allocated=+1)


def ship(counts: Mapping[int, int]) -> None:
    """Allocated goods left the shop: they are no longer on hand."""
    locked(list(counts))
    _apply(counts, allocated=-1, quantity=-1)


def deallocate(counts: Mapping[int, int]) -> None:
    """A paid line cancelled or refunded before it shipped: its units are for sale again."""
    locked(list(counts))
    _apply(counts, allocated=-1)


def restock(counts: Mapping[int, int]) -> None:
    """Shipped goods came back (a return, or a refund that restocks): on hand again."""
    locked(list(counts))
    _apply(counts, quantity=+1)


class BelowCommitted(Exception):
    """The owner asked for fewer on hand than are sold or held by checkouts."""

    def __init__(self, variant_id: int, wanted: int, committed: int) -> None:
        self.variant_id, self.wanted, self.committed = variant_id, wanted, committed
        super().__init__(
            f"{committed} of these are sold or held by checkouts in progress: the stock cannot go below {committed}."
        )


def set_on_hand(variant_id: int, quantity: int) -> Stock:
    """Set how many of a variant the shop has (its owner counted them), under the row's lock.

    Refused with BelowCommitted when ``quantity`` is below what is allocated and reserved (those
    units are promised to buyers). A variant without a stock row gets one."""
    if quantity < 0:
        raise BelowCommitted(variant_id, quantity, 0)
    rows = locked([variant_id])
    row = rows.get(variant_id)
    if row is None:
        # Lock the variant instead, so two first counts do not both create the row.
        ProductVariant.objects.select_for_update().filter(pk=variant_id).first()
        row, _ = Stock.objects.get_or_create(variant_id=variant_id)
    committed = row.allocated + row.reserved
    if quantity < committed:
        raise BelowCommitted(variant_id, quantity, committed)
    Stock.objects.filter(pk=row.pk).update(quantity=quantity)
    _forget_shown([variant_id])
    row.quantity = quantity
    return row


# --- The counts pages show --------------------------------------------------------------------


def _cache() -> Any:
    return caches[settings.PAGE_CACHE_ALIAS]


def _shown_key(variant_id: int) -> str:
    return f"commerce:stock:{variant_id}"


def _forget_shown(variant_ids: list[int]) -> None:
    # Now and again after the commit (as pagecache.invalidate does): a page read between the two
    # would otherwise keep the counts from before the change.
    keys = [_shown_key(variant_id) for variant_id in variant_ids]

    def drop() -> None:
        try:
            _cache().delete_many(keys)
        except Exception as exc:
            degraded.degraded("stock_cache", exc)

    drop()
    transaction.on_commit(drop, robust=True)


def shown_available(variant_ids: list[int]) -> dict[int, int]:
    """How many of each of ``variant_ids`` are available, as pages show it (``shown``), without
    building rows (the product page's hot path); a variant without a row is missing."""
    return {
        variant_id: max(0, quantity - allocated - reserved)
        for variant_id, (_, quantity, allocated, reserved) in _shown_counts(variant_ids).items()
    }


def shown(variant_ids: list[int]) -> dict[int, Stock]:
    """The stock rows of ``variant_ids`` as product pages show them (not locked; see the module's
    note on how fresh they are), in one cache round trip when warm and one query for the rest.
    A variant without a row is missing from the answer (and not remembered, so a row made later
    shows at once)."""
    return {
        variant_id: Stock(id=pk, variant_id=variant_id, quantity=quantity, allocated=allocated, reserved=reserved)
        for variant_id, (pk, quantity, allocated, reserved) in _shown_counts(variant_ids).items()
    }


def _shown_counts(variant_ids: list[int]) -> dict[int, tuple[int, int, int, int]]:
    # variant id -> (stock row id, quantity, allocated, reserved), from the cache else the database.
    keys = {variant_id: _shown_key(variant_id) for variant_id in variant_ids}
    try:
        found = _cache().get_many(list(keys.values())) if keys else {}
    except Exception as exc:
        degraded.degraded("stock_cache", exc)
        found = None
    counts: dict[int, tuple[int, int, int, int]] = {}
    missing = []
    for variant_id, key in keys.items():
        row = found.get(key) if found is not None else None
        if row is None:
            missing.append(variant_id)
        else:
            counts[variant_id] = row
    if missing:
        read = {
            row[0]: row[1:]
            for row in Stock.objects.filter(variant_id__in=missing).values_list(
                "variant_id", "pk", "quantity", "allocated", "reserved"
            )
        }
        counts.update(read)
        if found is not None and read:
            with contextlib.suppress(Exception):
                _cache().set_many({_shown_key(v): row for v, row in read.items()}, timeout=SHOWN_CACHE_SECONDS)
    return counts
