from __future__ import annotations

import pytest

from tests.core.factories import UserFactory

DASHBOARD_KEYS = ["super-admin", "admin", "instructor", "shop", "blog", "member"]

# Who may open which dashboard: a role opens its own and those of the roles it includes.
ALLOWED = {
    "super_admin": {"super-admin", "admin", "instructor", "shop", "blog", "member"},
    "admin": {"admin", "instructor", "shop", "blog", "member"},
    "instructor": {"instructor", "member"},
    "shop_owner": {"shop", "member"},
    "blog_admin": {"blog", "member"},
    "blog_author": {"member"},
    "student": {"member"},
    "member": {"member"},
}

HOME = {
    "super_admin": "super-admin",
    "admin": "admin",
    "instructor": "instructor",
    "shop_owner": "shop",
    "blog_admin": "blog",
    "blog_author": "member",
    "student": "member",
    "member": "member",
}


def test_dashboard_access_matrix(cast, client_for):
    for who, user in cast.items():
        client = client_for(user)
        for key in DASHBOARD_KEYS:
            response = client.get(f"/dashboard/{key}/")
            if user is None:
                expected = 302
            else:
                expected = 200 if key in ALLOWED[who] else 403
            assert response.status_code == expected, (who, key, response.status_code)
            if user is None:
                assert response["Location"].startswith("/accounts/login/?next=/dashboard/")


def test_dashboard_sends_each_user_to_their_highest_role(cast, client_for):
    for who, user in cast.items():
        response = client_for(user).get("/dashboard/")
        if user is None:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response["Location"] == f"/dashboard/{HOME[who]}/", who


def test_a_user_with_several_roles_lands_on_the_highest_and_may_switch(client_for, user_with_role):
    both = UserFactory(roles=["shop_owner", "instructor"])
    client = client_for(both)

    assert client.get("/dashboard/")["Location"] == "/dashboard/instructor/"
    html = client.get("/dashboard/instructor/").content.decode()
    assert 'href="/dashboard/shop/"' in html and 'href="/dashboard/admin/"' not in html


def test_unknown_dashboard_is_404(client_for, member):
    assert client_for(member).get("/dashboard/nope/").status_code == 404


def test_dashboards_refuse_post(client_for, member):
    assert client_for(member).post("/dashboard/member/").status_code == 405


def test_admin_dashboard_shows_people_and_roles(client_for, cast):
    html = client_for(cast["admin"]).get("/dashboard/admin/").content.decode()

    assert 'data-panel="people"' in html and 'data-panel="roles"' in html
    assert 'data-panel="grants"' not in html  # the super admin's panel
    assert cast["student"].email in html  # among the newest accounts
    # An admin may manage the roles below theirs, not admin and super admin.
    assert "?roles__name__exact=instructor" in html and "?roles__name__exact=admin" not in html


def test_super_admin_dashboard_lists_recent_role_grants(client_for, cast):
    html = client_for(cast["super_admin"]).get("/dashboard/super-admin/").content.decode()

    assert 'data-panel="grants"' in html
    assert f"<strong>Blog author</strong> to {cast['blog_author'].email}" in html
    assert "<strong>blog_author</strong>" not in html  # people read role labels, not codes


def test_role_dashboards_describe_what_the_role_allows(client_for, cast):
    html = client_for(cast["blog_admin"]).get("/dashboard/blog/").content.decode()

    assert "Reviews and publishes any post" in html and "Writes posts and submits them" in html


@pytest.mark.parametrize("extra_people", [1, 15])
def test_admin_dashboard_query_count_does_not_grow_with_people(
    client_for, user_with_role, extra_people, django_assert_num_queries
):
    admin = user_with_role("super_admin")
    for _ in range(extra_people):
        UserFactory(roles=["student"])
    client = client_for(admin)
    client.get("/dashboard/super-admin/")  # warm the session

    # the user (the session and the user's roles come from the cache); people summary, newest
    # five and their roles; role counts; recent grants; the header bell's unread count; the
    # header's mini-cart (the shop's header item: one count)
    with django_assert_num_queries(8):
        assert client.get("/dashboard/super-admin/").status_code == 200


def test_navigation_shows_only_what_the_user_may_use(cast, client_for):
    for who, user in cast.items():
        html = client_for(user).get("/").content.decode()
        assert ('href="/dashboard/"' in html) is (user is not None), who
        assert ('href="/admin/"' in html) is (who in ("admin", "super_admin")), who
