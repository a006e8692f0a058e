"""The social network's permission matrix (issue 15, item 6): every page and action under the
``social`` and ``people`` namespaces and every endpoint under /api/v1/social/, read from the URL
resolver itself, with the status each of five people gets: a visitor, a signed-in stranger, the
owner (the author, the profile's person, the conversation's participant), someone the owner
blocked, and staff. A new address, or a new method on an API view, without a row here fails
``test_every_address_has_a_row``; a method a page or endpoint has no row for must answer 405.

Each row runs against a fresh world, and each person's request in a transaction rolled back
after it, so a write never changes another's answer. "login" is a redirect to the sign-in page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from apps.core.api.auth_views import issue_tokens
from apps.social.models import Profile
from apps.social.services import messages as message_services
from apps.social.services import posts as post_services
from apps.social.services import relations
from tests.social.factories import conversation_between, person

pytestmark = pytest.mark.django_db

PEOPLE = ("anonymous", "stranger", "owner", "blocked", "staff")
API = "/api/v1/social/"


# --- Which addresses there are ---------------------------------------------------------------


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            yield prefix + str(entry.pattern), namespace, entry


def social_addresses() -> dict[str, URLPattern]:
    """Every social page's and endpoint's name (``social:post``, ``api-social-profile``)."""
    found = {}
    for route, namespace, pattern in _walk(get_resolver().url_patterns):
        if namespace in ("social", "people"):
            found[f"{namespace}:{pattern.name}"] = pattern
        elif route.startswith(API.lstrip("/")) and pattern.name:
            found[pattern.name] = pattern
    return found


HANDLERS = ("get", "post", "put", "patch", "delete")


def api_methods(pattern: URLPattern) -> set[str]:
    """The methods an API view handles (DRF's ``options`` and ``head`` aside)."""
    view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
    return {name.upper() for name in HANDLERS if view is not None and hasattr(view, name)}


# --- The world every row runs in -------------------------------------------------------------


@pytest.fixture
def world(db) -> dict[str, Any]:
    """Olive owns a locked profile with a public post (#tea) and a conversation with Pat holding
    one message of hers; Rex asks to follow her; she blocked Bert; Sam is a stranger; Stacy is
    staff (an admin)."""
    olive = person("olive", display_name="Olive Owner")
    Profile.objects.filter(user=olive).update(locked=True)
    pat = person("pat", display_name="Pat Participant")
    rex = person("rex", display_name="Rex Requester")
    cast = {
        "anonymous": None,
        "stranger": person("sam", display_name="Sam Stranger"),
        "owner": olive,
        "blocked": person("bert", display_name="Bert Blocked"),
        "staff": person("stacy", display_name="Stacy Staff", roles=["admin"]),
    }
    relations.follow_create(follower=rex, followee=olive)
    relations.block_create(blocker=olive, blocked=cast["blocked"])
    conversation = conversation_between(olive, pat)
    message = message_services.message_send(sender=olive, conversation=conversation, body="Hello Pat")
    post = post_services.post_create(author=olive, text="Tea time #tea")
    return {**cast, "post": post, "conversation": conversation, "message": message}


@dataclass(frozen=True)
class Row:
    method: str
    url: str
    data: dict[str, Any] | None = None


def rows(w: dict[str, Any]) -> dict[str, Row]:
    """(address name, method) -> the request, built on ``w``."""
    post, c, m = w["post"].pk, w["conversation"].pk, w["message"].pk
    at = f"/social/messages/{c}/"
    api_c = f"{API}conversations/{c}/"
    api_p = f"{API}posts/{post}/"
    return {
        # Relations' pages.
        "social:requests GET": Row("GET", "/social/requests/"),
        "social:request-decide POST": Row("POST", "/social/requests/rex/approve/"),
        "social:settings-profile GET": Row("GET", "/social/settings/profile/"),
        "social:settings-profile POST": Row("POST", "/social/settings/profile/", {"handle": ""}),
        "social:settings-blocked GET": Row("GET", "/social/settings/blocked/"),
        # Direct messages.
        "social:messages GET": Row("GET", "/social/messages/"),
        "social:message-new GET": Row("GET", "/social/messages/new/"),
        "social:message-new POST": Row("POST", "/social/messages/new/", {"to": "pat", "body": "Hi"}),
        "social:message-thread GET": Row("GET", at),
        "social:message-send POST": Row("POST", f"{at}send/", {"body": "Another"}),
        "social:message-read POST": Row("POST", f"{at}read/"),
        "social:message-accept POST": Row("POST", f"{at}accept/"),
        "social:message-decline POST": Row("POST", f"{at}decline/"),
        "social:message-leave POST": Row("POST", f"{at}leave/"),
        "social:message-fragment GET": Row("GET", f"{at}m/{m}/"),
        "social:message-edit POST": Row("POST", f"{at}m/{m}/edit/", {"body": "Edited"}),
        "social:message-delete POST": Row("POST", f"{at}m/{m}/delete/"),
        # Timelines.
        "social:home GET": Row("GET", "/social/"),
        "social:public GET": Row("GET", "/social/public/"),
        "social:hashtag GET": Row("GET", "/social/tags/tea/"),
        "social:trending GET": Row("GET", "/social/trending/"),
        # Posts.
        "social:compose GET": Row("GET", "/social/posts/"),
        "social:compose POST": Row("POST", "/social/posts/", {"text": "New", "visibility": "public"}),
        "social:post GET": Row("GET", f"/social/posts/{post}/"),
        "social:post-edit GET": Row("GET", f"/social/posts/{post}/edit/"),
        "social:post-edit POST": Row("POST", f"/social/posts/{post}/edit/", {"text": "Tea, edited"}),
        "social:post-history GET": Row("GET", f"/social/posts/{post}/history/"),
        "social:post-delete POST": Row("POST", f"/social/posts/{post}/delete/"),
        "social:post-like POST": Row("POST", f"/social/posts/{post}/like/"),
        "social:post-repost POST": Row("POST", f"/social/posts/{post}/repost/"),
        "social:post-bookmark POST": Row("POST", f"/social/posts/{post}/bookmark/"),
        "social:bookmarks GET": Row("GET", "/social/bookmarks/"),
        # People's own addresses.
        "people:profile GET": Row("GET", "/@olive/"),
        "people:followers GET": Row("GET", "/@olive/followers/"),
        "people:following GET": Row("GET", "/@olive/following/"),
        "people:relationship POST": Row("POST", "/@olive/follow/"),
        # The API.
        "api-social-root GET": Row("GET", API),
        "api-social-presence GET": Row("GET", f"{API}presence/?ids={w['owner'].pk}"),
        "api-social-profile GET": Row("GET", f"{API}profiles/olive/"),
        "api-social-followers GET": Row("GET", f"{API}profiles/olive/followers/"),
        "api-social-following GET": Row("GET", f"{API}profiles/olive/following/"),
        "api-social-follow POST": Row("POST", f"{API}profiles/olive/follow/"),
        "api-social-follow DELETE": Row("DELETE", f"{API}profiles/olive/follow/"),
        "api-social-block POST": Row("POST", f"{API}profiles/olive/block/"),
        "api-social-block DELETE": Row("DELETE", f"{API}profiles/olive/block/"),
        "api-social-mute POST": Row("POST", f"{API}profiles/olive/mute/"),
        "api-social-mute DELETE": Row("DELETE", f"{API}profiles/olive/mute/"),
        "api-social-follow-requests GET": Row("GET", f"{API}follow-requests/"),
        "api-social-follow-request-approve POST": Row("POST", f"{API}follow-requests/rex/approve/"),
        "api-social-follow-request-reject POST": Row("POST", f"{API}follow-requests/rex/reject/"),
        "api-social-my-profile GET": Row("GET", f"{API}me/profile/"),
        "api-social-my-profile PATCH": Row("PATCH", f"{API}me/profile/", {"locked": False}),
        "api-social-conversations GET": Row("GET", f"{API}conversations/"),
        "api-social-conversations POST": Row("POST", f"{API}conversations/", {"handles": ["pat"], "text": "Hi"}),
        "api-social-conversation GET": Row("GET", api_c),
        "api-social-messages GET": Row("GET", f"{api_c}messages/"),
        "api-social-messages POST": Row("POST", f"{api_c}messages/", {"text": "Another"}),
        "api-social-message PATCH": Row("PATCH", f"{api_c}messages/{m}/", {"text": "Edited"}),
        "api-social-message DELETE": Row("DELETE", f"{api_c}messages/{m}/"),
        "api-social-conversation-read POST": Row("POST", f"{api_c}read/"),
        "api-social-conversation-accept POST": Row("POST", f"{api_c}accept/"),
        "api-social-conversation-decline POST": Row("POST", f"{api_c}decline/"),
        "api-social-conversation-leave POST": Row("POST", f"{api_c}leave/"),
        # Search, profiles' tabs and sections, staff's account controls.
        "social:search GET": Row("GET", "/social/search/?q=tea&type=posts"),
        "people:profile-tab GET": Row("GET", "/@olive/replies/"),
        "people:profile-section GET": Row("GET", "/@olive/blog/"),
        "people:moderate POST": Row("POST", "/@olive/moderate/silence/", {"note": "spam"}),
        # The posts and timelines API.
        "api-social-search GET": Row("GET", f"{API}search/?q=tea&type=posts"),
        "api-social-posts POST": Row("POST", f"{API}posts/", {"text": "New", "visibility": "public"}),
        "api-social-post GET": Row("GET", api_p),
        "api-social-post PATCH": Row("PATCH", api_p, {"text": "Tea, edited"}),
        "api-social-post DELETE": Row("DELETE", api_p),
        "api-social-post-history GET": Row("GET", f"{api_p}history/"),
        "api-social-post-replies GET": Row("GET", f"{api_p}replies/"),
        "api-social-post-likes GET": Row("GET", f"{api_p}likes/"),
        "api-social-post-reposts GET": Row("GET", f"{api_p}reposts/"),
        "api-social-post-like PUT": Row("PUT", f"{api_p}like/"),
        "api-social-post-like POST": Row("POST", f"{api_p}like/"),
        "api-social-post-like DELETE": Row("DELETE", f"{api_p}like/"),
        "api-social-post-repost PUT": Row("PUT", f"{api_p}repost/"),
        "api-social-post-repost POST": Row("POST", f"{api_p}repost/"),
        "api-social-post-repost DELETE": Row("DELETE", f"{api_p}repost/"),
        "api-social-post-bookmark PUT": Row("PUT", f"{api_p}bookmark/"),
        "api-social-post-bookmark POST": Row("POST", f"{api_p}bookmark/"),
        "api-social-post-bookmark DELETE": Row("DELETE", f"{api_p}bookmark/"),
        "api-social-bookmarks GET": Row("GET", f"{API}bookmarks/"),
        "api-social-profile-posts GET": Row("GET", f"{API}profiles/olive/posts/"),
        "api-social-timeline-home GET": Row("GET", f"{API}timelines/home/"),
        "api-social-timeline-public GET": Row("GET", f"{API}timelines/public/"),
        "api-social-timeline-tag GET": Row("GET", f"{API}timelines/tag/tea/"),
        "api-social-trends GET": Row("GET", f"{API}trends/"),
        "api-social-suggestions GET": Row("GET", f"{API}suggestions/"),
    }


# --- What each person gets -------------------------------------------------------------------

# (visitor, stranger, owner, blocked, staff). Where the owner alone acts on their own things
# (requests, settings, a conversation), the others reach nothing of theirs: their own empty
# lists, or 404 for a conversation they are not in. Across a block the blocked person gets 404
# for the owner's post and connections; the profile page shows who she is without her posts.
L = "login"
EXPECTED: dict[str, tuple[Any, ...]] = {
    # Relations' pages: the signed-in act on their own requests and settings.
    "social:requests GET": (L, 200, 200, 200, 200),
    "social:request-decide POST": (L, 302, 302, 302, 302),
    "social:settings-profile GET": (L, 200, 200, 200, 200),
    "social:settings-profile POST": (L, 400, 400, 400, 400),
    "social:settings-blocked GET": (L, 200, 200, 200, 200),
    # Direct messages: only a participant reaches a conversation.
    "social:messages GET": (L, 200, 200, 200, 200),
    "social:message-new GET": (L, 200, 200, 200, 200),
    "social:message-new POST": (L, 302, 302, 302, 302),
    "social:message-thread GET": (L, 404, 200, 404, 404),
    "social:message-send POST": (L, 404, 302, 404, 404),
    "social:message-read POST": (L, 404, 302, 404, 404),
    "social:message-accept POST": (L, 404, 302, 404, 404),
    "social:message-decline POST": (L, 404, 422, 404, 404),  # hers is no request to decline
    "social:message-leave POST": (L, 404, 302, 404, 404),
    "social:message-fragment GET": (L, 404, 200, 404, 404),
    "social:message-edit POST": (L, 404, 302, 404, 404),
    "social:message-delete POST": (L, 404, 302, 404, 404),
    # Timelines: a visitor's home is the public timeline.
    "social:home GET": (302, 200, 200, 200, 200),
    "social:public GET": (200, 200, 200, 200, 200),
    "social:hashtag GET": (200, 200, 200, 200, 200),
    "social:trending GET": (200, 200, 200, 200, 200),
    # Posts: readers interact, the author edits, the author or staff delete.
    "social:compose GET": (L, 200, 200, 200, 200),
    "social:compose POST": (L, 302, 302, 302, 302),
    "social:post GET": (200, 200, 200, 404, 200),
    "social:post-edit GET": (L, 403, 200, 404, 403),
    "social:post-edit POST": (L, 403, 302, 404, 403),
    "social:post-history GET": (200, 200, 200, 404, 200),
    "social:post-delete POST": (L, 403, 302, 404, 302),
    "social:post-like POST": (L, 302, 302, 404, 302),
    "social:post-repost POST": (L, 302, 302, 404, 302),
    "social:post-bookmark POST": (L, 302, 302, 404, 302),
    "social:bookmarks GET": (L, 200, 200, 200, 200),
    # People: her locked account's connections are hers and her followers' only.
    "people:profile GET": (200, 200, 200, 200, 200),
    "people:followers GET": (403, 403, 200, 404, 403),
    "people:following GET": (403, 403, 200, 404, 403),
    "people:relationship POST": (L, 302, 302, 404, 302),
    # The API: 401 for a visitor wherever a person is needed.
    "api-social-root GET": (200, 200, 200, 200, 200),
    "api-social-presence GET": (401, 200, 200, 200, 200),
    "api-social-profile GET": (200, 200, 200, 404, 200),
    "api-social-followers GET": (403, 403, 200, 404, 403),
    "api-social-following GET": (403, 403, 200, 404, 403),
    "api-social-follow POST": (401, 201, 409, 404, 201),  # oneself: 409 "self"
    "api-social-follow DELETE": (401, 204, 204, 404, 204),
    "api-social-block POST": (401, 201, 409, 201, 201),  # reaches past a block so it can be lifted
    "api-social-block DELETE": (401, 204, 204, 204, 204),
    "api-social-mute POST": (401, 201, 409, 404, 201),
    "api-social-mute DELETE": (401, 204, 204, 404, 204),
    "api-social-follow-requests GET": (401, 200, 200, 200, 200),
    "api-social-follow-request-approve POST": (401, 409, 200, 409, 409),  # Rex asked her alone
    "api-social-follow-request-reject POST": (401, 204, 204, 204, 204),
    "api-social-my-profile GET": (401, 200, 200, 200, 200),
    "api-social-my-profile PATCH": (401, 200, 200, 200, 200),
    "api-social-conversations GET": (401, 200, 200, 200, 200),
    "api-social-conversations POST": (401, 201, 200, 201, 201),  # hers with Pat exists already
    "api-social-conversation GET": (401, 404, 200, 404, 404),
    "api-social-messages GET": (401, 404, 200, 404, 404),
    "api-social-messages POST": (401, 404, 201, 404, 404),
    "api-social-message PATCH": (401, 404, 200, 404, 404),
    "api-social-message DELETE": (401, 404, 204, 404, 404),
    "api-social-conversation-read POST": (401, 404, 200, 404, 404),
    "api-social-conversation-accept POST": (401, 404, 200, 404, 404),
    "api-social-conversation-decline POST": (401, 404, 409, 404, 404),
    "api-social-conversation-leave POST": (401, 404, 204, 404, 404),
    # Search: anyone; what is found follows the one rule (test_visibility_sweep.py).
    "social:search GET": (200, 200, 200, 200, 200),
    "people:profile-tab GET": (200, 200, 200, 200, 200),
    # A section with nothing to show is 404 (Olive writes no blog); across a block the page says so.
    "people:profile-section GET": (404, 404, 404, 200, 404),
    # Staff's account controls: staff alone.
    "people:moderate POST": (L, 403, 403, 403, 302),
    # The posts and timelines API: the post's rule on every endpoint, a 404 across the block.
    "api-social-search GET": (200, 200, 200, 200, 200),
    "api-social-posts POST": (401, 201, 201, 201, 201),
    "api-social-post GET": (200, 200, 200, 404, 200),
    "api-social-post PATCH": (401, 403, 200, 404, 403),
    "api-social-post DELETE": (401, 403, 204, 404, 204),
    "api-social-post-history GET": (200, 200, 200, 404, 200),
    "api-social-post-replies GET": (200, 200, 200, 404, 200),
    "api-social-post-likes GET": (200, 200, 200, 404, 200),
    "api-social-post-reposts GET": (200, 200, 200, 404, 200),
    "api-social-post-like PUT": (401, 200, 200, 404, 200),
    "api-social-post-like POST": (401, 200, 200, 404, 200),
    "api-social-post-like DELETE": (401, 200, 200, 404, 200),
    "api-social-post-repost PUT": (401, 200, 200, 404, 200),
    "api-social-post-repost POST": (401, 200, 200, 404, 200),
    "api-social-post-repost DELETE": (401, 200, 200, 404, 200),
    "api-social-post-bookmark PUT": (401, 200, 200, 404, 200),
    "api-social-post-bookmark POST": (401, 200, 200, 404, 200),
    "api-social-post-bookmark DELETE": (401, 200, 200, 404, 200),
    "api-social-bookmarks GET": (401, 200, 200, 200, 200),
    "api-social-profile-posts GET": (200, 200, 200, 404, 200),
    "api-social-timeline-home GET": (401, 200, 200, 200, 200),
    "api-social-timeline-public GET": (200, 200, 200, 200, 200),
    "api-social-timeline-tag GET": (200, 200, 200, 200, 200),
    "api-social-trends GET": (200, 200, 200, 200, 200),
    "api-social-suggestions GET": (401, 200, 200, 200, 200),
}


# --- The tests -------------------------------------------------------------------------------


def _client(key: str, user: Any) -> Any:
    if key.startswith("api-"):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user)['access']}")
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _ask(key: str, user: Any, row: Row) -> Any:
    client = _client(key, user)
    call = getattr(client, row.method.lower())
    if key.startswith("api-"):
        return call(row.url, row.data, format="json") if row.data is not None else call(row.url)
    return call(row.url, row.data or {}) if row.method == "POST" else call(row.url)


def _answer(response: Any) -> Any:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return response.status_code


def test_every_address_has_a_row():
    addresses = social_addresses()
    keys = set(EXPECTED)
    named = {key.rsplit(" ", 1)[0] for key in keys}
    assert set(addresses) - named == set(), "pages or endpoints without a row in the matrix"
    assert named - set(addresses) == set(), "rows for addresses that are gone"
    for name, pattern in addresses.items():
        if name.startswith("api-"):
            missing = {method for method in api_methods(pattern) if f"{name} {method}" not in keys}
            assert missing == set(), f"{name} handles {missing} without a row"


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_the_permission_matrix(world, key):
    row = rows(world)[key]
    answers = []
    for who in PEOPLE:
        # Each person's request is rolled back, so each meets the same world (a delete by the
        # owner leaves the post for staff to try).
        with transaction.atomic():
            answers.append(_answer(_ask(key, world[who], row)))
            transaction.set_rollback(True)

    assert dict(zip(PEOPLE, answers, strict=True)) == dict(zip(PEOPLE, EXPECTED[key], strict=True)), (
        f"{row.method} {row.url}"
    )


@pytest.mark.parametrize("name", sorted(social_addresses()))
def test_a_method_without_a_row_is_refused(world, name):
    built = {key: row for key, row in rows(world).items() if key.rsplit(" ", 1)[0] == name}
    url = next(iter(built.values())).url
    methods = ("GET", "POST", "PATCH", "DELETE") if name.startswith("api-") else ("GET", "POST")
    for method in methods:
        if f"{name} {method}" not in built:
            response = _ask(name, world["owner"], Row(method, url, {} if method != "GET" else None))
            assert response.status_code == 405, (method, url, response.status_code)


# --- Flat query counts -----------------------------------------------------------------------
# Each list page costs as many queries with one item as with many. (Profiles' posts tab, home,
# public, a hashtag as a visitor and the inbox have their own tests beside their views; these add
# the other tabs, the signed-in hashtag page, bookmarks and the API's lists.)


def _seed_posts(w: dict[str, Any], n: int) -> None:
    """``n`` of what the lists show: Olive's tagged public posts with an image, each answered by
    her (a reply, for the replies tab), bookmarked by Pat, in Pat's home; a message to Pat each."""
    from tests.social.test_posts import jpeg_with_gps

    olive, pat = w["owner"], w["conversation"].participants.exclude(user=w["owner"]).get().user
    for i in range(n):
        image = post_services.ImageInput(jpeg_with_gps(size=(40, 30)), "a dot")
        post = post_services.post_create(author=olive, text=f"Post {i} #tea", images=[image])
        post_services.post_create(author=olive, text=f"And {i}", reply_to=post)
        post_services.post_bookmark(user=pat, post=post)
        message_services.message_send(sender=olive, conversation=w["conversation"], body=f"Message {i}")
        other = person(display_name=f"Friend {i}")
        message_services.message_send(
            sender=other, conversation=conversation_between(other, pat), body=f"From friend {i}"
        )


FLAT_PAGES = {
    "profile-replies": "/@olive/replies/",
    "profile-media": "/@olive/media/",
    "hashtag-signed-in": "/social/tags/tea/",
    "home-with-bookmarks": "/social/",
    "bookmarks": "/social/bookmarks/",
    "inbox": "/social/messages/",
    "api-conversations": f"{API}conversations/",
    "api-messages": "api-messages",
    "api-followers": f"{API}profiles/olive/followers/",
}


@pytest.mark.parametrize("page", sorted(FLAT_PAGES))
def test_a_list_costs_as_many_queries_for_one_item_as_for_many(world, page, django_assert_max_num_queries):
    from apps.social import timelines

    pat = world["conversation"].participants.exclude(user=world["owner"]).get().user
    url = FLAT_PAGES[page]
    if url == "api-messages":
        url = f"{API}conversations/{world['conversation'].pk}/messages/"
    client = _client("api-" if url.startswith(API) else "page", pat)
    _seed_posts(world, 1)
    assert client.get(url).status_code == 200  # the session, the caches and the timeline warmed
    with django_assert_max_num_queries(60) as one:
        client.get(url)
    # Counted now: the next request outside a capture empties the connection's query log.
    queries = len(one.captured_queries)

    _seed_posts(world, 6)
    timelines.timeline_store().delete(timelines.home_key(pat.pk))
    client.get(url)

    with django_assert_max_num_queries(queries):
        assert client.get(url).status_code == 200
