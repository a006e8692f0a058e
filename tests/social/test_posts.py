"""Writing posts: text with mentions, hashtags and safe links; images; edits with their history;
soft deletes; likes, reposts and bookmarks as idempotent toggles with counters kept right; the
events and notifications they send."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.core.models import Notification, OutboxEvent
from apps.core.platform import events
from apps.social import text
from apps.social.models import Bookmark, Hashtag, Like, Mention, Post, PostEdit, PostHashtag, PostImage
from apps.social.services import posts as services
from apps.social.services.posts import ImageInput
from tests.social.factories import BlockFactory, FollowFactory, MuteFactory

pytestmark = pytest.mark.django_db


def jpeg_with_gps(name: str = "photo.jpg", size: tuple[int, int] = (1200, 800)) -> SimpleUploadedFile:
    """A JPEG carrying EXIF (a camera make and a GPS position) and bytes appended after its end."""
    image = Image.new("RGB", size, (200, 100, 50))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (48.0, 51.0, 0.0)}  # GPSInfo: latitude
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue() + b"<?php echo 'polyglot'; ?>", content_type="image/jpeg")


# --- Text: mentions, hashtags, links ------------------------------------------------------------


def test_parse_finds_mentions_and_hashtags_once_each_whatever_their_case():
    parsed = text.parse("Hi @Ada and @ada, #Django #django #pottery! mail me at a@b.com, C# is not a tag")
    assert parsed.mentions == ("Ada",)
    assert parsed.hashtags == ("Django", "pottery")


def test_an_address_fragment_is_not_a_hashtag():
    assert text.parse("see https://example.com/page#section").hashtags == ()


def test_render_escapes_html_and_links_addresses_with_nofollow_ugc_noopener(author):
    html = text.render('<script>alert(1)</script> https://example.com/a?b=1&c="x" done.', handles={})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="https://example.com/a?b=1&amp;c="' in html
    assert 'rel="nofollow ugc noopener"' in html
    assert html.endswith(" done.")


@pytest.mark.parametrize(
    "attack",
    [
        'javascript:alert(1) <a href="javascript:alert(1)">x</a>',
        'https://x.test/"onmouseover=alert(1)',
        "<img src=x onerror=alert(1)>",
        "#<b>tag</b> @<i>ada</i>",
        "https://x.test/<script>",
    ],
)
def test_render_never_lets_markup_through(attack):
    html = text.render(attack, handles={"ada": "ada"})
    tags = _tags(html)
    assert {name for name, _ in tags} <= {"a", "br"}
    for _name, attrs in tags:
        assert set(attrs) <= {"href", "class", "rel"}
        assert attrs.get("href", "/").startswith(("https://", "http://", "/"))


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {key: value or "" for key, value in attrs}))


def _tags(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Collect()
    parser.feed(html)
    return parser.tags


def test_a_post_links_known_mentions_and_its_hashtags(author, reader):
    post = services.post_create(author=author, text="Hello @REY and @nobody #Pottery")
    assert '<a class="mention" href="/@rey/"' in post.html
    assert "@nobody" in post.html and "/@nobody/" not in post.html
    assert '<a class="hashtag" href="/social/tags/pottery/"' in post.html
    assert list(Mention.objects.filter(post=post).values_list("user_id", flat=True)) == [reader.pk]
    assert Hashtag.objects.get().display == "Pottery"
    assert PostHashtag.objects.filter(post=post).count() == 1


def test_nobody_across_a_block_is_mentioned_or_linked(author, reader):
    BlockFactory(blocker=reader, blocked=author)
    post = services.post_create(author=author, text="Hello @rey")
    assert not Mention.objects.exists()
    assert "/@rey/" not in post.html


def test_a_post_longer_than_a_thousand_characters_is_refused(author):
    with pytest.raises(ValidationError):
        services.post_create(author=author, text="x" * 1001)
    with pytest.raises(ValidationError):
        services.post_create(author=author, text="   ")
    assert not Post.objects.exists()


# --- Images ---------------------------------------------------------------------------------------


def test_images_are_reencoded_without_their_metadata_with_alt_text_and_renditions(author):
    post = services.post_create(author=author, text="kiln", images=[ImageInput(jpeg_with_gps(), "A red glaze")])
    image = PostImage.objects.get(post=post)
    assert image.alt == "A red glaze"
    with image.image.open("rb") as stored:
        data = stored.read()
    assert b"SecretCam" not in data and b"polyglot" not in data
    with Image.open(io.BytesIO(data)) as decoded:
        assert not decoded.getexif()
    assert set(image.renditions) == {"480", "960"}


def test_a_fifth_image_refuses_the_post_whole(author):
    images = [ImageInput(jpeg_with_gps(f"{n}.jpg", (50, 50)), "x") for n in range(5)]
    with pytest.raises(ValidationError, match="at most 4"):
        services.post_create(author=author, text="too many", images=images)
    assert not Post.objects.exists() and not PostImage.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(author):
    fake = SimpleUploadedFile("x.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="Image 1"):
        services.post_create(author=author, text="hi", images=[ImageInput(fake)])
    assert not Post.objects.exists()


def test_an_image_alone_makes_a_post(author):
    post = services.post_create(author=author, images=[ImageInput(jpeg_with_gps(size=(40, 40)), "dot")])
    assert post.text == "" and post.images.count() == 1


# --- Long posts -----------------------------------------------------------------------------------


def test_a_long_post_keeps_its_body_blocks_cleaned(author):
    body = [{"type": "rich_text", "html": "<p>Long <b>text</b><script>x</script></p>"}]
    post = services.post_create(author=author, text="Intro", body=body)
    assert post.body[0]["type"] == "rich_text" and "<script>" not in post.body[0]["html"]


# --- Replies --------------------------------------------------------------------------------------


def test_a_reply_names_its_thread_root_and_counts_on_its_parent(author, reader):
    root = services.post_create(author=author, text="root")
    reply = services.post_create(author=reader, text="reply", reply_to=root)
    deeper = services.post_create(author=author, text="deeper", reply_to=reply)
    assert (reply.root_id, deeper.root_id) == (root.pk, root.pk)
    root.refresh_from_db()
    assert root.reply_count == 1


def test_a_reply_to_a_followers_only_post_stays_among_its_followers(author, reader):
    FollowFactory(follower=reader, followee=author)
    root = services.post_create(author=author, text="for followers", visibility="followers")
    reply = services.post_create(author=reader, text="reply", reply_to=root, visibility="public")
    assert reply.visibility == "followers"


def test_nobody_replies_to_a_post_they_may_not_read(author, reader):
    root = services.post_create(author=author, text="for followers", visibility="followers")
    with pytest.raises(PermissionDenied):
        services.post_create(author=reader, text="sneaky", reply_to=root)
    assert Post.objects.count() == 1


def test_an_audience_the_author_may_not_post_to_is_refused(author):
    with pytest.raises(ValidationError):
        services.post_create(author=author, text="hi", visibility="audience", audience="lms.course:999")
    assert not Post.objects.exists()


# --- Edits and deletes ----------------------------------------------------------------------------


def test_an_edit_keeps_the_earlier_text_in_the_history(author, reader):
    post = services.post_create(author=author, text="frist #typo")
    services.post_edit(actor=author, post=post, text="first, @rey #fixed")
    post.refresh_from_db()
    assert post.text == "first, @rey #fixed" and post.edited_at is not None
    assert list(PostEdit.objects.values_list("text", flat=True)) == ["frist #typo"]
    assert list(post.hashtags.values_list("name", flat=True)) == ["fixed"]
    assert Mention.objects.filter(post=post, user=reader).exists()


def test_an_unchanged_edit_writes_no_history(author):
    post = services.post_create(author=author, text="same")
    services.post_edit(actor=author, post=post, text="same")
    assert not PostEdit.objects.exists()


def test_only_the_author_edits(author, reader):
    post = services.post_create(author=author, text="mine")
    with pytest.raises(PermissionDenied):
        services.post_edit(actor=reader, post=post, text="yours now")
    post.refresh_from_db()
    assert post.text == "mine" and not PostEdit.objects.exists()


def test_a_deleted_post_keeps_its_place_in_the_thread_without_its_content(author, reader):
    root = services.post_create(author=author, text="root #tag @rey")
    reply = services.post_create(author=reader, text="reply", reply_to=root)
    services.post_delete(actor=author, post=root)
    root.refresh_from_db()
    reply.refresh_from_db()
    assert root.is_deleted and root.text == root.html == ""
    assert not root.mentions.exists() and not root.hashtags.exists()
    assert reply.root_id == root.pk and reply.reply_to_id == root.pk


def test_a_stranger_may_not_delete_but_staff_may(author, reader, staff):
    post = services.post_create(author=author, text="mine")
    with pytest.raises(PermissionDenied):
        services.post_delete(actor=reader, post=post)
    services.post_delete(actor=staff, post=post)
    post.refresh_from_db()
    assert post.is_deleted


# --- Toggles --------------------------------------------------------------------------------------


def test_liking_twice_counts_once_and_unliking_twice_once(author, reader):
    post = services.post_create(author=author, text="like me")
    assert services.post_like(user=reader, post=post) is True
    assert services.post_like(user=reader, post=post) is False
    post.refresh_from_db()
    assert post.like_count == 1 and Like.objects.count() == 1
    assert services.post_like(user=reader, post=post, on=False) is True
    assert services.post_like(user=reader, post=post, on=False) is False
    post.refresh_from_db()
    assert post.like_count == 0


def test_a_repost_is_one_per_person_and_undone_cleanly(author, reader):
    post = services.post_create(author=author, text="spread me")
    first = services.post_repost(user=reader, post=post)
    again = services.post_repost(user=reader, post=post)
    assert first.pk == again.pk and first.repost_of_id == post.pk
    post.refresh_from_db()
    assert post.repost_count == 1
    services.post_repost(user=reader, post=post, on=False)
    post.refresh_from_db()
    assert post.repost_count == 0 and not Post.objects.filter(repost_of=post).exists()


def test_only_public_posts_are_reposted(author, reader):
    FollowFactory(follower=reader, followee=author)
    post = services.post_create(author=author, text="followers", visibility="followers")
    with pytest.raises(PermissionDenied):
        services.post_repost(user=reader, post=post)


def test_bookmarks_are_idempotent(author, reader):
    post = services.post_create(author=author, text="keep")
    services.post_bookmark(user=reader, post=post)
    services.post_bookmark(user=reader, post=post)
    assert Bookmark.objects.count() == 1
    services.post_bookmark(user=reader, post=post, on=False)
    assert not Bookmark.objects.exists()


def test_nobody_likes_a_post_they_may_not_read(author, reader):
    post = services.post_create(author=author, text="secret", visibility="mentioned")
    with pytest.raises(PermissionDenied):
        services.post_like(user=reader, post=post)
    assert not Like.objects.exists()


# --- Events and notifications ---------------------------------------------------------------------


def test_a_post_publishes_its_created_event_with_its_reach(author):
    post = services.post_create(author=author, text="hi", visibility="followers")
    row = OutboxEvent.objects.get(name="social.post_created")
    assert row.payload["post_id"] == post.pk and row.payload["author_id"] == author.pk
    assert row.payload["visibility"] == "followers" and row.payload["audience"] == ""
    assert "created_at" in row.payload


def test_deleting_publishes_the_deleted_event(author):
    post = services.post_create(author=author, text="bye")
    services.post_delete(actor=author, post=post)
    assert OutboxEvent.objects.filter(name="social.post_deleted").count() == 1


def test_mentions_replies_likes_and_reposts_notify_the_people_concerned(author, reader, outsider):
    post = services.post_create(author=author, text="hello @rey")
    services.post_create(author=reader, text="hi back", reply_to=post)
    services.post_like(user=reader, post=post)
    services.post_like(user=outsider, post=post)
    services.post_repost(user=outsider, post=post)
    events.deliver_pending()
    kinds = dict(Notification.objects.values_list("kind", "recipient_id").order_by("kind"))
    assert Notification.objects.filter(recipient=reader, kind="social.mention").exists()
    assert Notification.objects.filter(recipient=author, kind="social.reply").exists()
    like = Notification.objects.get(recipient=author, kind="social.like")
    assert like.count == 2  # grouped: "Oz and 1 other liked your post"
    assert Notification.objects.filter(recipient=author, kind="social.repost").exists()
    assert kinds


def test_a_muted_person_notifies_nobody_who_muted_them(author, reader):
    MuteFactory(muter=author, muted=reader)
    post = services.post_create(author=author, text="hi")
    services.post_like(user=reader, post=post)
    events.deliver_pending()
    assert not Notification.objects.filter(recipient=author).exists()


def test_an_edit_tells_only_the_people_it_newly_mentions(author, reader, outsider):
    post = services.post_create(author=author, text="hi @rey")
    services.post_edit(actor=author, post=post, text="hi @rey and @oz")
    events.deliver_pending()
    assert Notification.objects.filter(recipient=reader, kind="social.mention").count() == 1
    assert Notification.objects.get(recipient=outsider, kind="social.mention").count == 1


def test_nobody_is_told_of_their_own_reply(author, reader):
    post = services.post_create(author=author, text="mine")
    services.post_create(author=author, text="me again", reply_to=post)
    events.deliver_pending()
    assert not Notification.objects.exists()
