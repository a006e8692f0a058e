"""The social network's panels on the member's home (core's "member" dashboard): who to follow
(friends of friends, then people writing with the same hashtags) and the follow requests waiting
for a locked account. Each costs a fixed number of queries."""

from __future__ import annotations

from typing import Any

from apps.core.accounts import Panel
from apps.social import selectors_people as people

REQUESTS_SHOWN = 5


def _who_to_follow(user: Any) -> dict[str, Any]:
    suggested = people.who_to_follow(user)
    found = people.relations_for(user, [person.pk for person in suggested])
    return {
        "rows": [
            {
                "user": person,
                "profile": person.social_profile,
                "relation": found[person.pk],
                "url": people.profile_url(person.social_profile.handle),
            }
            for person in suggested
        ]
    }


def _requests(user: Any) -> dict[str, Any]:
    waiting = people.requests_for(user)
    return {"count": waiting.count(), "rows": list(waiting[:REQUESTS_SHOWN])}


def _has_requests(user: Any) -> bool:
    return people.requests_for(user).exists()


# Listed by the social network's hook (apps/social/platform.py).
PANELS: tuple[Panel, ...] = (
    Panel(
        "social-who-to-follow",
        "Who to follow",
        "social/people/_panel_who_to_follow.html",
        frozenset({"member"}),
        _who_to_follow,
        order=30,
    ),
    Panel(
        "social-follow-requests",
        "Follow requests",
        "social/people/_panel_requests.html",
        frozenset({"member"}),
        _requests,
        order=29,
        show=_has_requests,
    ),
)
