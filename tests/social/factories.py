from __future__ import annotations

import factory

from apps.social.models import Block, Follow, Mute, Profile
from tests.core.factories import UserFactory


class ProfileFactory(factory.django.DjangoModelFactory):
    """A person on the social network: a verified member with a handle."""

    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    handle = factory.Sequence(lambda n: f"person{n}")


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    follower = factory.SubFactory(UserFactory)
    followee = factory.SubFactory(UserFactory)


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    blocker = factory.SubFactory(UserFactory)
    blocked = factory.SubFactory(UserFactory)


class MuteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mute

    muter = factory.SubFactory(UserFactory)
    muted = factory.SubFactory(UserFactory)


# --- Posts (apps/social/models/posts.py) -------------------------------------------------------
from apps.social.models import Bookmark, Like, Mention, Post  # noqa: E402


class PostFactory(factory.django.DjangoModelFactory):
    """A public post written straight to the table (services' tests write through post_create)."""

    class Meta:
        model = Post

    author = factory.SubFactory(UserFactory)
    text = factory.Sequence(lambda n: f"Post number {n}")
    html = factory.LazyAttribute(lambda post: post.text)


class MentionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mention

    post = factory.SubFactory(PostFactory)
    user = factory.SubFactory(UserFactory)


class LikeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Like

    post = factory.SubFactory(PostFactory)
    user = factory.SubFactory(UserFactory)


class BookmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bookmark

    post = factory.SubFactory(PostFactory)
    user = factory.SubFactory(UserFactory)
