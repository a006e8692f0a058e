"""Online status on the social network's pages: the DM thread (each other person), the inbox (the
other person of each 1:1 conversation) and the follower/following lists, each badge as the
viewer may see it (everyone / people I follow / nobody; never across a block; never anonymous),
read in one batch lookup per page however long it is."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.core.platform import presence
from apps.social.models import Follow, Profile
from tests.social.factories import BlockFactory, conversation_between, person
from tests.social.presence_helpers import presence_lookups

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
Audience = Profile.Presence


@pytest.fixture(autouse=True)
def _presence_forgotten() -> None:
    # The embedded store is presence's own local-memory cache, which the suite's clean slate does not empty.
    presence.reset_local()


def online(user, audience: str = Audience.EVERYONE):  # type: ignore[no-untyped-def]
    Profile.objects.filter(user=user).update(presence_audience=audience)
    presence.service().heartbeat(user.pk, f"tab-{user.pk}")
    return user


def client_of(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def badge(user) -> str:  # type: ignore[no-untyped-def]
    return f'data-presence="{user.pk}"'


# --- The thread -----------------------------------------------------------------------------


@pytest.fixture
def ana():  # type: ignore[no-untyped-def]
    return person("ana", display_name="Ana")


@pytest.fixture
def ben():  # type: ignore[no-untyped-def]
    return person("ben", display_name="Ben")


def thread_url(conversation) -> str:  # type: ignore[no-untyped-def]
    return reverse("social:message-thread", args=[conversation.pk])


def test_a_thread_shows_the_other_persons_live_badge_beside_their_name(ana, ben):
    pair = conversation_between(ana, online(ben))

    body = client_of(ana).get(thread_url(pair)).content.decode()

    assert badge(ben) in body and "Online" in body
    # The name stays apart from the badge (social-messages.js reads it for "is typing").
    assert f'data-presence-user="{ben.pk}"><span data-person-name>Ben</span>' in body
    assert badge(ana) not in body  # one's own status is not shown to oneself here


def test_a_thread_shows_offline_with_last_seen_once_they_leave(ana, ben):
    pair = conversation_between(ana, online(ben))
    presence.service().disconnect(ben.pk, f"tab-{ben.pk}")

    body = client_of(ana).get(thread_url(pair)).content.decode()

    assert badge(ben) in body and "Offline" in body and "last seen" in body


def test_a_thread_hides_the_status_of_someone_who_shows_it_to_nobody(ana, ben):
    pair = conversation_between(ana, online(ben, Audience.NOBODY))

    body = client_of(ana).get(thread_url(pair)).content.decode()

    assert badge(ben) not in body
    assert "Ben" in body  # the person is listed, without a status


def test_people_i_follow_shows_it_only_to_those_the_subject_follows(ana, ben):
    carl = person("carl", display_name="Carl")
    pair = conversation_between(ana, online(ben, Audience.FOLLOWING), carl)  # ben follows ana (the starter)

    assert badge(ben) in client_of(ana).get(thread_url(pair)).content.decode()
    assert badge(ben) not in client_of(carl).get(thread_url(pair)).content.decode()  # ben does not follow carl


def test_a_block_hides_the_status_in_the_thread(ana, ben):
    pair = conversation_between(ana, online(ben))
    BlockFactory(blocker=ben, blocked=ana)

    response = client_of(ana).get(thread_url(pair))

    assert response.status_code == 200 and "You cannot message this person" in response.content.decode()
    assert badge(ben) not in response.content.decode()


def test_a_group_thread_shows_each_other_persons_badge_in_one_lookup(ana, ben):
    others = [online(person(display_name=f"P{i}")) for i in range(4)]
    group = conversation_between(ana, ben, *others, title="Crew")

    with presence_lookups() as counted:
        body = client_of(ana).get(thread_url(group)).content.decode()

    assert all(badge(other) in body for other in others)
    assert badge(ben) in body  # never seen: offline, no last seen
    assert counted["reads"] == 1
    if settings.REDIS_URL:
        assert counted["round_trips"] == 1


def test_loading_older_messages_with_htmx_still_returns_only_the_messages(ana, ben):
    from apps.social.services import messages as services

    pair = conversation_between(ana, online(ben))
    sent = [services.message_send(sender=ana, conversation=pair, body=f"m{i}") for i in range(3)]

    response = client_of(ana).get(thread_url(pair), {"before": sent[-1].pk}, **HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert "m0" in body and badge(ben) not in body and "<html" not in body


# --- The inbox ------------------------------------------------------------------------------


def inbox(user) -> str:  # type: ignore[no-untyped-def]
    return client_of(user).get(reverse("social:messages")).content.decode()


def test_the_inbox_shows_the_other_persons_badge_for_one_to_one_conversations_only(ana, ben):
    conversation_between(ana, online(ben))
    carl, dora = online(person(display_name="Carl")), online(person(display_name="Dora"))
    conversation_between(ana, carl, dora, title="Group")

    body = inbox(ana)

    assert badge(ben) in body
    assert badge(carl) not in body and badge(dora) not in body


@pytest.mark.parametrize(
    ("audience", "ben_follows_ana", "shown"),
    [
        (Audience.EVERYONE, False, True),
        (Audience.FOLLOWING, True, True),
        (Audience.FOLLOWING, False, False),
        (Audience.NOBODY, True, False),
    ],
)
def test_the_inbox_badge_follows_the_persons_setting(ana, ben, audience, ben_follows_ana, shown):
    conversation_between(ben, online(ana))  # ana follows ben (the starter), so it is accepted
    online(ben, audience)
    if ben_follows_ana:
        Follow.objects.get_or_create(follower=ben, followee=ana, defaults={"state": Follow.State.ACCEPTED})

    assert (badge(ben) in inbox(ana)) is shown


def test_the_inbox_never_shows_a_status_across_a_block(ana, ben):
    conversation_between(ana, online(ben))
    BlockFactory(blocker=ana, blocked=ben)

    assert badge(ben) not in inbox(ana)


def test_the_inbox_reads_everyones_status_in_one_lookup_and_flat_queries(ana, django_assert_max_num_queries):
    for i in range(2):
        conversation_between(ana, online(person(display_name=f"Few{i}")))
    client = client_of(ana)
    url = reverse("social:messages")
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    many = [online(person(display_name=f"Many{i}")) for i in range(8)]
    for other in many:
        conversation_between(ana, other)

    with django_assert_max_num_queries(len(few.captured_queries)), presence_lookups() as counted:
        body = client.get(url).content.decode()

    assert all(badge(other) in body for other in many)
    assert counted["reads"] == 1
    if settings.REDIS_URL:
        assert counted["round_trips"] == 1


# --- Follower and following lists -----------------------------------------------------------


@pytest.fixture
def ada():  # type: ignore[no-untyped-def]
    return person("ada", display_name="Ada").social_profile


def fans_of(profile, count: int, audience: str = Audience.EVERYONE) -> list:  # type: ignore[no-untyped-def]
    fans = [online(person(display_name=f"Fan{i}"), audience) for i in range(count)]
    for fan in fans:
        Follow.objects.create(follower=fan, followee=profile.user, state=Follow.State.ACCEPTED)
    return fans


def followers_url(profile) -> str:  # type: ignore[no-untyped-def]
    return reverse("people:followers", args=[profile.handle])


def test_a_follower_list_shows_a_badge_per_person_who_shows_it(ada):
    viewer = person(display_name="Viewer")
    shown = fans_of(ada, 2)
    hidden = fans_of(ada, 1, Audience.NOBODY)
    only_followed = fans_of(ada, 1, Audience.FOLLOWING)  # they do not follow the viewer

    body = client_of(viewer).get(followers_url(ada)).content.decode()

    assert all(badge(fan) in body for fan in shown)
    assert badge(hidden[0]) not in body and badge(only_followed[0]) not in body


def test_people_i_follow_on_a_list_means_they_follow_the_viewer(ada):
    viewer = person(display_name="Viewer")
    (fan,) = fans_of(ada, 1, Audience.FOLLOWING)
    Follow.objects.create(follower=fan, followee=viewer, state=Follow.State.ACCEPTED)

    assert badge(fan) in client_of(viewer).get(followers_url(ada)).content.decode()


def test_the_following_list_shows_badges_too(ada):
    viewer = person(display_name="Viewer")
    followed = online(person(display_name="Star"))
    Follow.objects.create(follower=ada.user, followee=followed, state=Follow.State.ACCEPTED)

    body = client_of(viewer).get(reverse("people:following", args=[ada.handle])).content.decode()

    assert badge(followed) in body


def test_anonymous_visitors_see_the_list_without_any_status(client, ada):
    fans = fans_of(ada, 2)

    body = client.get(followers_url(ada)).content.decode()

    assert "Fan0" in body and not any(badge(fan) in body for fan in fans)


def test_a_list_never_shows_the_status_of_someone_blocked_either_way(ada):
    viewer = person(display_name="Viewer")
    blocking, blocked = fans_of(ada, 2)
    BlockFactory(blocker=blocking, blocked=viewer)
    BlockFactory(blocker=viewer, blocked=blocked)

    body = client_of(viewer).get(followers_url(ada)).content.decode()

    assert badge(blocking) not in body and badge(blocked) not in body


def test_the_htmx_page_of_a_list_carries_its_badges(ada):
    viewer = person(display_name="Viewer")
    fans = fans_of(ada, 2)

    response = client_of(viewer).get(followers_url(ada), **HTMX)

    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="people-list"' in body and all(badge(fan) in body for fan in fans)


def test_a_list_reads_everyones_status_in_one_lookup_and_flat_queries(ada, django_assert_max_num_queries):
    viewer = person(display_name="Viewer")
    client = client_of(viewer)
    fans_of(ada, 2)
    with django_assert_max_num_queries(20) as few:
        client.get(followers_url(ada))
    more = fans_of(ada, 15)

    with django_assert_max_num_queries(len(few.captured_queries)), presence_lookups() as counted:
        body = client.get(followers_url(ada)).content.decode()

    assert all(badge(fan) in body for fan in more)
    assert counted["reads"] == 1
    if settings.REDIS_URL:
        assert counted["round_trips"] == 1


def test_the_blocked_and_muted_settings_list_shows_no_status(ada):
    from tests.social.factories import MuteFactory

    muted = online(person(display_name="Muted"))
    MuteFactory(muter=ada.user, muted=muted)

    body = client_of(ada.user).get(reverse("social:settings-blocked")).content.decode()

    assert "Muted" in body and badge(muted) not in body
