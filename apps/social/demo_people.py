"""The social network's demo of people and conversations (called by ``demo.seed_demo`` once the
profiles exist), written through the services: the demo accounts follow each other, one of them
keeps a locked (private) account with a request waiting, and three of them share a group
conversation. Idempotent: follows and requests are kept as they are, and the group is written
once (it is found by its title)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from apps.core.models import User
from apps.social.models import Conversation, Profile
from apps.social.services import messages, relations

# The demo's private account: the blog's author writes drafts there before the blog.
PRIVATE_EMAIL = "author@test.com"
GROUP_TITLE = "Studio weekend"
GROUP_EMAILS = ("student@test.com", "instructor@test.com", "shopowner@test.com")
GROUP_MESSAGES = (
    ("instructor@test.com", "Kiln firing on Saturday at ten: bring what you want glazed."),
    ("student@test.com", "I will bring the two bowls from the course. Is the celadon glaze back?"),
    ("shopowner@test.com", "It is, and there are new brushes in the shop if anyone needs one."),
    ("instructor@test.com", "Perfect. See you both there."),
)


def _by_email(users: Sequence[User]) -> dict[str, User]:
    return {user.email: user for user in users}


def _relations(users: Sequence[User], private: User | None) -> None:
    if private is not None:
        Profile.objects.filter(user=private).update(locked=True)
    for follower in users:
        for followee in users:
            if follower.pk == followee.pk:
                continue
            if followee == private and follower.email != "student@test.com":
                continue  # the private account's followers: only the student (approved below)
            relations.follow_create(follower=follower, followee=followee)
    if private is not None:
        student = next((user for user in users if user.email == "student@test.com"), None)
        if student is not None:
            relations.follow_request_approve(owner=private, follower=student)
        # One request left waiting, for the private account's requests page.
        waiting = next((user for user in users if user.email == "instructor@test.com"), None)
        if waiting is not None:
            relations.follow_create(follower=waiting, followee=private)


def _group(found: dict[str, User]) -> bool:
    people = [found[email] for email in GROUP_EMAILS if email in found]
    if len(people) < 3 or Conversation.objects.filter(title=GROUP_TITLE).exists():
        return False
    conversation = messages.conversation_start(starter=people[0], others=people[1:], title=GROUP_TITLE)
    for email, body in GROUP_MESSAGES:
        messages.message_send(sender=found[email], conversation=conversation, body=body)
    return True


def seed_people(users: Sequence[User], *, write: Callable[[str], Any] = print) -> None:
    """Follows among ``users`` (each with a profile), the private account and the group."""
    found = _by_email(users)
    private = found.get(PRIVATE_EMAIL)
    _relations(users, private)
    if _group(found):
        write(f"Social: a group conversation '{GROUP_TITLE}' among {', '.join(GROUP_EMAILS)}")
    if private is not None:
        write(f"Social: {private.email} is a private account (one request waiting)")
