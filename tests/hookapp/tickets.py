"""The tiny app's sellable: tickets, sold by the shop, issued and taken back by this app alone.

It declares the kind in its hook (``SellableKind("ticket", ...)``), and fulfils in its own durable
subscribers: a paid line referring to one of its tickets issues them (a document per order line
in the document store), a refund takes back the refunded quantity. Both are idempotent by key
and event id (they are not atomic with SQL: their effects live in the document store)."""

from __future__ import annotations

from apps.commerce.events import OrderPaid, OrderRefunded
from apps.core.platform import documents, events

APP, KIND = "hookapp", "ticket"
COLLECTION = "hookapp_tickets"


def tickets():  # type: ignore[no-untyped-def]
    return documents.collection(COLLECTION)


def _ours(lines):  # type: ignore[no-untyped-def]
    return [line for line in lines if line.reference_app == APP and line.reference_kind == KIND]


@events.subscribe(OrderPaid, key="hookapp.issue_tickets", atomic=False)
def issue_tickets(event: OrderPaid) -> None:
    for line in _ours(event.lines):
        tickets().update_one(
            {"_id": f"{event.order_id}:{line.line_id}"},
            {
                "$setOnInsert": {
                    "thing": line.reference_id,
                    "holder": event.user_id,
                    "quantity": line.quantity,
                    "undone": [],
                }
            },
            upsert=True,
        )


@events.subscribe(OrderRefunded, key="hookapp.take_back_tickets", atomic=False)
def take_back_tickets(event: OrderRefunded) -> None:
    for line in _ours(event.lines):
        # Once per refund event: a redelivered one finds its id among ``undone``.
        tickets().update_one(
            {"_id": f"{event.order_id}:{line.line_id}", "undone": {"$ne": event.id}},
            {"$inc": {"quantity": -line.quantity}, "$push": {"undone": event.id}},
        )
