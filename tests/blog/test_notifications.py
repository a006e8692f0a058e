"""The blog's notifications: its kinds in its hook, and the subscribers, called with events
directly (as any delivery would) and once end to end on a real worker."""

from __future__ import annotations

import pytest
from django.core import mail

from apps.blog import notifications as blog_notifications
from apps.blog.services import PostChangesRequested, PostSubmitted, post_request_changes, post_submit
from apps.core.comments import services as comment_services
from apps.core.comments.models import Comment
from apps.core.notifications import selectors
from apps.core.notifications.models import Notification
from apps.core.notifications.registry import Email, kind_of
from apps.core.platform import events
from apps.core.platform.hooks import registry
from apps.core.publishing.services import ContentPublished
from tests.blog.factories import PostFactory
from tests.core.comments.factories import CommentFactory
from tests.core.factories import UserFactory
from tests.utils import wait_until

pytestmark = pytest.mark.django_db


def created(comment: Comment) -> comment_services.CommentCreated:
    return comment_services.CommentCreated(
        comment_id=comment.pk,
        target_kind=comment.target_kind,
        target_id=comment.target_id,
        parent_id=comment.parent_id,
        status=comment.status,
        actor_id=comment.author_id,
    )


def test_the_blogs_kinds_come_from_its_hook_named_under_its_domain():
    blog = next(installed.hook for installed in registry().hooks if installed.app == "blog")

    assert {kind.name for kind in blog.notification_kinds} == {
        "blog.comment_reply",
        "blog.comment_held",
        "blog.post_submitted",
        "blog.post_changes_requested",
        "blog.post_published",
    }
    assert kind_of("blog.comment_reply").email == Email.INSTANT


def test_a_published_reply_tells_the_parents_author_linking_to_the_reply(post, comment, reader):
    reply = CommentFactory(parent=comment, author=reader)
    blog_notifications.on_comment_created(created(reply))

    [row] = Notification.objects.filter(recipient=comment.author)
    assert row.kind == "blog.comment_reply" and row.domain == "blog"
    assert row.target_url == f"/blog/{post.slug}/#comment-{reply.pk}"
    assert selectors.notification_text(row) == "Rita Reader replied to your comment on “Threads worth reading”"


def test_replies_to_one_comment_group_as_ana_and_others(post, comment):
    for name in ("Ben", "Cy", "Ana"):
        blog_notifications.on_comment_created(
            created(CommentFactory(parent=comment, author=UserFactory(display_name=name)))
        )

    [row] = Notification.objects.filter(recipient=comment.author)
    assert selectors.notification_text(row) == "Ana and 2 others replied to your comment on “Threads worth reading”"


def test_no_reply_notice_for_a_reply_to_oneself_a_top_level_comment_or_a_held_reply(post, comment, reader):
    blog_notifications.on_comment_created(created(CommentFactory(parent=comment, author=comment.author)))
    blog_notifications.on_comment_created(created(CommentFactory(target=post, author=reader)))
    held = CommentFactory(parent=comment, author=reader, status=Comment.Status.PENDING)
    blog_notifications.on_comment_created(created(held))

    assert not Notification.objects.filter(recipient=comment.author).exists()


def test_a_held_reply_tells_the_moderators_then_the_parents_author_once_approved(post, comment, reader, blog_admin):
    held = CommentFactory(parent=comment, author=reader, status=Comment.Status.PENDING)
    blog_notifications.on_comment_created(created(held))
    assert Notification.objects.filter(recipient=blog_admin, kind="blog.comment_held").count() == 1

    held.status = Comment.Status.APPROVED
    held.save()
    blog_notifications.on_comment_approved(
        comment_services.CommentApproved(
            comment_id=held.pk,
            target_kind=held.target_kind,
            target_id=held.target_id,
            previous_status="pending",
            actor_id=blog_admin.pk,
        )
    )
    assert Notification.objects.filter(recipient=comment.author, kind="blog.comment_reply").count() == 1


def test_a_submission_tells_the_blog_admins_but_not_the_author(author, blog_admin, admin):
    post = PostFactory(author=author, title="Draft one")
    blog_notifications.on_post_submitted(PostSubmitted(post_id=post.pk, revision=1, actor_id=author.pk))

    recipients = set(Notification.objects.filter(kind="blog.post_submitted").values_list("recipient_id", flat=True))
    assert {blog_admin.pk, admin.pk} <= recipients and author.pk not in recipients


def test_changes_requested_and_publication_tell_the_author(author, blog_admin):
    post = PostFactory(author=author, title="Mine")
    blog_notifications.on_post_changes_requested(
        PostChangesRequested(post_id=post.pk, note="More", actor_id=blog_admin.pk)
    )
    event = ContentPublished(model="blog.post", object_id=str(post.pk), revision=1, actor_id=blog_admin.pk)
    blog_notifications.on_post_published(event)
    blog_notifications.on_post_published(ContentPublished(model="core.sitepage", object_id="1", actor_id=blog_admin.pk))

    texts = sorted(selectors.notification_text(n) for n in Notification.objects.filter(recipient=author))
    assert texts == ["Bea Blogadmin asked for changes to “Mine”", "“Mine” is published"]


def test_the_review_services_publish_the_events_the_subscribers_take(author, blog_admin):
    post = PostFactory(author=author, title="Reviewed")
    post_submit(post=post, author=author)
    post_request_changes(post=post, reviewer=blog_admin, note="Shorter, please")
    events.deliver_pending()  # what a worker does with the outbox, here in the test's transaction

    assert Notification.objects.filter(recipient=blog_admin, kind="blog.post_submitted").exists()
    assert Notification.objects.filter(recipient=author, kind="blog.post_changes_requested").exists()


@pytest.mark.django_db(transaction=True)
def test_a_reply_reaches_the_bell_and_the_worker_emails_it(celery_worker, user_with_role):
    # End to end through the comment service: delivered after commit (at once, or by the outbox's
    # worker), the email leaves from the worker, and the unsubscribe link in it works.
    post = PostFactory(live=True, title="Live one")
    writer = user_with_role(None, display_name="Wanda Writer")
    parent = CommentFactory(target=post, author=writer)
    replier = user_with_role(None, display_name="Ana Replier")
    CommentFactory(target=post, author=replier)  # not a first comment: publishes at once

    comment_services.comment_reply(author=replier, parent=parent, body="I agree")

    assert wait_until(lambda: selectors.notification_unread_count(writer) == 1)
    assert wait_until(lambda: any(m.to == [writer.email] for m in mail.outbox))
    email = next(m for m in mail.outbox if m.to == [writer.email])
    assert "Ana Replier replied to your comment on “Live one”" in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_readers_are_asked_only_about_kinds_sent_to_them(author, blog_admin, member):
    def kinds_for(user):  # type: ignore[no-untyped-def]
        # The blog's kinds only: other domains ask about theirs (every member may buy in the shop).
        return {choice.kind.name for choice in selectors.preference_list_for_user(user) if choice.kind.domain == "blog"}

    assert kinds_for(member) == {"blog.comment_reply"}
    assert kinds_for(author) == {"blog.comment_reply", "blog.post_changes_requested", "blog.post_published"}
    assert kinds_for(blog_admin) == {
        "blog.comment_reply",
        "blog.comment_held",
        "blog.post_submitted",
        "blog.post_changes_requested",
        "blog.post_published",
    }
