"""Reads: the thread's shape and cost, the moderation queue, counts, and how text is shown."""

from __future__ import annotations

import pytest

from apps.core.comments import selectors, services
from apps.core.comments.models import Comment
from apps.core.comments.text import comment_html
from tests.blog.factories import PostFactory
from tests.core.comments.factories import CommentBanFactory, CommentFactory
from tests.core.factories import UserFactory

Status = Comment.Status


def build_thread(post, *, size: int, depth: int) -> list[Comment]:
    """``size`` comments by different readers, in chains of ``depth`` levels."""
    made: list[Comment] = []
    while len(made) < size:
        parent = None
        for _ in range(min(depth, size - len(made))):
            parent = CommentFactory(target=post, parent=parent)
            made.append(parent)
    return made


@pytest.mark.parametrize("viewer_kind", ["anonymous", "member", "blog_admin"])
def test_the_thread_costs_the_same_queries_for_one_comment_and_for_thirty_five_levels_deep(
    viewer_kind, cast, django_assert_num_queries
):
    viewer = cast[viewer_kind]
    small, large = PostFactory(live=True), PostFactory(live=True)
    build_thread(small, size=1, depth=1)
    build_thread(large, size=30, depth=5)
    CommentFactory(target=large, author=viewer or UserFactory(), status=Status.PENDING)
    selectors.comment_thread_for(target=small, viewer=viewer)  # the viewer's roles and ban: once per request

    # Comments with their authors, and (signed in) the viewer's own reports.
    expected = 1 if viewer is None else 2
    with django_assert_num_queries(expected):
        one = selectors.comment_thread_for(target=small, viewer=viewer)
    with django_assert_num_queries(expected):
        many = selectors.comment_thread_for(target=large, viewer=viewer)

    assert len(one.nodes) == 1
    assert len(many.nodes) == (31 if viewer is not None else 30)
    assert max(node.comment.depth for node in many.nodes.values()) == 4


def test_the_thread_is_a_tree_oldest_first_at_every_level(post):
    first = CommentFactory(target=post)
    second = CommentFactory(target=post)
    reply_b = CommentFactory(parent=first)
    reply_a_of_b = CommentFactory(parent=reply_b)

    thread = selectors.comment_thread_for(target=post, viewer=None)

    assert [node.pk for node in thread.roots] == [first.pk, second.pk]
    assert [node.pk for node in thread.roots[0].children] == [reply_b.pk]
    assert [node.pk for node in thread.roots[0].children[0].children] == [reply_a_of_b.pk]
    assert thread.count == 4


def test_the_count_leaves_out_deleted_removed_and_waiting_comments(post, reader):
    kept = CommentFactory(target=post)
    CommentFactory(parent=kept, status=Status.REMOVED)
    CommentFactory(parent=kept, deleted_at="2026-01-01T00:00:00Z")
    CommentFactory(target=post, author=reader, status=Status.PENDING)

    assert selectors.comment_thread_for(target=post, viewer=reader).count == 1
    assert selectors.comment_counts(kind="blog.post", target_ids=[post.pk]) == {post.pk: 1}


def test_comment_counts_for_a_list_of_posts_in_one_query(db, django_assert_num_queries):
    posts = [PostFactory(live=True) for _ in range(3)]
    for index, post in enumerate(posts):
        for _ in range(index):
            CommentFactory(target=post)

    with django_assert_num_queries(1):
        counts = selectors.comment_counts(kind="blog.post", target_ids=(post.pk for post in posts))
    annotated = selectors.with_comment_counts(
        type(posts[0]).objects.filter(pk__in=[p.pk for p in posts]), kind="blog.post"
    )

    assert counts == {posts[0].pk: 0, posts[1].pk: 1, posts[2].pk: 2}
    assert {post.pk: post.comment_count for post in annotated} == counts


def test_a_post_that_is_not_live_shows_no_thread_and_costs_no_query(draft, django_assert_num_queries):
    with django_assert_num_queries(0):
        thread = selectors.comment_thread_for(target=draft, viewer=None)

    assert thread.roots == [] and not thread.can_comment


def test_the_viewer_sees_what_they_may_do_on_each_comment(post, comment, regular, member, blog_admin):
    services.comment_flag(comment=comment, user=member)

    as_author = selectors.comment_thread_for(target=post, viewer=regular).nodes[comment.pk]
    as_member = selectors.comment_thread_for(target=post, viewer=member).nodes[comment.pk]
    as_moderator = selectors.comment_thread_for(target=post, viewer=blog_admin).nodes[comment.pk]
    as_anonymous = selectors.comment_thread_for(target=post, viewer=None).nodes[comment.pk]

    assert (as_author.mine, as_author.can_edit, as_author.can_delete, as_author.can_flag) == (True, True, True, False)
    assert (as_member.can_edit, as_member.can_flag, as_member.flagged) == (False, False, True)
    assert as_member.can_reply
    assert (as_moderator.can_remove, as_moderator.can_approve) == (True, True)  # reported: keep or remove
    assert not any([as_anonymous.can_reply, as_anonymous.can_flag, as_anonymous.can_edit, as_anonymous.can_remove])


def test_a_banned_reader_sees_the_thread_without_a_way_to_write(post, comment, banned):
    thread = selectors.comment_thread_for(target=post, viewer=banned)

    assert thread.banned and not thread.can_comment
    assert not thread.nodes[comment.pk].can_reply


def test_the_moderation_queue_holds_waiting_hidden_and_newly_reported_comments(
    post, comment, reader, blog_admin, user_with_role, settings, django_assert_num_queries
):
    settings.COMMENT_FLAG_THRESHOLD = 2
    waiting = services.comment_create(author=reader, target=post, body="First time")
    hidden = CommentFactory(target=post)
    for _ in range(2):
        services.comment_flag(comment=hidden, user=user_with_role(None))
    services.comment_flag(comment=comment, user=user_with_role(None))
    settled = CommentFactory(target=post, flag_count=1, reviewed_flag_count=1)
    CommentFactory(target=post, status=Status.PENDING, deleted_at="2026-01-01T00:00:00Z")
    CommentBanFactory(user=hidden.author)
    selectors.moderation_queue(viewer=blog_admin)

    # count, rows (with authors, bans, parents), authors' roles, the posts (one query per kind on the page)
    with django_assert_num_queries(4):
        page = selectors.moderation_queue(viewer=blog_admin)
        rows = {row.comment.pk: row for row in page.object_list}

    assert list(rows) == [comment.pk, waiting.pk, hidden.pk]
    assert settled.pk not in rows
    assert rows[waiting.pk].reason == "First comment, waiting for approval"
    assert rows[hidden.pk].reason == "Hidden after 2 reports" and rows[hidden.pk].banned
    assert rows[comment.pk].reason == "Published, 1 report"
    assert (rows[comment.pk].can_approve, rows[comment.pk].can_remove, rows[comment.pk].can_reject) == (
        True,
        True,
        False,
    )
    assert rows[waiting.pk].can_ban and not rows[hidden.pk].can_ban


# --- How text is shown --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
        ("javascript:alert(1)", "<p>javascript:alert(1)</p>"),
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
        ("one\ntwo\n\nthree", "<p>one<br>\ntwo</p>\n<p>three</p>"),
        (
            "see https://example.com/a?b=1&c=2.",
            '<p>see <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
            "https://example.com/a?b=1&amp;c=2</a>.</p>",
        ),
        (
            "(https://en.wikipedia.org/wiki/Go_(game))",
            '<p>(<a href="https://en.wikipedia.org/wiki/Go_(game)" rel="nofollow ugc noopener">'
            "https://en.wikipedia.org/wiki/Go_(game)</a>)</p>",
        ),
        (
            # The quote cannot end the attribute: it is percent-encoded into the address.
            'https://x.example/"onmouseover="alert(1)',
            '<p><a href="https://x.example/%22onmouseover=%22alert(1)" rel="nofollow ugc noopener">'
            'https://x.example/"onmouseover="alert(1)</a></p>',
        ),
        ("http:// and ftp://files.example", "<p>http:// and ftp://files.example</p>"),
        ("example.com and ann@example.com", "<p>example.com and ann@example.com</p>"),
    ],
)
def test_comment_text_is_escaped_with_http_links_made_safe_and_line_breaks_kept(text, html):
    assert comment_html(text) == html


def test_a_long_address_is_shortened_on_screen_but_not_in_the_link():
    url = "https://example.com/" + "a" * 100

    html = comment_html(url)

    assert f'href="{url}"' in html and html.count("a" * 100) == 1 and "…</a>" in html


def test_a_kinds_author_badge_marks_its_authors_once_each(post, monkeypatch):
    """A registration's ``author_badge`` (the LMS marks its instructors) is asked once per author
    of the thread and shown beside their name; without one, nobody is marked."""
    import dataclasses

    from apps.core.comments import registry

    entry = registry.commentable_of(post)
    asked: list[int] = []

    def badge(target, author):
        asked.append(author.pk)
        return "Author" if author.pk == special.pk else ""

    special = UserFactory()
    CommentFactory(target=post, author=special)
    CommentFactory(target=post, author=special)
    CommentFactory(target=post)
    assert {node.badge for node in selectors.comment_thread_for(target=post, viewer=None).nodes.values()} == {""}
    monkeypatch.setitem(registry._KINDS, entry.kind, dataclasses.replace(entry, author_badge=badge))
    thread = selectors.comment_thread_for(target=post, viewer=None)
    assert sorted(node.badge for node in thread.nodes.values()) == ["", "Author", "Author"]
    assert sorted(asked) == sorted({special.pk, *(n.comment.author_id for n in thread.nodes.values())})
