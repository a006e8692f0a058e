"""The schemathesis run of tests/core/api/test_openapi_fuzz.py over the social network's
operations (/api/v1/social/), with people and conversations seeded so that handles and ids in
paths name real things: an open and a locked account, a follow, a request waiting, a block, a
one-to-one conversation with messages and a message request; posts of every visibility with a
reply, a repost, an edit, a like, a bookmark, a hashtag and a tombstone. Every request is sent
anonymously and as three people of different standing. No 5xx, every answer as documented."""

from __future__ import annotations

from typing import Any

import pytest

from apps.social.models import Follow, Profile
from apps.social.services import messages as services
from apps.social.services import posts as post_services
from apps.social.services.posts import post_create
from tests.fuzzing import api_schema, assert_conforms, operations, strategy
from tests.social.factories import BlockFactory, conversation_between, follow, person

SOCIAL_OPERATIONS = operations("/api/v1/social/")
PARAMETERS = {"handle": "handles", "id": "ids", "message_pk": "message_ids", "name": "tags"}
POSTS = "/api/v1/social/posts/"


@pytest.fixture
def social_seeded(db: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    ana, ben, cat, dee = (person(name, display_name=name.title()) for name in ("ana", "ben", "cat", "dee"))
    with django_capture_on_commit_callbacks(execute=True):
        Profile.objects.filter(user=cat).update(locked=True)
        follow(ben, ana)
        Follow.objects.create(follower=ana, followee=cat, state=Follow.State.PENDING)
        BlockFactory(blocker=dee, blocked=ben)
        pair = conversation_between(ana, ben)
        first = services.message_send(sender=ana, conversation=pair, body="Hello")
        reply = services.message_send(sender=ben, conversation=pair, body="Hi")
        request = services.conversation_start(starter=dee, others=[ana])
        services.message_send(sender=dee, conversation=request, body="A request")
        # Something for search to find (words schemathesis may well send: "0", "a").
        post_create(author=ana, text="a 0 hello #a0 world", visibility="public")
        post_create(author=dee, text="a 0 followers only", visibility="followers")
        posts = _seed_posts(ana, ben, cat)
    return {
        "people": {"anonymous": None, "ana": ana, "ben": ben, "cat": cat},
        "handles": ["ana", "ben", "cat", "dee"],
        "ids": [pair.pk, request.pk],
        "message_ids": [first.pk, reply.pk],
        "post_ids": [post.pk for post in posts],
        "tags": ["clay", "nothing"],
    }


def _seed_posts(ana: Any, ben: Any, cat: Any) -> list[Any]:
    public = post_services.post_create(author=ana, text="Hello @ben #Clay")
    hidden = post_services.post_create(author=ana, text="For followers", visibility="followers")
    mentioned = post_services.post_create(author=ben, text="Just @cat", visibility="mentioned")
    reply = post_services.post_create(author=ben, text="A reply", reply_to=public)
    repost = post_services.post_repost(user=ben, post=public)
    post_services.post_edit(actor=ana, post=public, text="Hello again @ben #Clay")
    post_services.post_like(user=ben, post=public)
    post_services.post_bookmark(user=ben, post=public)
    gone = post_services.post_delete(actor=cat, post=post_services.post_create(author=cat, text="Gone"))
    return [public, hidden, mentioned, reply, repost, gone]


def _known_values(operation: Any, seeded: dict[str, Any]) -> list[dict[str, Any]]:
    """Path parameters naming seeded things, each combination of the operation's parameters
    (a post's ``id`` names a post, a conversation's a conversation)."""
    names = [parameter.name for parameter in operation.path_parameters if parameter.name in PARAMETERS]
    if not names:
        return []
    sources = {name: PARAMETERS[name] for name in names}
    if operation.path.startswith(POSTS) and "id" in sources:
        sources["id"] = "post_ids"
    longest = max(len(seeded[source]) for source in sources.values())
    return [{name: seeded[source][i % len(seeded[source])] for name, source in sources.items()} for i in range(longest)]


@pytest.mark.parametrize(("path", "method"), SOCIAL_OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in SOCIAL_OPERATIONS])
def test_every_social_answer_conforms_to_the_schema_over_real_people(
    path: str, method: str, social_seeded: dict[str, Any], unthrottled: None, roomy_send_limit: None
) -> None:
    operation = api_schema()[path][method]
    assert_conforms(operation, strategy(operation, _known_values(operation, social_seeded)), social_seeded["people"])


def test_every_social_endpoint_is_in_the_schema() -> None:
    paths = {path for path, _ in SOCIAL_OPERATIONS}
    assert {
        "/api/v1/social/",
        "/api/v1/social/presence/",
        "/api/v1/social/profiles/{handle}/",
        "/api/v1/social/profiles/{handle}/followers/",
        "/api/v1/social/profiles/{handle}/following/",
        "/api/v1/social/profiles/{handle}/follow/",
        "/api/v1/social/profiles/{handle}/block/",
        "/api/v1/social/profiles/{handle}/mute/",
        "/api/v1/social/follow-requests/",
        "/api/v1/social/follow-requests/{handle}/approve/",
        "/api/v1/social/follow-requests/{handle}/reject/",
        "/api/v1/social/me/profile/",
        "/api/v1/social/conversations/",
        "/api/v1/social/conversations/{id}/",
        "/api/v1/social/conversations/{id}/messages/",
        "/api/v1/social/conversations/{id}/messages/{message_pk}/",
        "/api/v1/social/conversations/{id}/read/",
        "/api/v1/social/conversations/{id}/accept/",
        "/api/v1/social/conversations/{id}/decline/",
        "/api/v1/social/conversations/{id}/leave/",
        "/api/v1/social/search/",
        "/api/v1/social/posts/",
        "/api/v1/social/posts/{id}/",
        "/api/v1/social/posts/{id}/history/",
        "/api/v1/social/posts/{id}/replies/",
        "/api/v1/social/posts/{id}/likes/",
        "/api/v1/social/posts/{id}/reposts/",
        "/api/v1/social/posts/{id}/like/",
        "/api/v1/social/posts/{id}/repost/",
        "/api/v1/social/posts/{id}/bookmark/",
        "/api/v1/social/bookmarks/",
        "/api/v1/social/profiles/{handle}/posts/",
        "/api/v1/social/timelines/home/",
        "/api/v1/social/timelines/public/",
        "/api/v1/social/timelines/tag/{name}/",
        "/api/v1/social/trends/",
        "/api/v1/social/suggestions/",
    } <= paths
