"""Comments written straight into the database, for tests that need many or need a state the
services reach only through several steps. Behaviour is tested through the services."""

from __future__ import annotations

import factory

from apps.blog.models import Comment, CommentBan
from tests.core.factories import UserFactory


class CommentFactory(factory.django.DjangoModelFactory):
    """``CommentFactory(post=post)`` is a published comment; ``parent=`` makes it a reply."""

    class Meta:
        model = Comment

    post = factory.LazyAttribute(lambda o: o.parent.post)  # give post= for a top-level comment
    author = factory.SubFactory(UserFactory)
    parent = None
    body = factory.Sequence(lambda n: f"Comment number {n}")
    status = Comment.Status.APPROVED
    depth = factory.LazyAttribute(lambda o: o.parent.depth + 1 if o.parent else 0)


class CommentBanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommentBan

    user = factory.SubFactory(UserFactory)
    reason = "Spam"
