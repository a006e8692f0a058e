"""The social demo: profiles for the demo accounts, some sixty posts with images, hashtags and
replies, once however often it runs."""

from __future__ import annotations

import pytest

from apps.social import demo
from apps.social.models import Hashtag, Post, PostImage, Profile
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_profiles_and_posts_once(client):
    for email in demo.CORE_DEMO_EMAILS:
        UserFactory(email=email)
    demo.seed_demo(write=lambda line: None)
    counts = (Profile.objects.count(), Post.objects.count(), PostImage.objects.count())
    demo.seed_demo(write=lambda line: None)
    assert (Profile.objects.count(), Post.objects.count(), PostImage.objects.count()) == counts
    assert counts[0] == len(demo.CORE_DEMO_EMAILS)
    assert Post.objects.filter(repost_of__isnull=True).count() >= demo.POSTS
    assert counts[2] >= 10 and not PostImage.objects.filter(alt="").exists()
    assert Hashtag.objects.exists() and Post.objects.filter(reply_to__isnull=False).exists()
    profile = Profile.objects.first()
    assert client.get(profile.get_absolute_url()).status_code == 200
