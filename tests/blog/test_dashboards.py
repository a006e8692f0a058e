"""The dashboards as the blog's people see them: what needs them first (counts that link to where
it is dealt with), every tool they have, role labels rather than codes, and a flat query count."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.blog import services
from apps.core.comments.models import Comment
from tests.blog.factories import make_post
from tests.core.comments.factories import CommentFactory
from tests.core.factories import UserFactory


def tiles(html: str) -> dict[str, tuple[str, str]]:
    """The "Needs your attention" tiles: label -> (count, address)."""
    found = re.findall(
        r'<a class="stat[^"]*" href="([^"]+)">\s*'
        r'<span class="stat__label">([^<]+)</span>\s*<span class="stat__value">(\d+)</span>',
        html,
    )
    return {label: (count, href) for href, label, count in found}


def tools(html: str) -> list[str]:
    return re.findall(r'<a class="tool-list__link" href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def queue(author, blog_admin):
    """Two posts waiting for review and three comments waiting for a moderator."""
    for n in range(2):
        services.post_submit(post=make_post(author=author, title=f"Waiting {n}"), author=author)
    live = make_post(author=author, live=True, publisher=blog_admin)
    for n in range(3):
        CommentFactory(target=live, author=UserFactory(), status=Comment.Status.PENDING, body=f"Pending {n}")


def test_the_blog_admin_sees_the_review_and_moderation_queues_first_with_their_counts(client_for, blog_admin, queue):
    html = client_for(blog_admin).get("/dashboard/blog/").content.decode()

    found = tiles(html)
    assert found["Posts waiting for review"] == ("2", "/blog/review/")
    assert found["Comments to moderate"] == ("3", "/moderation/?domain=blog")
    # The attention row comes before the panels.
    assert html.index("Needs your attention") < html.index('data-panel="blog-review"')
    assert {"Review queue", "Moderation queue", "Write a post", "Your posts", "API docs"} <= set(tools(html))
    assert "Admin" not in tools(html)  # blog admins are not staff


def test_the_author_sees_their_drafts_and_what_came_back_for_changes(client_for, author, blog_admin):
    for n in range(3):
        make_post(author=author, title=f"Draft {n}")
    returned = make_post(author=author, title="Needs work")
    services.post_submit(post=returned, author=author)
    services.post_request_changes(post=returned, reviewer=blog_admin, note="Shorter, please.")

    html = client_for(author).get("/dashboard/member/").content.decode()

    found = tiles(html)
    assert found["Your drafts"] == ("3", "/blog/mine/")
    assert found["Returned for changes"] == ("1", "/blog/mine/")
    assert "Your scheduled posts" not in found  # none: no tile
    assert {"Write a post", "Your posts", "Your profile"} <= set(tools(html))
    assert "Review queue" not in tools(html) and "Moderation queue" not in tools(html)


def test_a_member_without_posts_sees_no_blog_tiles_or_writing_tools(client_for, member):
    html = client_for(member).get("/dashboard/member/").content.decode()

    assert "Your drafts" not in html and "Write a post" not in tools(html)
    assert {"Your profile", "The blog", "System status"} <= set(tools(html))


@pytest.mark.parametrize(("who", "key"), [("blog_admin", "blog"), ("blog_author", "member"), ("admin", "admin")])
def test_dashboards_name_roles_as_people_read_them(client_for, user_with_role, who, key):
    html = client_for(user_with_role(who)).get(f"/dashboard/{key}/").content.decode()

    label = {"blog_admin": "Blog admin", "blog_author": "Blog author", "admin": "Admin"}[who]
    assert f'<span class="badge badge--info">{label}</span>' in html
    shown = re.sub(r'(href|data-role|data-panel|id|class)="[^"]*"', "", html)  # addresses may keep codes
    assert who not in shown or who == "admin", who
    assert 'class="chip"' not in html


def test_admins_find_the_admin_and_the_site_and_theme_editors(client_for, user_with_role):
    html = client_for(user_with_role("admin")).get("/dashboard/admin/").content.decode()

    assert {"Admin", "Site editor", "Theme editor", "Pages", "System status"} <= set(tools(html))
    assert 'href="/admin/core/theme/"' in html and 'href="/admin/core/sitecomponent/"' in html


@pytest.mark.parametrize("extra", [1, 12])
def test_the_blog_dashboard_costs_a_flat_number_of_queries(
    client_for, blog_admin, author, extra, django_assert_max_num_queries
):
    for n in range(extra):
        post = make_post(author=author, title=f"Queued {n}")
        services.post_submit(post=post, author=author)
        CommentFactory(
            target=make_post(author=author, live=True, publisher=blog_admin),
            author=UserFactory(),
            status=Comment.Status.PENDING,
        )
    client = client_for(blog_admin)
    client.get("/dashboard/blog/")  # warm the session and the caches

    # the user and roles, the account panel, the review counts and queue (posts, drafts), the
    # moderation count: the same whether one or a dozen posts wait
    with django_assert_max_num_queries(8):
        assert client.get("/dashboard/blog/").status_code == 200


def test_the_authors_dashboard_query_count_does_not_grow_with_their_posts(client_for, author):
    client = client_for(author)
    make_post(author=author)
    client.get("/dashboard/member/")
    with CaptureQueriesContext(connection) as few:
        client.get("/dashboard/member/")
    for _ in range(10):
        make_post(author=author)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/dashboard/member/").status_code == 200

    assert len(many) == len(few)
