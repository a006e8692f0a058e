from __future__ import annotations

import pytest

from apps.core.models import User
from apps.core.permissions import held_roles

ADMIN_PAGES = ["/admin/", "/admin/core/user/", "/admin/core/role/", "/admin/core/user/{pk}/change/"]


def test_admin_access_matrix(cast, client_for):
    target = cast["member"]
    for who, user in cast.items():
        client = client_for(user)
        for page in ADMIN_PAGES:
            url = page.format(pk=target.pk)
            response = client.get(url)
            if who in ("admin", "super_admin"):
                assert response.status_code == 200, (who, url)
            else:
                # Everyone else is sent to the admin's own login page.
                assert response.status_code == 302, (who, url)
                assert response["Location"].startswith("/admin/login/"), (who, url)


def change_form_data(user: User, **changes) -> dict:
    data = {
        "email": user.email,
        "display_name": user.display_name,
        "bio": user.bio,
        "is_active": "on" if user.is_active else "",
        "platform_roles": sorted(held_roles(user)),
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_an_admin_grants_a_role_in_the_admin_and_the_user_sees_it_next_request(cast, client_for):
    member = cast["member"]
    admin_client = client_for(cast["admin"])
    member_client = client_for(member)
    assert member_client.get("/dashboard/instructor/").status_code == 403

    response = admin_client.post(
        f"/admin/core/user/{member.pk}/change/", change_form_data(member, platform_roles=["instructor"])
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert held_roles(member) == {"instructor"} and member.role_version == 2
    assert member_client.get("/dashboard/instructor/").status_code == 200


def test_an_admin_cannot_grant_admin_in_the_admin(cast, client_for):
    member = cast["member"]

    response = client_for(cast["admin"]).post(
        f"/admin/core/user/{member.pk}/change/", change_form_data(member, platform_roles=["admin"])
    )

    assert response.status_code == 200
    assert "You may not grant or revoke: admin." in response.content.decode()
    member.refresh_from_db()
    assert held_roles(member) == frozenset()


def test_deactivating_in_the_admin_goes_through_the_service(cast, client_for):
    member = cast["member"]
    member_client = client_for(member)

    client_for(cast["admin"]).post(f"/admin/core/user/{member.pk}/change/", change_form_data(member, is_active=""))

    member.refresh_from_db()
    assert not member.is_active and member.role_version == 2
    response = member_client.get("/dashboard/member/")
    assert response.status_code == 302  # signed out: the session no longer finds an active user


def test_a_staff_created_account_is_verified(cast, client_for):
    response = client_for(cast["admin"]).post(
        "/admin/core/user/add/",
        {
            "email": "new@example.com",
            "display_name": "New",
            "password1": "Long-Pass-123!",
            "password2": "Long-Pass-123!",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(email="new@example.com").email_verified


@pytest.mark.parametrize("people", [2, 12])
def test_user_list_query_count_does_not_grow(cast, client_for, people, django_assert_max_num_queries):
    from tests.core.factories import UserFactory

    for _ in range(people):
        UserFactory(roles=["student", "blog_author"])
    client = client_for(cast["admin"])
    client.get("/admin/core/user/")  # the first request of a test may apply schedules

    with django_assert_max_num_queries(12):
        assert client.get("/admin/core/user/").status_code == 200
