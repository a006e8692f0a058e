"""The post model through the publishing engine, and the hooks the engine gained for it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.blog.models import Post, reading_minutes
from apps.blog.services import PostInput, post_update
from apps.core.accounts import permissions
from apps.core.models import SitePage
from apps.core.publishing import revisions, services
from apps.core.publishing.http import apply_preview
from apps.core.publishing.selectors import revision_diff
from tests.blog.factories import CategoryFactory, TagFactory, make_post, paragraph


def edit(post: Post, editor, **changes) -> int:
    content = services_content(post)
    data = PostInput(
        title=changes.get("title", content["title"]),
        slug=changes.get("slug", content["slug"]),
        body=changes.get("body", content["body"]),
        excerpt=changes.get("excerpt", content["excerpt"]),
        category_ids=tuple(changes.get("category_ids", content["categories"])),
        tag_names=tuple(changes.get("tag_names", content["tags"])),
    )
    return post_update(post=post, editor=editor, data=data, based_on=post.latest_revision)


def services_content(post: Post) -> dict:
    from apps.blog.selectors import post_draft_content

    return post_draft_content(post)


def test_a_new_post_is_a_draft_with_its_author_set_on_creation(author):
    post = make_post(author=author, title="Hello")

    assert post.author == author and not post.live and post.latest_revision == 1
    assert revisions.revision_read(post, 1)["content"]["title"] == "Hello"


def test_categories_and_tags_reach_the_row_only_when_published(author, blog_admin, news, django_tag):
    post = make_post(author=author, categories=[news], tags=[django_tag])

    assert list(post.categories.all()) == [] and list(post.tags.all()) == []
    assert services_content(post)["categories"] == [news.pk] and services_content(post)["tags"] == ["django"]

    services.publish(obj=post, author=blog_admin)

    post = Post.objects.get(pk=post.pk)
    assert list(post.categories.all()) == [news] and list(post.tags.all()) == [django_tag]


def test_a_newer_draft_changes_no_published_category_until_published(author, blog_admin, news, django_tag):
    post = make_post(author=author, categories=[news], live=True, publisher=blog_admin)
    other = CategoryFactory(name="Other")

    edit(post, author, category_ids=[other.pk], tag_names=["Django"])

    assert list(Post.objects.get(pk=post.pk).categories.all()) == [news]
    services.publish(obj=post, author=blog_admin)
    post = Post.objects.get(pk=post.pk)
    assert list(post.categories.all()) == [other] and list(post.tags.all()) == [django_tag]


def test_a_preview_shows_the_drafts_categories_and_tags_without_touching_the_rows(author, blog_admin, news):
    post = make_post(author=author, live=True, publisher=blog_admin)
    edit(post, author, category_ids=[news.pk], tag_names=["Fresh idea"])
    token = services.preview_token(obj=post, revision=2, user=author)

    apply_preview(token=token, obj=post, user=author)

    assert [c.name for c in post.category_list] == ["News"] and [t.name for t in post.tag_list] == ["Fresh idea"]
    assert list(Post.objects.get(pk=post.pk).categories.all()) == []


def test_reading_time_follows_the_published_body(author, blog_admin):
    words = " ".join(["word"] * 700)
    post = make_post(author=author, body=[paragraph(words)], live=True, publisher=blog_admin)

    assert post.reading_time == 4 == reading_minutes(words)


def test_the_body_is_cleaned_and_sanitised_before_any_revision_is_kept(author):
    post = make_post(author=author, body=[paragraph('Hi<script>alert(1)</script><img src=x onerror="alert(2)">')])

    html = services_content(post)["body"][0]["html"]
    assert "script" not in html and "onerror" not in html
    with pytest.raises(ValidationError, match="Block 1"):
        edit(post, author, body=[{"type": "cta", "text": "Go", "url": "javascript:alert(1)"}])
    assert Post.objects.get(pk=post.pk).latest_revision == 1


def test_unknown_categories_and_a_reserved_or_taken_slug_are_refused(author):
    make_post(author=author, slug="taken")
    post = make_post(author=author)

    for changes in ({"category_ids": [999_999]}, {"slug": "review"}, {"slug": "taken"}, {"title": ""}):
        with pytest.raises(ValidationError):
            edit(post, author, **changes)
    assert Post.objects.get(pk=post.pk).latest_revision == 1


def test_a_cover_name_must_be_one_the_blog_wrote(author, blog_admin):
    post = make_post(author=author)
    content = {**services_content(post), "cover": "../../etc/passwd"}

    with pytest.raises(ValidationError, match="cover"):
        services.draft_save(obj=post, content=content, author=author, based_on=1)


# --- Ownership through the engine's hooks -------------------------------------------------------


def test_the_engine_asks_the_post_who_may_draft_and_publish_it(author, other_author, blog_admin, admin, member):
    post = make_post(author=author)

    assert [permissions.can_edit_draft(u, post) for u in (author, other_author, blog_admin, admin, member, None)] == [
        True,
        False,
        True,
        True,
        False,
        False,
    ]
    assert [permissions.can_publish(u, post) for u in (author, other_author, blog_admin, admin, member, None)] == [
        False,
        False,
        True,
        True,
        False,
        False,
    ]


def test_another_author_can_neither_save_nor_preview_nor_publish_a_post(author, other_author):
    post = make_post(author=author)

    with pytest.raises(PermissionDenied):
        services.draft_save(obj=post, content=services_content(post), author=other_author, based_on=1)
    with pytest.raises(PermissionDenied):
        services.preview_token(obj=post, revision=1, user=other_author)
    with pytest.raises(PermissionDenied):
        services.publish(obj=post, author=other_author)
    with pytest.raises(PermissionDenied):
        services.publish(obj=post, author=author)  # authors never publish, not even their own


def test_draft_create_sets_attributes_that_are_not_content_and_checks_them(author, other_author):
    content = {"title": "T", "slug": "t", "body": [], "categories": [], "tags": []}

    post = services.draft_create(model=Post, content=content, author=author, attrs={"author": author})
    assert post.author == author

    with pytest.raises(PermissionDenied):  # ownership applies from the first draft
        services.draft_create(
            model=Post, content={**content, "slug": "u"}, author=other_author, attrs={"author": author}
        )


def test_site_pages_keep_their_role_rules(user_with_role):
    page = SitePage(title="x", slug="x")

    assert permissions.can_edit_draft(user_with_role("admin"), page)
    assert not permissions.can_edit_draft(user_with_role("blog_admin"), page)
    assert not permissions.can_publish(user_with_role("blog_author"), page)


def test_diff_of_category_and_tag_lists_is_a_change_of_value(author, news):
    post = make_post(author=author)
    edit(post, author, category_ids=[news.pk], tag_names=["One", "Two"])

    changes = {change.name: change for change in revision_diff(post, 1, 2)}

    assert changes["categories"].kind == "value" and changes["categories"].after == [news.pk]
    assert changes["tags"].after == ["one", "two"]


def test_the_newest_revisions_of_many_posts_are_read_at_once(author):
    first, second = make_post(author=author, title="First"), make_post(author=author, title="Second")
    edit(second, author, title="Second, edited")

    latest = revisions.revision_read_latest([first, Post.objects.get(pk=second.pk)])

    assert {pk: doc["content"]["title"] for pk, doc in latest.items()} == {
        first.pk: "First",
        second.pk: "Second, edited",
    }


def test_tags_are_created_from_names_once(author):
    TagFactory(name="Django", slug="django")
    post = make_post(author=author)

    edit(post, author, tag_names=["django", "  New   thing ", "new thing"])

    assert services_content(post)["tags"] == ["django", "new-thing"]
