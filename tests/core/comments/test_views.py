"""Core's own comment addresses (the blog's are tested in tests/blog/test_comment_views.py):
the generic create address, and ids no row can have."""

from __future__ import annotations

from django.urls import reverse

from apps.core.comments.models import Comment

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_comment_is_written_at_cores_address_for_its_kind_and_object(client_for, post, regular):
    address = reverse("comments:create", args=["blog.post", post.pk])

    response = client_for(regular).post(address, {"body": "Through the engine"}, **HTMX)

    assert response.status_code == 201
    comment = Comment.objects.get(body="Through the engine")
    assert (comment.target_kind, comment.target_id, comment.status) == ("blog.post", post.pk, "approved")


def test_an_unknown_kind_or_object_or_a_closed_thread_is_a_404_and_writes_nothing(client_for, regular, draft):
    client = client_for(regular)
    for kind, target_id in (("nobody.nothing", 1), ("blog.post", 987654), ("blog.post", draft.pk)):
        address = reverse("comments:create", args=[kind, target_id])
        assert client.post(address, {"body": "Hello?"}).status_code == 404, (kind, target_id)

    assert not Comment.objects.filter(body="Hello?").exists()


def test_ids_past_a_64_bit_integer_answer_404_not_500(client_for, regular, blog_admin, post):
    huge = 99999999999999999999
    client = client_for(regular)

    assert client.get(f"/comments/{huge}/", **HTMX).status_code == 404
    assert client.post(f"/comments/on/blog.post/{huge}/", {"body": "x"}).status_code == 404
    assert client.post(f"/blog/{post.slug}/comments/", {"body": "x", "parent": str(huge)}).status_code == 422
    assert client_for(blog_admin).post(f"/comments/{huge}/approve/").status_code == 404
    assert client_for(blog_admin).post(f"/comments/bans/{huge}/unban/").status_code == 404
