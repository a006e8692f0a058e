"""Demo comment threads on the demo blog's published posts, written through the comment services
by the demo accounts (seed_demo creates them), with the demo blog admin approving first comments.
One first comment is left waiting, so the moderation queue has something to show. Safe to run
again: a post whose demo thread exists is left alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apps.blog.comments import POST_KIND
from apps.blog.models import Post
from apps.core.comments import Comment, services
from apps.core.models import User

BLOG_ADMIN_EMAIL = "blogadmin@test.com"

# Each thread: (writer's email, text, index of the comment it replies to or None, approve?).
DEMO_THREADS: list[list[tuple[str, str, int | None, bool]]] = [
    [
        (
            "student@test.com",
            "Does one account really work for the shop and the courses too? I signed up for the blog only.",
            None,
            True,
        ),
        (
            "author@test.com",
            "It does: the account you comment with is the one you buy and learn with. Roles add rights; "
            "they never need a second sign-in.",
            0,
            True,
        ),
        ("student@test.com", "Good to know, thanks! Where do I see my roles?", 1, True),
        (
            "instructor@test.com",
            "On your profile page, under the roles you hold.\nThe dashboard changes with them too.",
            2,
            True,
        ),
    ],
    [
        (
            "instructor@test.com",
            "The publishing engine keeping every revision has saved my course pages more than once. "
            "The docs on blocks are here: https://docs.djangoproject.com/en/5.2/",
            None,
            True,
        ),
        ("blogadmin@test.com", "Thanks for reading! Drafts of posts go through the same engine.", 0, True),
        ("shopowner@test.com", "Can product pages be scheduled like posts?", None, False),
    ],
]


DEMO_EMAILS = {email for thread in DEMO_THREADS for email, *_ in thread} | {BLOG_ADMIN_EMAIL}


def seed_comment_threads(*, write: Callable[[str], Any] = print) -> int:
    """Write the demo threads on the oldest published posts (one thread per post); returns how
    many comments were written. Needs the demo accounts and at least one published post."""
    people = {user.email: user for user in User.objects.filter(email__in=DEMO_EMAILS)}
    if missing := sorted(DEMO_EMAILS - people.keys()):
        write(f"demo comments skipped: no demo account {', '.join(missing)} (seed_demo creates them)")
        return 0
    moderator = people[BLOG_ADMIN_EMAIL]
    posts = list(Post.objects.filter(live=True).order_by("first_published_at", "pk")[: len(DEMO_THREADS)])
    written = 0
    for post, thread in zip(posts, DEMO_THREADS, strict=False):
        first_text = thread[0][1]
        if Comment.objects.filter(target_kind=POST_KIND, target_id=post.pk, body=first_text).exists():
            continue
        comments: list[Comment] = []
        for email, text, parent_index, approve in thread:
            parent = comments[parent_index] if parent_index is not None else None
            comment = services.comment_create(author=people[email], target=post, body=text, parent=parent)
            if approve and comment.status == Comment.Status.PENDING:
                services.comment_approve(comment=comment, moderator=moderator)
            comments.append(comment)
        written += len(comments)
        write(f"blog comments: a thread of {len(comments)} on /blog/{post.slug}/")
    return written
