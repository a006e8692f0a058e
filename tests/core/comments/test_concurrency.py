"""Reports arriving at once, as real concurrent requests, on PostgreSQL's row locks."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from apps.core.comments.models import Comment, CommentFlag
from tests.utils import race

# SQLite takes one writer at a time (IMMEDIATE transactions), so nothing would race there.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL: SQLite serialises writers, so requests cannot race",
    ),
]


def test_concurrent_reports_count_each_reader_once_and_hide_the_comment_exactly_at_the_threshold(
    client_for, user_with_role, comment, settings
):
    settings.COMMENT_FLAG_THRESHOLD = 6
    readers = [user_with_role(None) for _ in range(6)]
    # Six readers report at once, and the first of them sends the same report three times.
    clients = [client_for(reader) for reader in readers] + [client_for(readers[0]) for _ in range(2)]
    address = reverse("comments:flag", args=[comment.pk])

    statuses = race(lambda index: clients[index].post(address).status_code, times=len(clients))

    comment.refresh_from_db()
    assert statuses[:6] == [302] * 6, statuses
    # A repeat that arrives once the sixth report has hidden the comment no longer finds it.
    assert set(statuses[6:]) <= {302, 404}, statuses
    assert CommentFlag.objects.filter(comment=comment).count() == 6
    assert (comment.flag_count, comment.status) == (6, Comment.Status.HIDDEN)
