from __future__ import annotations

from apps.blog.comments.demo import DEMO_EMAILS, seed_comment_threads
from apps.core.comments.models import Comment
from apps.core.management.commands.seed_demo import DEMO_ACCOUNTS
from tests.blog.factories import PostFactory
from tests.core.factories import UserFactory


def demo_accounts() -> None:
    for account in DEMO_ACCOUNTS:
        if account["email"] in DEMO_EMAILS:
            UserFactory(email=account["email"], display_name=account["name"], roles=[account["role"]])


def test_demo_threads_land_on_published_posts_once(db):
    demo_accounts()
    first, second = PostFactory(live=True), PostFactory(live=True)
    PostFactory(live=False)
    lines: list[str] = []

    written = seed_comment_threads(write=lines.append)
    again = seed_comment_threads(write=lines.append)

    assert (written, again) == (7, 0)
    assert len(lines) == 2
    assert Comment.objects.filter(target_id=first.pk).count() == 4
    assert Comment.objects.filter(target_id=first.pk).exclude(parent=None).count() == 3
    assert max(Comment.objects.filter(target_id=first.pk).values_list("depth", flat=True)) == 3
    waiting = Comment.objects.get(status=Comment.Status.PENDING)
    assert waiting.target == second and waiting.author.email == "shopowner@test.com"


def test_demo_threads_wait_for_the_demo_accounts(db):
    PostFactory(live=True)
    lines: list[str] = []

    assert seed_comment_threads(write=lines.append) == 0
    assert "seed_demo creates them" in lines[0] and not Comment.objects.exists()
