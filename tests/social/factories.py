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
