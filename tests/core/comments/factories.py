"""Comments written straight into the database, for tests that need many or need a state the
services reach only through several steps. Behaviour is tested through the services."""

from __future__ import annotations

import factory

from apps.core.comments.models import Comment, CommentBan
from apps.core.comments.registry import commentable_of
from tests.core.factories import UserFactory


class CommentFactory(factory.django.DjangoModelFactory):
    """``CommentFactory(target=obj)`` is a published comment on ``obj`` (an object of a
    registered kind); ``parent=`` makes it a reply on the parent's object."""

    class Meta:
        model = Comment

    class Params:
        target = None  # give target= for a top-level comment

    target_kind = factory.LazyAttribute(
        lambda o: commentable_of(o.target).kind if o.target is not None else o.parent.target_kind
    )
    target_id = factory.LazyAttribute(lambda o: o.target.pk if o.target is not None else o.parent.target_id)
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
