"""Comment pages and fragments: who may do what, htmx fragments and plain redirects, bad input,
and what the post page shows (escaped text, a flat number of queries)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from apps.core.comments.models import Comment, CommentBan, CommentFlag
from tests.blog.factories import PostFactory
from tests.core.comments.factories import CommentBanFactory, CommentFactory
from tests.core.comments.test_selectors import build_thread
from tests.core.factories import UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
Status = Comment.Status
LOGIN = "/accounts/login/"


def url(name: str, *args) -> str:
    """The blog's own comment addresses (/blog/<slug>/comments/, /blog/comments/<id>/...)."""
    return reverse(f"blog_comments:{name}", args=args)


def core_url(name: str, *args) -> str:
    """Core's comment addresses, which pages link to (/comments/<id>/..., /moderation/)."""
    return reverse(f"comments:{name}", args=args)


@pytest.fixture
def waiting(post, reader) -> Comment:
    """A first comment by ``reader``, waiting for approval."""
    return CommentFactory(target=post, author=reader, status=Status.PENDING, body="Please approve me")


@pytest.fixture
def actors(regular, member, blog_admin, admin, banned):
    """Who asks: the comment's author (``regular``), another member, moderators, anonymous, banned."""
    return {
        "author": regular,
        "member": member,
        "blog_admin": blog_admin,
        "admin": admin,
        "anonymous": None,
        "banned": banned,
    }


def outcome(response) -> int | str:
    """The status, or "login" for a redirect to the sign-in page."""
    if response.status_code == 302 and response["Location"].startswith(LOGIN):
        return "login"
    return response.status_code


# --- Who may do what ----------------------------------------------------------------------------

MATRIX = {
    # action: {actor: expected}
    "create": {"author": 302, "member": 302, "blog_admin": 302, "admin": 302, "anonymous": "login", "banned": 403},
    "reply": {"author": 302, "member": 302, "blog_admin": 302, "admin": 302, "anonymous": "login", "banned": 403},
    "edit": {"author": 302, "member": 403, "blog_admin": 403, "admin": 403, "anonymous": "login", "banned": 403},
    "delete": {"author": 302, "member": 403, "blog_admin": 403, "admin": 403, "anonymous": "login", "banned": 403},
    "flag": {"author": 403, "member": 302, "blog_admin": 302, "admin": 302, "anonymous": "login", "banned": 403},
    "approve": {"author": 403, "member": 403, "blog_admin": 302, "admin": 302, "anonymous": "login", "banned": 403},
    "reject": {"author": 403, "member": 403, "blog_admin": 302, "admin": 302, "anonymous": "login", "banned": 403},
    "remove": {"author": 403, "member": 403, "blog_admin": 302, "admin": 302, "anonymous": "login", "banned": 403},
    "ban-author": {"author": 403, "member": 403, "blog_admin": 302, "admin": 302, "anonymous": "login", "banned": 403},
    "unban": {"author": 403, "member": 403, "blog_admin": 302, "admin": 302, "anonymous": "login", "banned": 403},
    "moderation": {"author": 403, "member": 403, "blog_admin": 200, "admin": 200, "anonymous": "login", "banned": 403},
}
CASES = [(action, actor, expected) for action, row in MATRIX.items() for actor, expected in row.items()]


def request_for(action: str, *, post, comment, waiting, banned):
    """(method, url, data) of one action. Moderators decide on ``waiting``; the rest act on
    ``comment`` (a published comment by ``regular``)."""
    body = {"body": "Fine words"}
    return {
        "create": ("post", url("create", post.slug), body),
        "reply": ("post", url("reply", comment.pk), body),
        "edit": ("post", url("edit", comment.pk), body),
        "delete": ("post", url("delete", comment.pk), {}),
        "flag": ("post", url("flag", comment.pk), {}),
        "approve": ("post", url("approve", waiting.pk), {}),
        "reject": ("post", url("reject", waiting.pk), {}),
        "remove": ("post", url("remove", comment.pk), {}),
        "ban-author": ("post", url("ban-author", waiting.pk), {"reason": "Spam"}),
        "unban": ("post", url("unban", banned.pk), {}),
        "moderation": ("get", reverse("comments:moderation") + "?domain=blog", {}),
    }[action]


@pytest.mark.parametrize(("action", "actor", "expected"), CASES)
def test_who_may_do_what(action, actor, expected, actors, client_for, post, comment, waiting, banned):
    method, address, data = request_for(action, post=post, comment=comment, waiting=waiting, banned=banned)

    response = getattr(client_for(actors[actor]), method)(address, data)

    assert outcome(response) == expected, response.content[:300]


def test_a_refused_action_changes_nothing(client_for, member, comment, waiting, banned):
    client = client_for(member)
    before = list(Comment.objects.order_by("pk").values())

    client.post(url("edit", comment.pk), {"body": "Hijacked"})
    client.post(url("delete", comment.pk))
    client.post(url("approve", waiting.pk))
    client.post(url("remove", comment.pk))
    client.post(url("ban-author", waiting.pk))
    client.post(url("unban", banned.pk))

    assert list(Comment.objects.order_by("pk").values()) == before
    assert CommentBan.objects.filter(user=banned).exists()
    assert not CommentBan.objects.filter(user=waiting.author).exists()


def test_the_moderation_page_is_open_to_every_role_above_blog_admin(client_for, cast):
    for role, expected in [("super_admin", 200), ("blog_author", 403), ("student", 403), ("instructor", 403)]:
        assert client_for(cast[role]).get(core_url("moderation")).status_code == expected, role


def test_a_comment_waiting_for_approval_is_a_404_to_other_readers(client_for, waiting, member):
    for address in (url("detail", waiting.pk), url("reply", waiting.pk)):
        assert client_for(member).get(address, **HTMX).status_code == 404
        assert client_for(None).get(address).status_code in (302, 404)
    assert client_for(member).post(url("flag", waiting.pk)).status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("delete", "get"),
        ("flag", "get"),
        ("approve", "get"),
        ("reject", "get"),
        ("remove", "get"),
        ("ban-author", "get"),
        ("detail", "post"),
        ("moderation", "post"),
        ("reply", "put"),
        ("edit", "delete"),
    ],
)
def test_wrong_methods_get_405(client_for, blog_admin, comment, name, method):
    response = getattr(client_for(blog_admin), method)(url(name, comment.pk) if name != "moderation" else url(name))

    assert response.status_code == 405


def test_wrong_methods_on_the_post_and_unban_addresses_get_405(client_for, blog_admin, post, banned):
    client = client_for(blog_admin)

    assert client.put(url("create", post.slug)).status_code == 405
    assert client.get(url("unban", banned.pk)).status_code == 405


# --- Writing, with and without htmx -------------------------------------------------------------------


def test_htmx_gets_the_new_comment_for_the_end_of_the_thread_and_a_fresh_form(client_for, post, regular):
    response = client_for(regular).post(url("create", post.slug), {"body": "Hello, thread"}, **HTMX)

    comment = Comment.objects.get(body="Hello, thread")
    html = response.content.decode()
    assert response.status_code == 201
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#comment-list", "beforeend")
    assert f'id="comment-{comment.pk}"' in html and "Hello, thread" in html
    assert 'id="comment-form"' in html and 'hx-swap-oob="true"' in html
    assert "<html" not in html


def test_a_plain_post_is_sent_to_the_new_comment_on_the_post_page(client_for, post, regular):
    client = client_for(regular)

    response = client.post(url("create", post.slug), {"body": "No JavaScript here"})

    comment = Comment.objects.get(body="No JavaScript here")
    assert response.status_code == 302
    assert response["Location"] == f"/blog/{post.slug}/#comment-{comment.pk}"
    page = client.get(response["Location"])
    assert "Your comment is published." in page.content.decode()


def test_a_first_comment_shows_to_its_author_as_awaiting_approval(client_for, post, reader, member):
    response = client_for(reader).post(url("create", post.slug), {"body": "My very first"}, follow=True)

    html = response.content.decode()
    assert "waits for a moderator" in html and "Awaiting approval" in html and "My very first" in html
    assert "My very first" not in client_for(member).get(post.get_absolute_url()).content.decode()


def test_the_reply_form_opens_under_the_comment_with_htmx_and_as_a_page_without(client_for, comment, member):
    client = client_for(member)

    fragment = client.get(url("reply", comment.pk), **HTMX)
    page = client.get(url("reply", comment.pk))

    assert fragment.status_code == page.status_code == 200
    assert f'id="reply-form-{comment.pk}"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert "<html" in page.content.decode() and "Published and replyable." in page.content.decode()


def test_an_htmx_reply_lands_under_its_parent_and_closes_the_form(client_for, comment, regular):
    response = client_for(regular).post(url("reply", comment.pk), {"body": "In reply"}, **HTMX)

    reply = Comment.objects.get(body="In reply")
    assert reply.parent_id == comment.pk and response.status_code == 201
    assert response["HX-Retarget"] == f"#replies-{comment.pk}"
    assert f'id="reply-slot-{comment.pk}"' in response.content.decode()


def test_a_reply_past_the_deepest_level_lands_in_that_level(client_for, post, regular, settings):
    settings.COMMENT_MAX_DEPTH = 2
    top = CommentFactory(target=post)
    deepest = CommentFactory(parent=top)

    response = client_for(regular).post(url("reply", deepest.pk), {"body": "Flattened"}, **HTMX)

    assert Comment.objects.get(body="Flattened").parent_id == top.pk
    assert response["HX-Retarget"] == f"#replies-{top.pk}"
    assert f'id="reply-slot-{deepest.pk}"' in response.content.decode()  # the form that was used closes


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write something first"), ("   ", "Write something first"), ("x" * 5001, "at most 5000 characters")],
)
@pytest.mark.parametrize("htmx", [True, False])
def test_an_empty_or_too_long_comment_comes_back_with_the_error_and_nothing_is_written(
    client_for, post, regular, body, message, htmx
):
    before = Comment.objects.count()

    response = client_for(regular).post(url("create", post.slug), {"body": body}, **(HTMX if htmx else {}))

    html = response.content.decode()
    assert response.status_code == 422
    assert message in html and 'aria-invalid="true"' in html
    assert ("<html" in html) is not htmx
    assert Comment.objects.count() == before


def test_a_reply_to_a_comment_of_another_post_is_refused(client_for, post, regular):
    elsewhere = CommentFactory(target=PostFactory(live=True))

    response = client_for(regular).post(url("create", post.slug), {"body": "Misplaced", "parent": elsewhere.pk})

    assert response.status_code == 422
    assert "belongs to another thread" in response.content.decode()
    assert not Comment.objects.filter(body="Misplaced").exists()


def test_a_reply_to_a_comment_that_does_not_exist_is_refused(client_for, post, regular):
    response = client_for(regular).post(url("create", post.slug), {"body": "To nobody", "parent": 987654}, **HTMX)

    assert response.status_code == 422 and "does not exist" in response.content.decode()
    assert not Comment.objects.filter(body="To nobody").exists()


def test_nothing_is_written_on_a_post_that_is_not_published(client_for, draft, regular):
    on_draft = CommentFactory(target=draft)

    assert client_for(regular).post(url("create", draft.slug), {"body": "Hi"}).status_code == 404
    assert client_for(regular).post(url("reply", on_draft.pk), {"body": "Hi"}).status_code == 404
    assert client_for(regular).post(url("create", "no-such-post"), {"body": "Hi"}).status_code == 404
    assert Comment.objects.filter(target_id=draft.pk).count() == 1


def test_commenting_too_fast_gets_a_429_with_a_clear_message_in_the_form(client_for, post, regular, settings):
    settings.COMMENT_RATE_LIMIT = 1
    client = client_for(regular)
    client.post(url("create", post.slug), {"body": "One"}, **HTMX)

    response = client.post(url("create", post.slug), {"body": "Two"}, **HTMX)

    assert response.status_code == 429
    assert "You are commenting too fast" in response.content.decode()
    assert not Comment.objects.filter(body="Two").exists()


def test_anonymous_htmx_requests_are_sent_to_sign_in_as_a_whole_page(client_for, post, comment):
    response = client_for(None).post(
        url("flag", comment.pk), **HTMX, HTTP_HX_CURRENT_URL=f"http://testserver{post.get_absolute_url()}"
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{LOGIN}?next=/blog/{post.slug}/"


# --- Editing, deleting, reporting -------------------------------------------------------------------


def test_the_author_edits_in_place_with_htmx(client_for, comment, regular):
    client = client_for(regular)

    form = client.get(url("edit", comment.pk), **HTMX)
    saved = client.post(url("edit", comment.pk), {"body": "Better words"}, **HTMX)

    assert (
        "Published and replyable." in form.content.decode() and f'id="edit-form-{comment.pk}"' in form.content.decode()
    )
    assert (saved["HX-Retarget"], saved["HX-Reswap"]) == (f"#comment-{comment.pk}", "outerHTML")
    assert "Better words" in saved.content.decode() and "(edited)" in saved.content.decode()
    assert Comment.objects.get(pk=comment.pk).body == "Better words"


def test_an_edit_after_the_window_is_refused_in_the_form_and_changes_nothing(
    client_for, post, regular, settings, time_machine
):
    written = timezone.now()
    time_machine.move_to(written)
    comment = CommentFactory(target=post, author=regular, created_at=written, body="As written")
    client = client_for(regular)
    client.get(url("edit", comment.pk), **HTMX)  # the form opened in time
    time_machine.move_to(written + timedelta(seconds=settings.COMMENT_EDIT_WINDOW + 1))

    response = client.post(url("edit", comment.pk), {"body": "Too late"}, **HTMX)

    assert response.status_code == 422 and "The time to edit this comment has passed." in response.content.decode()
    assert client.get(url("edit", comment.pk)).status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == "As written"


def test_deleting_with_htmx_leaves_a_marker_where_replies_hang(client_for, comment, regular):
    CommentFactory(parent=comment, body="Still here")

    response = client_for(regular).post(url("delete", comment.pk), **HTMX)

    html = response.content.decode()
    assert "Comment deleted by its author" in html and "Still here" in html
    assert "Published and replyable." not in html


def test_deleting_a_comment_without_replies_takes_it_off_the_page(client_for, comment, regular):
    response = client_for(regular).post(url("delete", comment.pk), **HTMX)

    assert response.status_code == 200 and response.content == b""


def test_a_plain_delete_is_sent_back_to_the_post(client_for, comment, regular, post):
    response = client_for(regular).post(url("delete", comment.pk))

    assert response["Location"] == f"/blog/{post.slug}/#comment-{comment.pk}"


def test_reporting_with_htmx_says_reported_and_a_second_report_counts_nothing(client_for, comment, member):
    client = client_for(member)

    response = client.post(url("flag", comment.pk), **HTMX)
    again = client.post(url("flag", comment.pk), **HTMX)

    assert "Reported" in response.content.decode() and ">Report<" not in response.content.decode()
    assert again.status_code == 200 and "Reported" in again.content.decode()
    assert CommentFlag.objects.filter(comment=comment).count() == 1
    assert Comment.objects.get(pk=comment.pk).flag_count == 1


def test_the_fragment_is_the_comment_for_htmx_and_a_redirect_to_it_otherwise(client_for, comment, post):
    fragment = client_for(None).get(url("detail", comment.pk), **HTMX)
    plain = client_for(None).get(url("detail", comment.pk))

    assert fragment.status_code == 200 and f'id="comment-{comment.pk}"' in fragment.content.decode()
    assert "Reply" not in fragment.content.decode()  # anonymous readers get no buttons
    assert plain["Location"] == f"/blog/{post.slug}/#comment-{comment.pk}"
    assert client_for(None).get(url("detail", 987654), **HTMX).status_code == 404


# --- Moderation ---------------------------------------------------------------------------------------


def test_the_queue_lists_waiting_comments_with_their_actions(client_for, blog_admin, waiting, post):
    html = client_for(blog_admin).get(core_url("moderation")).content.decode()

    assert "Please approve me" in html and "First comment, waiting for approval" in html
    assert f'id="queue-{waiting.pk}"' in html
    assert f'href="/blog/{post.slug}/#comment-{waiting.pk}"' in html
    for action in ("approve", "reject", "ban-author"):
        assert core_url(action, waiting.pk) in html


def test_approving_from_the_queue_with_htmx_updates_the_row_in_place(client_for, blog_admin, waiting, member, post):
    response = client_for(blog_admin).post(url("approve", waiting.pk), {"from": "queue"}, **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="moderation-item moderation-item--done" id="queue-{waiting.pk}"')
    assert "The comment is published." in html and core_url("approve", waiting.pk) not in html
    assert Comment.objects.get(pk=waiting.pk).status == Status.APPROVED
    assert "Please approve me" in client_for(member).get(post.get_absolute_url()).content.decode()


def test_a_plain_decision_is_sent_back_to_the_queue_or_the_comment(client_for, blog_admin, waiting, comment, post):
    client = client_for(blog_admin)

    from_queue = client.post(url("reject", waiting.pk), {"from": "queue"})
    from_thread = client.post(url("remove", comment.pk))

    assert from_queue["Location"] == core_url("moderation")
    assert from_thread["Location"] == f"/blog/{post.slug}/#comment-{comment.pk}"
    assert Comment.objects.get(pk=waiting.pk).status == Status.REJECTED
    assert Comment.objects.get(pk=comment.pk).status == Status.REMOVED


def test_a_decision_someone_else_already_took_shows_where_the_comment_stands(client_for, blog_admin, admin, waiting):
    client_for(admin).post(url("reject", waiting.pk), {"from": "queue"}, **HTMX)

    response = client_for(blog_admin).post(url("approve", waiting.pk), {"from": "queue"}, **HTMX)

    assert response.status_code == 200
    assert "not waiting for a decision" in response.content.decode() and "Rejected" in response.content.decode()
    assert Comment.objects.get(pk=waiting.pk).status == Status.REJECTED


def test_removing_in_the_thread_with_htmx_swaps_the_comment(client_for, blog_admin, comment):
    CommentFactory(parent=comment)

    response = client_for(blog_admin).post(url("remove", comment.pk), **HTMX)

    assert "Comment removed by a moderator" in response.content.decode()


def test_banning_from_the_queue_updates_the_row_and_adds_the_ban_to_the_list(client_for, blog_admin, waiting, reader):
    response = client_for(blog_admin).post(url("ban-author", waiting.pk), {"from": "queue", "reason": "Spam"}, **HTMX)

    html = response.content.decode()
    assert f'id="queue-{waiting.pk}"' in html and "Banned" in html and "may no longer comment" in html
    assert 'hx-swap-oob="beforeend:#ban-list"' in html and f'id="ban-{reader.pk}"' in html
    assert CommentBan.objects.get(user=reader).reason == "Spam"
    assert Comment.objects.get(pk=waiting.pk).status == Status.REJECTED


def test_moderators_cannot_be_banned_from_the_queue(client_for, blog_admin, admin, post):
    theirs = CommentFactory(target=post, author=admin)

    assert client_for(blog_admin).post(url("ban-author", theirs.pk)).status_code == 403
    assert not CommentBan.objects.exists()


def test_unbanning_with_htmx_says_so_in_the_row(client_for, blog_admin, banned):
    response = client_for(blog_admin).post(url("unban", banned.pk), **HTMX)

    assert "may comment again" in response.content.decode()
    assert not CommentBan.objects.filter(user=banned).exists()
    assert client_for(blog_admin).post(url("unban", banned.pk)).status_code == 404


# --- The post page ------------------------------------------------------------------------------------


def test_a_banned_reader_is_told_on_the_post_page_and_gets_no_form(client_for, post, banned):
    html = client_for(banned).get(post.get_absolute_url()).content.decode()

    assert "You have been banned from commenting" in html
    assert 'id="comment-form"' not in html


def test_anonymous_readers_are_invited_to_sign_in(client_for, post, comment):
    html = client_for(None).get(post.get_absolute_url()).content.decode()

    assert "Published and replyable." in html and "Sign in</a> to join the conversation" in html
    assert 'id="comment-form"' not in html


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">click</a>',
        "javascript:alert(1)",
        "<img src=x onerror=alert(1)>",
    ],
)
def test_markup_in_a_comment_is_shown_as_text_on_the_post_page(client_for, post, regular, body):
    client_for(regular).post(url("create", post.slug), {"body": body})

    html = client_for(None).get(post.get_absolute_url()).content.decode()

    assert escape(body).replace("&quot;", '"') in html  # shown, as text (quotes need no escaping in text)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert not re.search(r"<a\s[^>]*href=\"javascript:", html)  # typed as text, it shows as &lt;a href=...


def test_links_in_comments_are_nofollow_ugc(client_for, post, regular):
    client_for(regular).post(url("create", post.slug), {"body": "Docs: https://docs.djangoproject.com/en/5.2/"})

    html = client_for(None).get(post.get_absolute_url()).content.decode()

    assert (
        '<a href="https://docs.djangoproject.com/en/5.2/" rel="nofollow ugc noopener">'
        "https://docs.djangoproject.com/en/5.2/</a>" in html
    )


@pytest.mark.parametrize("viewer_kind", ["anonymous", "member", "blog_admin"])
def test_the_post_page_costs_the_same_queries_for_one_comment_and_for_thirty(client_for, cast, viewer_kind):
    small, large = PostFactory(live=True), PostFactory(live=True)
    build_thread(small, size=1, depth=1)
    build_thread(large, size=30, depth=5)
    client = client_for(cast[viewer_kind])
    for post in (small, large):
        client.get(post.get_absolute_url())  # the session and the post's cached parts, warm

    counts = []
    for post in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(post.get_absolute_url()).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1], counts


def test_a_comment_by_a_reader_without_a_display_name_never_shows_their_email(client_for, post):
    nameless = UserFactory(display_name="", email="secret-person@example.com")
    CommentFactory(target=post, author=nameless)

    html = client_for(None).get(post.get_absolute_url()).content.decode()

    assert "secret-person" not in html and "A reader" in html


def test_a_comment_bans_page_lists_bans_with_unban_buttons(client_for, blog_admin, user_with_role):
    someone = user_with_role(None, display_name="Noisy Nell")
    CommentBanFactory(user=someone, banned_by=blog_admin, reason="Shouting")

    html = client_for(blog_admin).get(core_url("moderation")).content.decode()

    assert "Noisy Nell" in html and "Shouting" in html and core_url("unban", someone.pk) in html


# --- Finding the queue, and its count -----------------------------------------------------------------


def test_approving_in_the_queue_also_updates_the_waiting_count_out_of_band(client_for, blog_admin, waiting, post):
    CommentFactory(target=post, author=UserFactory(), status=Status.PENDING, body="Also waiting")
    queue = client_for(blog_admin).get(core_url("moderation")).content.decode()
    assert '<span class="muted" id="queue-count">(2)</span>' in queue

    response = client_for(blog_admin).post(url("approve", waiting.pk), {"from": "queue"}, **HTMX)

    assert '<span class="muted" id="queue-count" hx-swap-oob="true">(1)</span>' in response.content.decode()


def test_the_blog_admins_dashboard_links_to_the_queue_with_the_number_waiting(client_for, blog_admin, waiting):
    html = client_for(blog_admin).get(reverse("dashboard-page", args=["blog"])).content.decode()

    assert "Comments to moderate" in html
    assert f'href="{core_url("moderation")}?domain=blog"' in html
    assert '<dd id="moderation-waiting">1</dd>' in html


def test_moderators_find_the_queue_in_the_header_and_readers_do_not(client_for, blog_admin, member, post):
    link = f'href="{core_url("moderation")}"'

    assert link in client_for(blog_admin).get(post.get_absolute_url()).content.decode()
    assert link not in client_for(member).get(post.get_absolute_url()).content.decode()


def test_the_old_moderation_address_sends_moderators_to_the_queue_filtered_to_the_blog(client_for, blog_admin):
    response = client_for(blog_admin).get("/blog/comments/moderation/")

    assert response.status_code == 301 and response["Location"] == f"{core_url('moderation')}?domain=blog"
