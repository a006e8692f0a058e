"""Product reviews: a rating (1-5) and a text from verified buyers only, kept in the document store
(collection ``commerce_reviews``), moderated by staff before anyone else reads them.

A verified buyer has a paid order line of the product that was not refunded in full. One review
per buyer and product: its ``_id`` is ``"<product id>:<user id>"``, so a second one is refused by
the store itself. A review waits (``pending``) until staff approve or reject it on the review
queue (``/shop/manage/reviews/``, and the queue's panel on the admin dashboard): the comment
engine's shared queue moderates SQL comments without ratings, so reviews keep a queue of their
own beside it, with the same rule (staff decide). ``Product.rating_average`` and
``rating_count`` are recomputed from the approved ratings on every decision, for cards and the
product page.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from apps.commerce import permissions
from apps.commerce.models import Order, OrderLine, Product
from apps.core.platform import documents

COLLECTION = "commerce_reviews"
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
MAX_TEXT = 3000
BOUGHT = (Order.Status.PAID, Order.Status.PARTIALLY_FULFILLED, Order.Status.FULFILLED, Order.Status.PARTIALLY_REFUNDED)

documents.register_indexes(
    COLLECTION,
    [
        IndexModel([("product_id", ASCENDING), ("status", ASCENDING), ("created_at", DESCENDING)]),
        IndexModel([("shop_id", ASCENDING), ("status", ASCENDING), ("created_at", DESCENDING)]),
        IndexModel([("status", ASCENDING), ("created_at", ASCENDING)]),
    ],
)


def _reviews() -> Any:
    return documents.collection(COLLECTION)


def is_verified_buyer(user: Any, product: Product) -> bool:
    """Whether ``user`` bought ``product`` in a paid order and kept at least one unit."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        OrderLine.objects.filter(order__user=user, order__status__in=BOUGHT, variant__product=product)
        .exclude(quantity_refunded__gte=F("quantity"))
        .exists()
    )


def review_create(*, user: Any, product: Product, rating: Any, text: str) -> dict[str, Any]:
    """A verified buyer's review of ``product``, waiting for moderation; a second one, a rating
    outside 1-5 or an empty text is a ValidationError, a buyer of something else PermissionDenied."""
    if not is_verified_buyer(user, product):
        raise PermissionDenied("Only customers who bought this product review it.")
    try:
        stars = int(rating)
    except (TypeError, ValueError):
        raise ValidationError("Choose a rating from 1 to 5 stars.", code="invalid_rating") from None
    if not 1 <= stars <= 5:
        raise ValidationError("Choose a rating from 1 to 5 stars.", code="invalid_rating")
    text = (text or "").strip()
    if not text:
        raise ValidationError("Say a few words about it.", code="no_text")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Keep it under {MAX_TEXT} characters.", code="too_long")
    document = {
        "_id": f"{product.pk}:{user.pk}",
        "product_id": product.pk,
        "shop_id": product.shop_id,
        "product_name": product.name,
        "user_id": user.pk,
        "author": str(user)[:120],
        "rating": stars,
        "text": text,
        "status": PENDING,
        "created_at": timezone.now(),
    }
    try:
        _reviews().insert_one(document)
    except DuplicateKeyError:
        raise ValidationError("You already reviewed this product.", code="duplicate") from None
    return document


def review_moderate(*, user: Any, review_id: str, approve: bool) -> dict[str, Any]:
    """Staff approve or reject a review; the product's average and count follow the approved ones."""
    if not permissions.is_shop_staff(user):
        raise PermissionDenied("Staff moderate reviews.")
    review = _reviews().find_one({"_id": str(review_id)})
    if review is None:
        raise ValidationError("No such review.", code="missing")
    status = APPROVED if approve else REJECTED
    _reviews().update_one(
        {"_id": review["_id"]}, {"$set": {"status": status, "moderated_by": user.pk, "moderated_at": timezone.now()}}
    )
    rating_refresh(product_id=review["product_id"])
    return {**review, "status": status}


def rating_refresh(*, product_id: int) -> tuple[Decimal | None, int]:
    """Recompute ``Product.rating_average`` / ``rating_count`` from the approved reviews."""
    ratings = [doc["rating"] for doc in _reviews().find({"product_id": product_id, "status": APPROVED}, {"rating": 1})]
    average = (
        (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if ratings else None
    )
    Product.objects.filter(pk=product_id).update(rating_average=average, rating_count=len(ratings))
    # Cards and the product page show the rating (and the page its reviews): drop their copies.
    from apps.commerce.services.catalogue import forget_catalogue_pages

    forget_catalogue_pages()
    return average, len(ratings)


def _listed(cursor: Any) -> list[dict[str, Any]]:
    rows = []
    for doc in cursor:
        doc["id"] = doc.pop("_id")
        created: datetime = doc["created_at"]
        doc["created_at"] = timezone.make_aware(created) if timezone.is_naive(created) else created
        rows.append(doc)
    return rows


def reviews_for_product(*, product_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """The approved reviews of a product, newest first (for the product page)."""
    return _listed(
        _reviews().find({"product_id": product_id, "status": APPROVED}).sort("created_at", DESCENDING).limit(limit)
    )


def reviews_pending(*, limit: int = 50) -> list[dict[str, Any]]:
    """The review queue: the oldest waiting first."""
    return _listed(_reviews().find({"status": PENDING}).sort("created_at", ASCENDING).limit(limit))


def reviews_pending_count() -> int:
    return _reviews().count_documents({"status": PENDING})


def reviews_recent_for(*, user: Any, limit: int = 5) -> list[dict[str, Any]]:
    """The newest approved reviews of the shops ``user`` runs (staff: every shop), one query."""
    query: dict[str, Any] = {"status": APPROVED}
    if not permissions.is_shop_staff(user):
        query["shop_id"] = {"$in": list(user.shops.values_list("pk", flat=True))}
    return _listed(_reviews().find(query).sort("created_at", DESCENDING).limit(limit))


def reviewed_by(*, user: Any, product_ids: list[int]) -> set[int]:
    """Which of ``product_ids`` ``user`` has already reviewed (the order page hides their forms)."""
    if not product_ids or not getattr(user, "is_authenticated", False):
        return set()
    ids = [f"{pid}:{user.pk}" for pid in product_ids]
    return {doc["product_id"] for doc in _reviews().find({"_id": {"$in": ids}}, {"product_id": 1})}
