import pytest
from django.db import IntegrityError, transaction

from apps.social import relations
from apps.social.models import Follow, Profile
from tests.core.factories import UserFactory
from tests.social.factories import BlockFactory, FollowFactory, MuteFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def test_a_handle_is_unique_whatever_its_case():
    ProfileFactory(handle="Ada")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProfileFactory(handle="ada")
    assert Profile.objects.count() == 1


def test_nobody_follows_blocks_or_mutes_themselves():
    user = UserFactory()
    for factory, fields in (
        (FollowFactory, {"follower": user, "followee": user}),
        (BlockFactory, {"blocker": user, "blocked": user}),
        (MuteFactory, {"muter": user, "muted": user}),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            factory(**fields)


def test_only_an_accepted_follow_counts():
    ada, bob = UserFactory(), UserFactory()
    FollowFactory(follower=ada, followee=bob, state=Follow.State.PENDING)
    assert not relations.follows(ada, bob)
    assert relations.follow_state(ada, bob) == "pending"
    assert relations.following_ids(ada) == set() and relations.follower_ids(bob) == set()
    Follow.objects.update(state=Follow.State.ACCEPTED)
    assert relations.follows(ada, bob) and not relations.follows(bob, ada)
    assert relations.following_ids(ada) == {bob.pk} and relations.follower_ids(bob) == {ada.pk}


def test_a_block_hides_both_ways_and_a_mute_one_way():
    ada, bob, cy = UserFactory(), UserFactory(), UserFactory()
    BlockFactory(blocker=ada, blocked=bob)
    MuteFactory(muter=ada, muted=cy)
    assert relations.blocked_between(ada, bob) and relations.blocked_between(bob, ada)
    assert relations.blocked_ids(bob) == {ada.pk} and relations.blocked_ids(ada) == {bob.pk}
    assert relations.muted_ids(ada) == {cy.pk} and relations.muted_ids(cy) == set()


def test_visitors_relate_to_nobody(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    bob = UserFactory()
    with django_assert_num_queries(0):
        assert not relations.follows(AnonymousUser(), bob)
        assert relations.blocked_ids(AnonymousUser()) == set()
        assert relations.muted_ids(AnonymousUser()) == set()
