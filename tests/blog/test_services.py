"""The blog's writes: drafts through the engine, review, publication, covers, categories, tags."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from apps.blog import covers, services
from apps.blog.models import Category, Post, Tag
from apps.blog.selectors import post_draft_content
from apps.blog.services import PostInput
from apps.core.platform import events
from apps.core.publishing import services as publishing
from apps.core.publishing.services import DraftConflict
from tests.blog.factories import make_post, paragraph


def image_upload(width: int = 2000, height: int = 1000, image_format: str = "PNG", name: str = "cover.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#2f5bea").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def data(**changes) -> PostInput:
    base = {"title": "A title", "body": [paragraph("Some words.")]}
    return PostInput(**{**base, **changes})


def test_a_post_gets_an_address_from_its_title_and_keeps_it(author):
    make_post(author=author, slug="hello-world")

    post = services.post_create(author=author, data=data(title="Hello, World!"))
    services.post_update(post=post, editor=author, data=data(title="Something else"), based_on=1)

    assert post.slug == "hello-world-2" and post_draft_content(post)["slug"] == "hello-world-2"


def test_a_member_cannot_write_posts_and_nothing_is_created(member):
    with pytest.raises(PermissionDenied):
        services.post_create(author=member, data=data())
    assert not Post.objects.exists()


def test_an_outdated_editor_is_refused_and_nothing_is_written(author, blog_admin):
    post = make_post(author=author)
    services.post_update(post=post, editor=blog_admin, data=data(title="The admin's"), based_on=1)

    with pytest.raises(DraftConflict) as conflict:
        services.post_update(post=post, editor=author, data=data(title="The author's", tag_names=("new",)), based_on=1)

    assert "Revision 2 was saved" in conflict.value.messages[0]
    assert Post.objects.get(pk=post.pk).latest_revision == 2
    assert not Tag.objects.filter(slug="new").exists()  # the refused save's new tag went with it


def test_an_author_submits_and_a_blog_admin_sends_it_back_with_a_note(
    author, blog_admin, django_capture_on_commit_callbacks
):
    post = make_post(author=author)

    with django_capture_on_commit_callbacks(execute=True):
        services.post_submit(post=post, author=author)
    assert post.review_state == Post.ReviewState.SUBMITTED and post.submitted_at
    events.deliver_pending()
    assert events.activity_query(name="blog.post_submitted").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.post_request_changes(post=post, reviewer=blog_admin, note="Add a conclusion.")
    post.refresh_from_db()
    assert post.review_state == Post.ReviewState.CHANGES_REQUESTED and post.review_note == "Add a conclusion."
    events.deliver_pending()
    assert events.activity_query(name="blog.post_changes_requested").count() == 1


def test_review_refuses_what_makes_no_sense(author, other_author, blog_admin):
    post = make_post(author=author)

    with pytest.raises(PermissionDenied):
        services.post_submit(post=post, author=other_author)
    with pytest.raises(ValidationError, match="not waiting"):
        services.post_request_changes(post=post, reviewer=blog_admin, note="Hm")
    services.post_submit(post=post, author=author)
    with pytest.raises(ValidationError, match="already waiting"):
        services.post_submit(post=post, author=author)
    with pytest.raises(ValidationError, match="Say what"):
        services.post_request_changes(post=post, reviewer=blog_admin, note="  ")
    with pytest.raises(PermissionDenied):
        services.post_request_changes(post=post, reviewer=author, note="Self-review")
    assert Post.objects.get(pk=post.pk).review_state == Post.ReviewState.SUBMITTED


def test_an_empty_post_cannot_be_submitted_or_published(author, blog_admin):
    post = services.post_create(author=author, data=data(body=[]))

    with pytest.raises(ValidationError, match="body"):
        services.post_submit(post=post, author=author)
    with pytest.raises(ValidationError, match="body"):
        services.post_publish(post=post, publisher=blog_admin)
    assert not Post.objects.get(pk=post.pk).live


def test_an_authors_edit_withdraws_a_submission_but_a_reviewers_does_not(author, blog_admin):
    post = make_post(author=author)
    services.post_submit(post=post, author=author)

    services.post_update(post=post, editor=blog_admin, data=data(title="Fixed typo"), based_on=1)
    assert Post.objects.get(pk=post.pk).review_state == Post.ReviewState.SUBMITTED

    services.post_update(post=post, editor=author, data=data(title="Rewritten"), based_on=2)
    assert Post.objects.get(pk=post.pk).review_state == Post.ReviewState.DRAFT


def test_publishing_ends_the_review_and_publishes_the_revision_the_reviewer_saw(author, blog_admin):
    post = make_post(author=author, title="Reviewed")
    services.post_submit(post=post, author=author)
    services.post_update(post=post, editor=blog_admin, data=data(title="Unseen"), based_on=1)

    services.post_publish(post=post, publisher=blog_admin, revision=1)

    post.refresh_from_db()
    assert post.live and post.title == "Reviewed" and post.has_unpublished_changes
    assert post.review_state == Post.ReviewState.DRAFT and post.submitted_at is None


def test_authors_never_publish_schedule_or_unpublish(author, blog_admin):
    post = make_post(author=author, live=True, publisher=blog_admin)
    later = timezone.now() + timedelta(hours=1)

    for attempt in (
        lambda: services.post_publish(post=post, publisher=author),
        lambda: services.post_schedule(post=post, publisher=author, go_live_at=later),
        lambda: services.post_unpublish(post=post, publisher=author),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert Post.objects.get(pk=post.pk).live


def test_a_scheduled_post_goes_live_when_due_with_its_categories(author, blog_admin, news, time_machine):
    post = make_post(author=author, categories=[news])
    services.post_submit(post=post, author=author)
    start = timezone.now()

    services.post_schedule(post=post, publisher=blog_admin, go_live_at=start + timedelta(hours=1))
    assert Post.objects.get(pk=post.pk).review_state == Post.ReviewState.DRAFT  # reviewed: it is scheduled
    time_machine.move_to(start + timedelta(hours=1, seconds=1))
    publishing.publish_due()

    post = Post.objects.get(pk=post.pk)
    assert post.live and list(post.categories.all()) == [news]


def test_unpublishing_takes_a_post_down(author, blog_admin):
    post = make_post(author=author, live=True, publisher=blog_admin)

    services.post_unpublish(post=post, publisher=blog_admin)

    assert not Post.objects.get(pk=post.pk).live


# --- Covers -----------------------------------------------------------------------------------


def test_a_cover_is_stored_with_webp_renditions_named_by_its_size(author):
    post = services.post_create(author=author, data=data(cover_alt="Blue"), cover=image_upload(2000, 1000))

    name = post_draft_content(post)["cover"]
    assert name.startswith("blog/covers/") and name.endswith("_2000x1000.png")
    made = covers.renditions(name)
    assert [(r.width, r.height) for r in made] == [(480, 240), (960, 480), (1600, 800)]
    for rendition in made:
        with default_storage.open(rendition.name) as stored, Image.open(stored) as image:
            assert image.format == "WEBP" and image.size == (rendition.width, rendition.height)


def test_a_small_cover_is_never_enlarged(author):
    post = services.post_create(author=author, data=data(), cover=image_upload(300, 200))

    assert [(r.width, r.height) for r in covers.renditions(post_draft_content(post)["cover"])] == [(300, 200)]


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_kept(author):
    fake = SimpleUploadedFile("cover.png", b"<svg onload=alert(1)>", content_type="image/png")

    with pytest.raises(ValidationError, match="PNG, JPEG, GIF or WebP"):
        services.post_create(author=author, data=data(), cover=fake)
    assert not Post.objects.exists()
    assert not default_storage.exists("blog/covers") or not default_storage.listdir("blog/covers")[1]


def test_a_refused_save_deletes_the_cover_it_uploaded(author, blog_admin):
    post = make_post(author=author)
    services.post_update(post=post, editor=blog_admin, data=data(), based_on=1)

    with pytest.raises(DraftConflict):
        services.post_update(post=post, editor=author, data=data(), based_on=1, cover=image_upload(600, 300))

    year = f"{timezone.now():%Y}"
    assert default_storage.listdir(f"blog/covers/{year}")[1] == []


def test_replacing_a_cover_keeps_the_old_one_for_older_revisions(author):
    post = services.post_create(author=author, data=data(), cover=image_upload(600, 300))
    first = post_draft_content(post)["cover"]

    services.post_update(post=post, editor=author, data=data(), based_on=1, cover=image_upload(700, 300))
    assert post_draft_content(post)["cover"] != first and default_storage.exists(first)

    services.post_update(post=post, editor=author, data=data(), based_on=2, remove_cover=True)
    assert post_draft_content(post)["cover"] == ""


def test_covers_work_on_s3(author, s3_storage):
    post = services.post_create(author=author, data=data(), cover=image_upload(1000, 500))

    name = post_draft_content(post)["cover"]
    assert s3_storage.exists(name) and all(s3_storage.exists(r.name) for r in covers.renditions(name))


# --- Categories and tags ---------------------------------------------------------------------------


def test_blog_admins_add_categories_and_nobody_else_does(blog_admin, author):
    category = services.category_create(actor=blog_admin, name="Release notes", description="What changed")

    assert category.slug == "release-notes"
    with pytest.raises(PermissionDenied):
        services.category_create(actor=author, name="Mine")
    with pytest.raises(ValidationError):
        services.category_create(actor=blog_admin, name="Release notes")  # taken
    with pytest.raises(ValidationError):
        services.category_create(actor=blog_admin, name="!!!")
    assert Category.objects.count() == 1


def test_authors_add_tags_as_they_write_and_members_cannot(author, member):
    assert [tag.slug for tag in services.tags_get_or_create(actor=author, names=["Web Dev", "web dev", "CSS"])] == [
        "web-dev",
        "css",
    ]
    with pytest.raises(PermissionDenied):
        services.tag_create(actor=member, name="spam")
    with pytest.raises(ValidationError, match="at most"):
        services.tags_get_or_create(actor=author, names=[f"t{i}" for i in range(11)])
    assert Tag.objects.count() == 2


def test_a_covers_kept_original_has_no_metadata_nor_bytes_after_the_image(author):
    from tests.core.accounts.helpers import jpeg_with_gps_and_trailer

    post = services.post_create(author=author, data=data(cover_alt="A view"), cover=jpeg_with_gps_and_trailer())

    with default_storage.open(post.cover) as stored:
        kept = stored.read()
    assert b"Canon" not in kept and b"Exif" not in kept and kept.endswith(b"\xff\xd9")
    assert post.cover.endswith("_8x16.jpg")  # upright: the orientation is applied to the pixels
