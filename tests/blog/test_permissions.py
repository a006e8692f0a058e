"""The blog's policy, person by person: author, another author, blog admin, admin, member, anonymous."""

from __future__ import annotations

import ast
import inspect

import pytest

from apps.blog import models as blog_models
from apps.blog import permissions
from apps.blog.comments import POST_KIND
from apps.core.accounts.services import user_set_active
from apps.core.comments import permissions as comment_permissions
from apps.core.comments.models import CommentBan
from tests.blog.factories import make_post

WHO = ["author", "other_author", "blog_admin", "admin", "member", "anonymous"]


def answers(people, check) -> dict[str, bool]:
    return {who: check(people[who]) for who in WHO}


@pytest.fixture
def draft(author):
    return make_post(author=author)


@pytest.fixture
def live(author, blog_admin):
    return make_post(author=author, live=True, publisher=blog_admin)


def test_everyone_sees_a_live_post_and_only_its_editors_see_a_draft(people, draft, live):
    assert all(answers(people, lambda u: permissions.can_view_post(u, live)).values())
    assert answers(people, lambda u: permissions.can_view_post(u, draft)) == {
        "author": True,
        "other_author": False,
        "blog_admin": True,
        "admin": True,
        "member": False,
        "anonymous": False,
    }


def test_authors_and_above_write_posts(people):
    assert answers(people, permissions.can_create_post) == {
        "author": True,
        "other_author": True,
        "blog_admin": True,
        "admin": True,
        "member": False,
        "anonymous": False,
    }


def test_an_author_edits_only_their_own_posts_and_blog_admins_edit_any(people, draft):
    assert answers(people, lambda u: permissions.can_edit_post(u, draft)) == {
        "author": True,
        "other_author": False,
        "blog_admin": True,
        "admin": True,
        "member": False,
        "anonymous": False,
    }


def test_only_blog_admins_and_above_publish_review_and_moderate(people, draft):
    expected = {
        "author": False,
        "other_author": False,
        "blog_admin": True,
        "admin": True,
        "member": False,
        "anonymous": False,
    }
    assert answers(people, lambda u: permissions.can_publish_post(u, draft)) == expected
    assert answers(people, permissions.can_review) == expected
    assert answers(people, permissions.can_moderate_comments) == expected
    assert answers(people, permissions.can_manage_categories) == expected


def test_a_post_is_submitted_once_and_only_when_it_has_something_new(author, blog_admin, other_author, draft, live):
    assert permissions.can_submit_post(author, draft)
    assert not permissions.can_submit_post(other_author, draft)
    assert not permissions.can_submit_post(author, live)  # nothing unpublished
    draft.review_state = draft.ReviewState.SUBMITTED
    assert not permissions.can_submit_post(author, draft)


def test_signed_in_readers_comment_on_live_posts_unless_banned(people, member, blog_admin, draft, live):
    # The engine's rule, with the posts' registration saying a live post's thread is open.
    assert answers(people, lambda u: comment_permissions.can_comment(u, POST_KIND, live)) == {
        "author": True,
        "other_author": True,
        "blog_admin": True,
        "admin": True,
        "member": True,
        "anonymous": False,
    }
    assert not comment_permissions.can_comment(member, POST_KIND, draft)
    CommentBan.objects.create(user=member, banned_by=blog_admin, reason="spam")
    comment_permissions.forget_comment_ban(member)
    assert not comment_permissions.can_comment(member, POST_KIND, live)


def test_a_deactivated_author_can_do_nothing(author, draft, live):
    user_set_active(actor=None, user=author, active=False)

    assert not permissions.can_edit_post(author, draft)
    assert not permissions.can_create_post(author)
    assert not comment_permissions.can_comment(author, POST_KIND, live)


def test_each_refused_action_on_a_post_says_why_and_an_allowed_one_says_nothing(people, draft):
    reasons = {
        action: answers(people, lambda user, action=action: permissions.post_action_refusal(user, draft, action))
        for action in permissions.PostAction
    }

    assert reasons["edit"]["author"] is None and reasons["edit"]["blog_admin"] is None
    assert reasons["edit"]["other_author"] == "You may not edit this post."
    assert reasons["submit"]["member"] == "You may not submit this post."
    assert reasons["review"]["author"] == "You may not review posts: only blog admins do."
    assert reasons["publish"]["author"] == "You may not publish posts: only blog admins do."
    assert reasons["schedule"]["anonymous"] == "You may not schedule posts: only blog admins do."
    assert reasons["unpublish"]["admin"] is None


def _imports(module) -> tuple[set[str], int]:  # type: ignore[no-untyped-def]
    """The modules ``module`` imports, and how many of its imports sit inside functions."""
    tree = ast.parse(inspect.getsource(module))
    names = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    names |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
    nested = sum(isinstance(child, ast.Import | ast.ImportFrom) for node in functions for child in ast.walk(node))
    return names, nested


def test_the_policy_imports_no_model_and_the_models_ask_it_without_a_circle():
    policy_imports, policy_nested = _imports(permissions)
    model_imports, _ = _imports(blog_models)

    assert not [name for name in policy_imports if name.endswith("models")] and policy_nested == 0
    assert "apps.blog" in model_imports  # from apps.blog import permissions, at the top
    source = inspect.getsource(blog_models)
    assert "from apps.blog.permissions import" not in source  # no function-level way back
