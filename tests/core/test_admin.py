from __future__ import annotations

import pytest

from apps.core.accounts.permissions import held_roles
from apps.core.models import User

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
    # The widget offers only the roles an admin may grant, so "admin" is no valid choice.
    assert "Select a valid choice. admin is not one of the available choices." in response.content.decode()
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


# --- Who may change whom: actor role x target role x action ----------------------------------
#
# Nobody changes the password, email, active flag, roles or permissions of, or deletes, an account
# whose highest role is at or above their own; on their own account only the password (and the
# profile). Django's user_permissions, groups and is_superuser are no fields of the admin at all.

ACTORS = ["super_admin", "admin"]
TARGETS = ["super_admin", "admin", "blog_admin", "student", None, "self"]
ACTIONS = ["email", "deactivate", "password", "delete", "roles", "permissions"]
ABOVE_OR_AT = {"super_admin": {"super_admin"}, "admin": {"super_admin", "admin"}}


def may(actor_role: str, target_role: str | None, action: str) -> bool:
    if action == "permissions":
        return False
    if target_role == "self":
        return action == "password"
    return target_role not in ABOVE_OR_AT[actor_role]


def try_email(client, target):
    response = client.post(
        f"/admin/core/user/{target.pk}/change/", change_form_data(target, email="taken-over@example.com")
    )
    target.refresh_from_db()
    return response, target.email == "taken-over@example.com"


def try_deactivate(client, target):
    response = client.post(f"/admin/core/user/{target.pk}/change/", change_form_data(target, is_active=""))
    target.refresh_from_db()
    return response, not target.is_active


def try_password(client, target):
    new = "Taken-Over-Pass-9!"
    response = client.post(
        f"/admin/core/user/{target.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true", "set-password": ""},
    )
    target.refresh_from_db()
    return response, target.check_password(new)


def try_delete(client, target):
    page = client.get(f"/admin/core/user/{target.pk}/delete/")
    response = client.post(f"/admin/core/user/{target.pk}/delete/", {"post": "yes"})
    gone = not User.objects.filter(pk=target.pk).exists()
    assert page.status_code == (200 if gone else 403), page.status_code
    return response, gone


def try_roles(client, target):
    held = set(held_roles(target))
    wanted = held ^ {"blog_author"}  # a role every admin may grant
    response = client.post(
        f"/admin/core/user/{target.pk}/change/", change_form_data(target, platform_roles=sorted(wanted))
    )
    target.refresh_from_db()
    return response, set(held_roles(target)) != held


def try_permissions(client, target):
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name=f"everything-{target.pk}")
    group.permissions.set(Permission.objects.all())
    data = change_form_data(target)
    data.update(
        {
            "user_permissions": [str(pk) for pk in Permission.objects.values_list("pk", flat=True)],
            "groups": [str(group.pk)],
            "is_superuser": "on",
        }
    )
    response = client.post(f"/admin/core/user/{target.pk}/change/", data)
    target.refresh_from_db()
    changed = target.user_permissions.exists() or target.groups.exists()
    changed = changed or (target.is_superuser and "super_admin" not in held_roles(target))
    return response, changed


TRIES = {
    "email": try_email,
    "deactivate": try_deactivate,
    "password": try_password,
    "delete": try_delete,
    "roles": try_roles,
    "permissions": try_permissions,
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("target_role", TARGETS)
@pytest.mark.parametrize("actor_role", ACTORS)
def test_an_admin_changes_only_accounts_below_their_own_role(
    user_with_role, client_for, actor_role, target_role, action
):
    actor = user_with_role(actor_role)
    target = actor if target_role == "self" else user_with_role(target_role)
    # A target that is at or above the actor is refused with 403 on every write, never a 500.
    protected = target_role != "self" and not may(actor_role, target_role, "email")

    response, changed = TRIES[action](client_for(actor), target)

    assert changed is may(actor_role, target_role, action), (response.status_code, response.content[:300])
    assert response.status_code < 500
    if protected and action != "delete":
        assert response.status_code == 403


@pytest.mark.parametrize("target_role", ["super_admin", "admin"])
def test_an_admin_sees_the_accounts_above_them_read_only(user_with_role, client_for, target_role):
    target = user_with_role(target_role)

    page = client_for(user_with_role("admin")).get(f"/admin/core/user/{target.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="email"' not in html and 'name="is_active"' not in html and 'name="platform_roles"' not in html
    assert f"/admin/core/user/{target.pk}/password/" not in html
    assert f"/admin/core/user/{target.pk}/delete/" not in html


def test_the_change_form_has_no_django_permission_fields(user_with_role, client_for, member):
    html = client_for(user_with_role("super_admin")).get(f"/admin/core/user/{member.pk}/change/").content.decode()

    for name in ("user_permissions", "groups", "is_superuser"):
        assert f'name="{name}"' not in html, name
    assert "/admin/auth/group/" not in client_for(user_with_role("super_admin")).get("/admin/").content.decode()


def test_an_admin_edits_their_own_profile_but_not_their_own_email_active_flag_or_roles(user_with_role, client_for):
    admin = user_with_role("admin")
    client = client_for(admin)
    html = client.get(f"/admin/core/user/{admin.pk}/change/").content.decode()
    assert 'name="display_name"' in html and 'name="email"' not in html and 'name="platform_roles"' not in html

    response = client.post(
        f"/admin/core/user/{admin.pk}/change/",
        change_form_data(admin, display_name="New Name", email="other@example.com", is_active=""),
    )

    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.display_name == "New Name" and admin.email != "other@example.com" and admin.is_active


def test_a_deactivated_super_admin_stays_out_of_an_admins_reach(user_with_role, client_for):
    from apps.core.accounts import services

    boss = user_with_role("super_admin")
    services.user_set_active(actor=None, user=boss, active=False)
    client = client_for(user_with_role("admin"))

    response = client.post(f"/admin/core/user/{boss.pk}/change/", change_form_data(boss, is_active="on"))

    assert response.status_code == 403
    boss.refresh_from_db()
    assert not boss.is_active


def test_the_role_widget_offers_only_the_roles_the_admin_may_grant(user_with_role, client_for, member):
    html = client_for(user_with_role("admin")).get(f"/admin/core/user/{member.pk}/change/").content.decode()

    assert 'value="instructor"' in html and 'value="blog_author"' in html
    assert 'value="admin"' not in html and 'value="super_admin"' not in html


def test_bulk_delete_refuses_when_an_account_above_the_admin_is_selected(user_with_role, client_for, member):
    boss = user_with_role("super_admin")
    client = client_for(user_with_role("admin"))

    response = client.post(
        "/admin/core/user/", {"action": "delete_selected", "_selected_action": [member.pk, boss.pk], "post": "yes"}
    )

    assert response.status_code == 403
    assert User.objects.filter(pk__in=[member.pk, boss.pk]).count() == 2


def test_a_password_set_in_the_admin_ends_the_accounts_api_tokens(user_with_role, client_for, member):
    version = member.role_version

    response, changed = try_password(client_for(user_with_role("admin")), member)

    assert response.status_code == 302 and changed
    assert member.role_version == version + 1


def test_an_avatar_uploaded_in_the_admin_is_re_encoded_like_one_from_the_profile_page(
    user_with_role, client_for, member
):
    from tests.core.accounts.helpers import jpeg_with_gps_and_trailer

    admin_client = client_for(user_with_role("admin"))
    data = change_form_data(member)
    data["avatar"] = jpeg_with_gps_and_trailer()

    response = admin_client.post(f"/admin/core/user/{member.pk}/change/", data)

    assert response.status_code == 302
    member.refresh_from_db()
    with member.avatar.open() as stored:
        stored_bytes = stored.read()
    assert b"Canon" not in stored_bytes and b"Exif" not in stored_bytes and stored_bytes.endswith(b"\xff\xd9")
    assert member.avatar.name.endswith(".jpg")


def test_a_file_that_is_not_an_image_is_refused_as_an_avatar_in_the_admin(user_with_role, client_for, member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin_client = client_for(user_with_role("admin"))
    data = change_form_data(member)
    data["avatar"] = SimpleUploadedFile("face.png", b"<script>alert(1)</script>", content_type="image/png")

    response = admin_client.post(f"/admin/core/user/{member.pk}/change/", data)

    html = response.content.decode()
    assert response.status_code == 200 and ("Upload a valid image" in html or "Upload a PNG, JPEG" in html)
    member.refresh_from_db()
    assert not member.avatar
