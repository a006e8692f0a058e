"""The shop's domain events (apps/core/platform/events.py): what other apps may react to.

``commerce.order_paid`` carries the order's lines with their references, so the app that offers a
sellable (a course seat, a stream ticket; its ``reference_app``) fulfils its own lines in its
handler, and ``commerce.order_refunded`` names the lines (and quantities) to undo. Commerce itself
imports no other domain: it neither knows nor asks what a reference means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from apps.core.platform import events


@dataclass(frozen=True, kw_only=True)
class OrderLineInfo:
    line_id: int
    sku: str
    quantity: int
    shop_id: int
    reference_app: str = ""
    reference_kind: str = ""
    reference_id: str = ""

    @classmethod
    def of(cls, line: Any, quantity: int | None = None) -> OrderLineInfo:
        """What an event says of an order line (its part loaded): its quantity, or ``quantity``
        of it (a refund of some units)."""
        return cls(
            line_id=line.pk,
            sku=line.sku,
            quantity=line.quantity if quantity is None else quantity,
            shop_id=line.part.shop_id,
            reference_app=line.reference_app,
            reference_kind=line.reference_kind,
            reference_id=line.reference_id,
        )

    @classmethod
    def all_of(cls, order: Any) -> tuple[OrderLineInfo, ...]:
        """Every line of ``order``, in order (one query): what ``OrderPaid`` carries."""
        return tuple(cls.of(line) for line in order.lines.select_related("part").order_by("pk"))


def _lines() -> tuple[OrderLineInfo, ...]:
    return ()


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(events.DomainEvent):
    name: ClassVar[str] = "commerce.order_placed"
    aggregate: ClassVar[str] = "commerce.order:{order_id}"
    order_id: int
    number: str


@dataclass(frozen=True, kw_only=True)
class OrderPaid(events.DomainEvent):
    """An order's payment was captured, with every line of it."""

    name: ClassVar[str] = "commerce.order_paid"
    aggregate: ClassVar[str] = "commerce.order:{order_id}"
    order_id: int
    number: str
    user_id: int | None
    total: str
    currency: str
    lines: tuple[OrderLineInfo, ...] = field(default_factory=_lines)


@dataclass(frozen=True, kw_only=True)
class OrderRefunded(events.DomainEvent):
    """Money went back: ``lines`` name the lines and the quantities refunded (empty lines with
    ``full`` set: the whole order)."""

    name: ClassVar[str] = "commerce.order_refunded"
    aggregate: ClassVar[str] = "commerce.order:{order_id}"
    order_id: int
    number: str
    user_id: int | None
    amount: str
    currency: str
    full: bool
    lines: tuple[OrderLineInfo, ...] = field(default_factory=_lines)


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(events.DomainEvent):
    name: ClassVar[str] = "commerce.order_cancelled"
    aggregate: ClassVar[str] = "commerce.order:{order_id}"
    order_id: int
    number: str
    user_id: int | None


@dataclass(frozen=True, kw_only=True)
class OrderFulfilled(events.DomainEvent):
    """One shop sent (part of) its part of an order."""

    name: ClassVar[str] = "commerce.order_fulfilled"
    aggregate: ClassVar[str] = "commerce.order:{order_id}"
    order_id: int
    number: str
    shop_id: int
    fulfilment_id: int


@dataclass(frozen=True, kw_only=True)
class ReturnRequested(events.DomainEvent):
    """A customer asked to send back delivered units of one shop's part."""

    name: ClassVar[str] = "commerce.return_requested"
    aggregate: ClassVar[str] = "commerce.order:{order_id}"
    order_id: int
    number: str
    return_id: int


@dataclass(frozen=True, kw_only=True)
class ReturnAnswered(events.DomainEvent):
    """The shop accepted (and refunded) or declined a return request."""

    name: ClassVar[str] = "commerce.return_answered"
    aggregate: ClassVar[str] = "commerce.order:{order_id}"
    order_id: int
    number: str
    return_id: int
    approved: bool
