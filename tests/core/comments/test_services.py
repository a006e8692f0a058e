"""The comment services: every write, what it refuses, and what it leaves behind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core.comments import services
from apps.core.comments.models import Comment, CommentBan, CommentFlag
from apps.core.comments.selectors import comment_thread_for
from apps.core.platform import events
from tests.blog.factories import PostFactory
from tests.core.comments.factories import CommentFactory

Status = Comment.Status


def shown_ids(post, viewer) -> list[int]:
    return list(comment_thread_for(target=post, viewer=viewer).nodes)


# --- Writing ----------------------------------------------------------------------------------


def test_a_first_comment_waits_for_approval_seen_only_by_its_author_and_moderators(post, reader, member, blog_admin):
    comment = services.comment_create(author=reader, target=post, body="Hello there")

    assert comment.status == Status.PENDING
    assert comment.pk in shown_ids(post, reader)
    assert comment.pk in shown_ids(post, blog_admin)
    assert comment.pk not in shown_ids(post, member)
    assert comment.pk not in shown_ids(post, None)


def test_once_a_first_comment_is_approved_the_next_ones_publish_at_once(post, reader, blog_admin):
    first = services.comment_create(author=reader, target=post, body="First")
    second = services.comment_create(author=reader, target=post, body="Still waiting")
    services.comment_approve(comment=first, moderator=blog_admin)

    third = services.comment_create(author=reader, target=post, body="Trusted now")

    assert (second.status, third.status) == (Status.PENDING, Status.APPROVED)


@pytest.mark.parametrize("role", ["blog_admin", "admin", "super_admin"])
def test_moderators_comments_publish_at_once(post, user_with_role, role):
    comment = services.comment_create(author=user_with_role(role), target=post, body="From the desk")

    assert comment.status == Status.APPROVED


def test_a_reply_hangs_under_its_parent_one_level_deeper(post, comment, regular):
    reply = services.comment_create(author=regular, target=post, body="Agreed", parent=comment)

    assert (reply.parent_id, reply.depth) == (comment.pk, 1)
    assert [node.pk for node in comment_thread_for(target=post, viewer=None).nodes[comment.pk].children] == [reply.pk]


def test_a_reply_to_the_deepest_level_joins_that_level(post, comment, regular, settings):
    settings.COMMENT_MAX_DEPTH = 3  # depths 0, 1 and 2
    child = services.comment_create(author=regular, target=post, body="Level two", parent=comment)
    grandchild = services.comment_create(author=regular, target=post, body="Level three", parent=child)

    deeper = services.comment_create(author=regular, target=post, body="Would be level four", parent=grandchild)

    assert (grandchild.depth, deeper.depth) == (2, 2)
    assert deeper.parent_id == child.pk


def test_the_text_is_stored_as_plain_text_trimmed_with_its_line_breaks(post, regular):
    comment = services.comment_create(author=regular, target=post, body="  <b>Bold?</b>\r\nNext line\n\n\n\nLast  \n")

    assert comment.body == "<b>Bold?</b>\nNext line\n\nLast"


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "required"), ("   \n\t ", "required"), ("x" * 5001, "max_length"), ("nul\x00byte", "null_characters")],
)
def test_an_empty_too_long_or_unstorable_comment_is_refused_and_nothing_is_written(post, regular, body, code):
    before = Comment.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.comment_create(author=regular, target=post, body=body)

    assert refused.value.code == code
    assert Comment.objects.count() == before


def test_comments_on_a_post_that_is_not_published_are_refused(draft, regular):
    with pytest.raises(PermissionDenied, match="Comments are not open here"):
        services.comment_create(author=regular, target=draft, body="Early bird")

    assert not Comment.objects.filter(target_id=draft.pk).exists()


def test_a_reply_to_a_comment_of_another_post_is_refused(post, regular):
    elsewhere = CommentFactory(target=PostFactory(live=True))

    with pytest.raises(ValidationError) as refused:
        services.comment_create(author=regular, target=post, body="Wrong place", parent=elsewhere)

    assert refused.value.code == "wrong_thread"
    assert not elsewhere.replies.exists()


def test_a_reply_to_a_deleted_or_removed_comment_is_refused(post, comment, regular, blog_admin):
    other = CommentFactory(target=post)
    services.comment_delete(comment=comment, actor=regular)
    services.comment_remove(comment=other, moderator=blog_admin)

    for parent in (comment, other):
        with pytest.raises(ValidationError, match="can no longer be replied to"):
            services.comment_create(author=regular, target=post, body="Too late", parent=parent)


def test_a_reader_may_not_reply_to_someone_elses_comment_waiting_for_approval(post, reader, regular):
    waiting = services.comment_create(author=reader, target=post, body="Mine, waiting")

    with pytest.raises(ValidationError):
        services.comment_create(author=regular, target=post, body="Cannot see it", parent=waiting)


def test_anonymous_and_deactivated_readers_may_not_comment(post, member):
    member.is_active = False

    for who in (None, member):
        with pytest.raises(PermissionDenied, match="Sign in"):
            services.comment_create(author=who, target=post, body="Hi")


def test_commenting_is_rate_limited_per_reader(post, regular, reader, settings):
    settings.COMMENT_RATE_LIMIT = 2

    for number in range(2):
        services.comment_create(author=regular, target=post, body=f"Quick {number}")
    with pytest.raises(services.CommentRateLimited) as refused:
        services.comment_create(author=regular, target=post, body="One too many")

    assert "too fast" in refused.value.messages[0] and 1 <= refused.value.retry_after <= 60
    assert not Comment.objects.filter(body="One too many").exists()
    services.comment_create(author=reader, target=post, body="Someone else is not slowed down")


def test_the_rate_limit_lets_a_reader_comment_again_in_the_next_window(post, regular, settings, time_machine):
    settings.COMMENT_RATE_LIMIT = 1
    time_machine.move_to(timezone.now().replace(second=5))
    services.comment_create(author=regular, target=post, body="One")
    with pytest.raises(services.CommentRateLimited):
        services.comment_create(author=regular, target=post, body="Two")

    time_machine.move_to(timezone.now() + timedelta(seconds=60))

    services.comment_create(author=regular, target=post, body="Two, later")


# --- Editing and deleting ------------------------------------------------------------------------


def test_the_author_edits_within_the_window_and_not_after(post, regular, settings, time_machine):
    settings.COMMENT_EDIT_WINDOW = 15 * 60
    start = timezone.now()
    time_machine.move_to(start)
    comment = services.comment_create(author=regular, target=post, body="Tpyo")

    time_machine.move_to(start + timedelta(minutes=14, seconds=59))
    services.comment_edit(comment=comment, editor=regular, body="Typo")
    time_machine.move_to(start + timedelta(minutes=15, seconds=1))
    with pytest.raises(PermissionDenied, match="time to edit"):
        services.comment_edit(comment=comment, editor=regular, body="Typo, again")

    comment.refresh_from_db()
    assert comment.body == "Typo" and comment.edited_at is not None


def test_only_the_author_edits_a_comment(post, comment, member, blog_admin):
    for who in (member, blog_admin, None):
        with pytest.raises(PermissionDenied):
            services.comment_edit(comment=comment, editor=who, body="Not yours")

    comment.refresh_from_db()
    assert comment.body == "Published and replyable."


def test_an_edit_is_checked_like_a_new_comment(comment, regular):
    with pytest.raises(ValidationError):
        services.comment_edit(comment=comment, editor=regular, body="  ")


def test_deleting_keeps_the_thread_shape_with_a_deleted_marker(post, comment, regular, member):
    reply = CommentFactory(parent=comment, body="A reply that stays")

    services.comment_delete(comment=comment, actor=regular)

    comment.refresh_from_db()
    assert comment.deleted_at is not None and comment.body == ""
    node = comment_thread_for(target=post, viewer=member).nodes[comment.pk]
    assert node.marker == "deleted"
    assert [child.pk for child in node.children] == [reply.pk]


def test_a_deleted_comment_without_replies_leaves_no_trace_in_the_thread(post, comment, regular):
    services.comment_delete(comment=comment, actor=regular)

    assert comment.pk not in shown_ids(post, regular)


def test_only_the_author_deletes_a_comment(comment, member, blog_admin):
    for who in (member, blog_admin, None):
        with pytest.raises(PermissionDenied):
            services.comment_delete(comment=comment, actor=who)


def test_a_banned_author_may_still_delete_their_comments(post, banned):
    theirs = CommentFactory(target=post, author=banned)

    services.comment_delete(comment=theirs, actor=banned)

    assert Comment.objects.get(pk=theirs.pk).deleted_at is not None


# --- Reports -----------------------------------------------------------------------------------------


def test_a_reader_reports_a_comment_once(comment, member):
    assert services.comment_flag(comment=comment, user=member) is True
    assert services.comment_flag(comment=comment, user=member) is False

    comment.refresh_from_db()
    assert comment.flag_count == 1
    assert CommentFlag.objects.filter(comment=comment).count() == 1


def test_nobody_reports_their_own_comment_or_anonymously(comment, regular):
    for who in (regular, None):
        with pytest.raises(PermissionDenied):
            services.comment_flag(comment=comment, user=who)


def test_reports_past_the_threshold_hide_the_comment_until_a_moderator_decides(
    post, comment, user_with_role, blog_admin, regular, settings
):
    settings.COMMENT_FLAG_THRESHOLD = 2
    services.comment_flag(comment=comment, user=user_with_role(None))
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED

    services.comment_flag(comment=comment, user=user_with_role(None))

    comment.refresh_from_db()
    assert comment.status == Status.HIDDEN
    assert comment.pk not in shown_ids(post, None)
    assert comment.pk in shown_ids(post, regular)  # its author sees it, marked hidden
    services.comment_approve(comment=comment, moderator=blog_admin)
    assert comment.pk in shown_ids(post, None)


def test_keeping_a_reported_comment_settles_its_reports(comment, user_with_role, blog_admin, settings):
    settings.COMMENT_FLAG_THRESHOLD = 2
    services.comment_flag(comment=comment, user=user_with_role(None))

    services.comment_approve(comment=comment, moderator=blog_admin)
    services.comment_flag(comment=comment, user=user_with_role(None))

    comment.refresh_from_db()
    assert (comment.status, comment.flag_count, comment.reviewed_flag_count) == (Status.APPROVED, 2, 1)


# --- Moderation ---------------------------------------------------------------------------------------


def test_rejecting_a_waiting_comment_hides_it_from_everyone(post, reader, blog_admin):
    waiting = services.comment_create(author=reader, target=post, body="Buy now")

    services.comment_reject(comment=waiting, moderator=blog_admin)

    assert Comment.objects.get(pk=waiting.pk).status == Status.REJECTED
    for who in (reader, blog_admin, None):
        assert waiting.pk not in shown_ids(post, who)


def test_removing_a_comment_leaves_a_marker_where_it_has_replies(post, comment, blog_admin, member):
    reply = CommentFactory(parent=comment)

    services.comment_remove(comment=comment, moderator=blog_admin)

    node = comment_thread_for(target=post, viewer=member).nodes[comment.pk]
    assert node.marker == "removed" and [child.pk for child in node.children] == [reply.pk]


def test_moderation_refuses_a_comment_in_the_wrong_state(comment, reader, post, blog_admin):
    waiting = services.comment_create(author=reader, target=post, body="Waiting")

    with pytest.raises(ValidationError):
        services.comment_approve(comment=comment, moderator=blog_admin)  # published, not reported
    with pytest.raises(ValidationError):
        services.comment_reject(comment=comment, moderator=blog_admin)
    with pytest.raises(ValidationError):
        services.comment_remove(comment=waiting, moderator=blog_admin)


@pytest.mark.parametrize("role", [None, "blog_author", "student"])
def test_only_moderators_moderate(comment, user_with_role, role):
    someone = user_with_role(role)

    for action in (services.comment_approve, services.comment_reject, services.comment_remove):
        with pytest.raises(PermissionDenied):
            action(comment=comment, moderator=someone)
    with pytest.raises(PermissionDenied):
        services.commenter_ban(user=comment.author, moderator=someone)


def test_a_banned_reader_may_not_comment_edit_or_report(post, banned, comment):
    theirs = CommentFactory(target=post, author=banned)

    with pytest.raises(PermissionDenied, match="banned"):
        services.comment_create(author=banned, target=post, body="Let me back")
    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=theirs, editor=banned, body="Changed")
    with pytest.raises(PermissionDenied):
        services.comment_flag(comment=comment, user=banned)


def test_banning_rejects_the_readers_waiting_comments_and_unbanning_lets_them_comment(post, reader, blog_admin):
    waiting = services.comment_create(author=reader, target=post, body="Spam")

    ban = services.commenter_ban(user=reader, moderator=blog_admin, reason="Spam links")

    assert (ban.banned_by, ban.reason) == (blog_admin, "Spam links")
    assert Comment.objects.get(pk=waiting.pk).status == Status.REJECTED
    with pytest.raises(PermissionDenied):
        services.comment_create(author=reader, target=post, body="Again")

    services.commenter_unban(user=reader, moderator=blog_admin)

    assert services.comment_create(author=reader, target=post, body="Behaving").status == Status.PENDING
    with pytest.raises(ValidationError, match="not banned"):
        services.commenter_unban(user=reader, moderator=blog_admin)


def test_banning_twice_keeps_one_ban(reader, blog_admin, admin):
    services.commenter_ban(user=reader, moderator=blog_admin)
    services.commenter_ban(user=reader, moderator=admin, reason="Again")

    assert CommentBan.objects.get(user=reader).banned_by == blog_admin


def test_moderators_and_oneself_cannot_be_banned(blog_admin, admin):
    for target in (admin, blog_admin):
        with pytest.raises(PermissionDenied):
            services.commenter_ban(user=target, moderator=blog_admin)


# --- The activity log -----------------------------------------------------------------------------


def test_every_comment_action_lands_in_the_activity_log(
    post, reader, member, blog_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.comment_create(author=reader, target=post, body="One")
        services.comment_approve(comment=first, moderator=blog_admin)
        services.comment_edit(comment=first, editor=reader, body="One, edited")
        services.comment_flag(comment=first, user=member)
        services.comment_remove(comment=first, moderator=blog_admin)
        services.commenter_ban(user=reader, moderator=blog_admin)
        services.commenter_unban(user=reader, moderator=blog_admin)

    events.deliver_pending()
    names = [entry["name"] for entry in events.activity_query() if entry["name"].startswith("comments.comment")]
    assert names[::-1] == [
        "comments.comment_created",
        "comments.comment_approved",
        "comments.comment_edited",
        "comments.comment_flagged",
        "comments.comment_removed",
        "comments.commenter_banned",
        "comments.commenter_unbanned",
    ]


def test_a_refused_write_logs_nothing(post, banned, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.comment_create(author=banned, target=post, body="No")

    events.deliver_pending()
    assert not [entry for entry in events.activity_query() if entry["name"].startswith("comments.comment")]
