"""Revision documents: every saved version of every publishable object, in the document store.

One document per revision, keyed by ``<model label>:<object pk>:<number>`` so a retried write
(after a failed SQL commit) replaces itself instead of duplicating the number.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from apps.core.platform import documents
from apps.core.publishing.models import Publishable

COLLECTION = "revisions"

documents.register_indexes(
    COLLECTION,
    [IndexModel([("model", ASCENDING), ("object_id", ASCENDING), ("number", DESCENDING)])],
)


def _key(obj: Publishable, number: int) -> str:
    return f"{obj.content_label()}:{obj.pk}:{number}"


def revision_write(
    *,
    obj: Publishable,
    number: int,
    content: dict[str, Any],
    author_id: int | None,
    created_at: datetime,
    based_on: int,
    kind: str,
    message: str = "",
) -> dict[str, Any]:
    document = {
        "_id": _key(obj, number),
        "model": obj.content_label(),
        "object_id": str(obj.pk),
        "number": number,
        "content": content,
        "author_id": author_id,
        "created_at": created_at,
        "based_on": based_on,
        "kind": kind,
        "message": message,
    }
    documents.collection(COLLECTION).replace_one({"_id": document["_id"]}, document, upsert=True)
    return document


def revision_read(obj: Publishable, number: int) -> dict[str, Any] | None:
    return documents.collection(COLLECTION).find_one({"_id": _key(obj, number)})


def revision_read_latest(objs: Iterable[Publishable]) -> dict[Any, dict[str, Any]]:
    """The newest revision of each object, by the object's pk, in one query (lists of drafts
    show each draft's own title, not the row's published one)."""
    keys = {_key(obj, obj.latest_revision): obj.pk for obj in objs if obj.latest_revision}
    if not keys:
        return {}
    found = documents.collection(COLLECTION).find({"_id": {"$in": list(keys)}})
    return {keys[document["_id"]]: document for document in found}


def revision_history(obj: Publishable, *, limit: int = 200) -> list[dict[str, Any]]:
    """Revisions of ``obj``, newest first, without their content (the history list needs none)."""
    cursor = (
        documents.collection(COLLECTION)
        .find({"model": obj.content_label(), "object_id": str(obj.pk)}, {"content": 0})
        .sort("number", DESCENDING)
        .limit(limit)
    )
    return list(cursor)
