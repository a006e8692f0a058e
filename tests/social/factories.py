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


# --- Direct messages ------------------------------------------------------------------------


def person(handle: str | None = None, **user_fields: object):  # type: ignore[no-untyped-def]
    """A member with a social profile (``handle`` or the next personN); returns the user."""
    profile = ProfileFactory(user=UserFactory(**user_fields), **({"handle": handle} if handle else {}))
    return profile.user


def follow(follower, followee) -> Follow:  # type: ignore[no-untyped-def]
    return FollowFactory(follower=follower, followee=followee)


def conversation_between(starter, *others, title: str = ""):  # type: ignore[no-untyped-def]
    """A conversation started by ``starter`` through the service (every other follows the
    starter first, so it is accepted by all rather than a request)."""
    from apps.social.services.messages import conversation_start

    for other in others:
        Follow.objects.get_or_create(follower=other, followee=starter)
    return conversation_start(starter=starter, others=list(others), title=title)


# --- Posts ------------------------------------------------------------------------------------
from apps.social.models import Bookmark, Hashtag, Like, Mention, Post, PostHashtag  # noqa: E402


class PostFactory(factory.django.DjangoModelFactory):
    """A public post by a new member, written straight to the table (``visibility``, ``author``,
    ``repost_of`` as needed; services' tests write through post_create)."""

    class Meta:
        model = Post

    author = factory.SubFactory(UserFactory)
    text = factory.Sequence(lambda n: f"Post number {n}")
    html = factory.LazyAttribute(lambda post: post.text)
    visibility = Post.Visibility.PUBLIC


def tag_post(post: Post, *names: str) -> None:
    """Give ``post`` these hashtags (as the post services would on publishing)."""
    for name in names:
        hashtag, _ = Hashtag.objects.get_or_create(name=name.lower(), defaults={"display": name})
        PostHashtag.objects.get_or_create(post=post, hashtag=hashtag, defaults={"created_at": post.created_at})


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
