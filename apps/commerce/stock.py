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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from apps.commerce.models import ProductVariant, Stock


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
    row.quantity = quantity
    return row
