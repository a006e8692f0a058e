"""Course reviews: a rating (1-5) and a text by the course's learners, kept in the document store
(collection ``lms_reviews``, as the shop's product reviews), shown on the course's landing page.

Who may review is the policy's (``permissions.review_refusal``): an active learner who has done at
least one lesson, so a rating comes from someone who saw the course. One review per learner and
course: its ``_id`` is ``"<course id>:<user id>"``; writing again edits it. Reviews show at once
(a learner is a known, enrolled account, unlike a shop's anonymous public); staff hide an abusive
one with a reason, which its author still sees. ``Course.rating_average`` and ``rating_count``
follow the shown reviews on every write, for the catalogue's cards.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pymongo import ASCENDING, DESCENDING, IndexModel

from apps.core.platform import documents
from apps.lms import permissions
from apps.lms.models import Course, Enrolment

COLLECTION = "lms_reviews"
SHOWN, HIDDEN = "shown", "hidden"
MAX_TEXT = 3000
MAX_REASON = 300
SHOWN_ON_PAGE = 10

documents.register_indexes(
    COLLECTION,
    [IndexModel([("course_id", ASCENDING), ("status", ASCENDING), ("updated_at", DESCENDING)])],
)


def _reviews() -> Any:
    return documents.collection(COLLECTION)


def _key(course_id: int, user_id: int) -> str:
    return f"{course_id}:{user_id}"


def _clean(rating: Any, text: str) -> tuple[int, str]:
    try:
        stars = int(rating)
    except (TypeError, ValueError):
        stars = 0
    errors: dict[str, str] = {}
    if not 1 <= stars <= 5:
        errors["rating"] = "Choose a rating from 1 to 5 stars."
    text = str(text or "").replace("\r\n", "\n").strip()
    if not text:
        errors["text"] = "Say a few words about the course."
    elif len(text) > MAX_TEXT:
        errors["text"] = f"Keep it under {MAX_TEXT} characters."
    if errors:
        raise ValidationError(errors)
    return stars, text


def review_save(
    *, user: Any, course: Course, enrolment: Enrolment | None, lessons_done: int, rating: Any, text: str
) -> dict[str, Any]:
    """Write ``user``'s review of ``course`` (a new one, or their earlier one edited; a hidden one
    stays hidden). Refused (PermissionDenied with the reason) for who may not review."""
    refusal = permissions.review_refusal(user, course, enrolment=enrolment, lessons_done=lessons_done)
    if refusal:
        raise PermissionDenied(refusal)
    stars, text = _clean(rating, text)
    now = timezone.now()
    key = _key(course.pk, user.pk)
    earlier = _reviews().find_one({"_id": key}) or {"status": SHOWN, "created_at": now}
    # The whole document is written (a new one, or their earlier one edited, keeping its status
    # and first date): the embedded store keeps dates given to $set as text, not as dates.
    document = {
        **earlier,
        "_id": key,
        "course_id": course.pk,
        "user_id": user.pk,
        "rating": stars,
        "text": text,
        "author": user.get_short_name()[:120],
        "updated_at": now,
    }
    _reviews().replace_one({"_id": key}, document, upsert=True)
    rating_refresh(course)
    return review_of(user=user, course=course) or {}


def review_hide(*, actor: Any, course: Course, user_id: int, reason: str) -> dict[str, Any]:
    """Staff hide a review from the course's page, saying why (its author still sees it, and why)."""
    if not permissions.can_hide_review(actor):
        raise PermissionDenied("Staff hide reviews.")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Say why the review is hidden."})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": f"At most {MAX_REASON} characters."})
    key = _key(course.pk, user_id)
    found = _reviews().find_one({"_id": key})
    if found is None:
        raise ValidationError("No such review.", code="missing")
    hidden = {"status": HIDDEN, "hidden_by": actor.pk, "hidden_reason": reason, "hidden_at": timezone.now()}
    _reviews().replace_one({"_id": key}, {**found, **hidden})
    rating_refresh(course)
    return review_of(user_id=user_id, course=course) or {}


def rating_refresh(course: Course) -> tuple[Decimal | None, int]:
    """Recompute the course's average and count from its shown reviews (one aggregate)."""
    rows = list(
        _reviews().aggregate(
            [
                {"$match": {"course_id": course.pk, "status": SHOWN}},
                {"$group": {"_id": None, "sum": {"$sum": "$rating"}, "count": {"$sum": 1}}},
            ]
        )
    )
    count = rows[0]["count"] if rows else 0
    average = (Decimal(rows[0]["sum"]) / count).quantize(Decimal("0.01"), ROUND_HALF_UP) if count else None
    Course.objects.filter(pk=course.pk).update(rating_average=average, rating_count=count)
    course.rating_average, course.rating_count = average, count
    # The landing page and the catalogue's cards show them: drop their copies.
    from apps.lms.services.courses import forget_course_pages

    forget_course_pages()
    return average, count


def _listed(cursor: Any) -> list[dict[str, Any]]:
    rows = []
    for doc in cursor:
        doc["id"] = doc.pop("_id")
        for name in ("created_at", "updated_at"):
            moment: datetime = doc[name]
            doc[name] = timezone.make_aware(moment, timezone.utc) if timezone.is_naive(moment) else moment
        rows.append(doc)
    return rows


def reviews_of(course: Course, *, limit: int = SHOWN_ON_PAGE, offset: int = 0) -> list[dict[str, Any]]:
    """A course's shown reviews, newest first (one query of the store)."""
    cursor = _reviews().find({"course_id": course.pk, "status": SHOWN}).sort("updated_at", DESCENDING)
    return _listed(cursor.skip(offset).limit(limit))


def review_of(*, course: Course, user: Any = None, user_id: int | None = None) -> dict[str, Any] | None:
    """One learner's review of the course (shown or hidden), or None."""
    user_id = user_id if user_id is not None else getattr(user, "pk", None)
    if user_id is None:
        return None
    found = _listed(_reviews().find({"_id": _key(course.pk, user_id)}).limit(1))
    return found[0] if found else None
