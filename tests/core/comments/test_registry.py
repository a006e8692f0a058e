"""The engine with more than one kind: a second commentable kind registered by the test (core's
roles stand in for another domain's objects), moderated by admins only. One queue for both,
filterable by domain, each moderator seeing only the kinds they moderate; one ban for all."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from apps.core.accounts.permissions import has_role
from apps.core.accounts.roles import RoleName
from apps.core.comments import selectors, services
from apps.core.comments.models import Comment
from apps.core.comments.registry import commentable, register_commentable, unregister_commentable
from apps.core.models import Role
from tests.core.comments.factories import CommentFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def lab():
    """A second kind, "lab.role", in its own domain "lab", moderated by admins and above."""
    register_commentable(
        kind="lab.role",
        model=Role,
        domain="lab",
        label="Lab",
        can_view=lambda user, role: True,
        can_moderate=lambda user: has_role(user, RoleName.ADMIN),
        url_of=lambda role: f"/lab/{role.pk}/",
        title_of=lambda role: f"Role {role.name}",
    )
    yield commentable("lab.role")
    unregister_commentable("lab.role")


@pytest.fixture
def role_object(db):
    return Role.objects.order_by("pk").first()


@pytest.fixture
def two_waiting(lab, post, role_object, user_with_role):
    """A first comment waiting on a post and one waiting on the lab's object."""
    on_post = CommentFactory(target=post, status=Comment.Status.PENDING, body="Waiting on the post")
    on_lab = CommentFactory(target=role_object, status=Comment.Status.PENDING, body="Waiting in the lab")
    return on_post, on_lab


def test_a_comment_names_its_object_by_kind_and_id_and_links_to_it(lab, role_object, regular):
    comment = services.comment_create(author=regular, target=role_object, body="Hello, lab")

    assert (comment.target_kind, comment.target_id) == ("lab.role", role_object.pk)
    assert Comment.objects.get(pk=comment.pk).target == role_object
    assert comment.url == f"/lab/{role_object.pk}/#comment-{comment.pk}"


def test_each_moderator_sees_only_the_kinds_they_moderate_in_the_one_queue(two_waiting, blog_admin, admin):
    on_post, on_lab = two_waiting

    def queued(viewer, **narrow) -> set[int]:
        return {row.comment.pk for row in selectors.moderation_queue(viewer=viewer, **narrow).object_list}

    assert queued(blog_admin) == {on_post.pk}
    assert queued(admin) == {on_post.pk, on_lab.pk}
    assert queued(admin, domain="lab") == {on_lab.pk}
    assert queued(admin, domain="blog") == {on_post.pk}
    assert queued(admin, kind="lab.role") == {on_lab.pk}
    assert queued(blog_admin, domain="lab") == set()
    assert queued(admin, domain="no-such-domain") == set()
    assert selectors.moderation_waiting_count(viewer=admin) == 2
    assert selectors.moderation_waiting_count(viewer=blog_admin) == 1


def test_the_queue_page_filters_by_domain_and_links_each_item_to_its_object(two_waiting, client_for, admin):
    on_post, on_lab = two_waiting
    address = reverse("comments:moderation")

    everything = client_for(admin).get(address).content.decode()
    lab_only = client_for(admin).get(address, {"domain": "lab"}).content.decode()

    assert "Waiting on the post" in everything and "Waiting in the lab" in everything
    assert f'href="{on_lab.url}"' in everything and f'href="{on_post.url}"' in everything
    assert f"{address}?domain=lab" in everything and f"{address}?domain=blog" in everything
    assert "Waiting in the lab" in lab_only and "Waiting on the post" not in lab_only


def test_a_moderator_of_one_kind_may_not_decide_on_another_kinds_comments(two_waiting, client_for, blog_admin):
    _, on_lab = two_waiting

    with pytest.raises(PermissionDenied):
        services.comment_approve(comment=on_lab, moderator=blog_admin)
    response = client_for(blog_admin).post(reverse("comments:approve", args=[on_lab.pk]), {"from": "queue"})

    assert response.status_code == 403
    assert Comment.objects.get(pk=on_lab.pk).status == Comment.Status.PENDING


def test_a_ban_holds_on_every_kind_and_rejects_waiting_comments_everywhere(two_waiting, blog_admin, post, role_object):
    on_post, on_lab = two_waiting
    author = on_lab.author
    CommentFactory(target=post, author=author)  # approved before: only the ban refuses

    services.commenter_ban(user=author, moderator=blog_admin, reason="Spam")

    assert Comment.objects.get(pk=on_lab.pk).status == Comment.Status.REJECTED
    for target in (post, role_object):
        with pytest.raises(PermissionDenied, match="banned"):
            services.comment_create(author=author, target=target, body="Again")


def test_one_model_cannot_be_commentable_under_two_kinds(lab):
    with pytest.raises(ValueError, match="already commentable"):
        register_commentable(
            kind="lab.other",
            model=Role,
            domain="lab",
            label="Lab",
            can_view=lambda user, role: True,
            can_moderate=lambda user: False,
            url_of=lambda role: "/",
        )


def test_the_thread_socket_refuses_an_unknown_kind(db):
    assert not selectors.thread_is_open(kind="nobody.nothing", target_id=1, viewer=None)
