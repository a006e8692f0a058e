from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from guardian.shortcuts import assign_perm

from apps.core import events, permissions, services
from apps.core.roles import effective_roles, highest


@pytest.mark.parametrize(
    ("held", "acts_as"),
    [
        ({"super_admin"}, {"super_admin", "admin", "instructor", "shop_owner", "blog_admin", "blog_author", "user"}),
        ({"admin"}, {"admin", "instructor", "shop_owner", "blog_admin", "blog_author", "user"}),
        ({"blog_admin"}, {"blog_admin", "blog_author", "user"}),
        ({"blog_author"}, {"blog_author", "user"}),
        ({"instructor", "student"}, {"instructor", "student", "user"}),
        (set(), {"user"}),
    ],
)
def test_a_role_includes_the_roles_beneath_it(held, acts_as):
    assert effective_roles(held) == acts_as


def test_the_highest_role_decides_where_a_user_lands():
    assert highest({"blog_author", "instructor"}) == "instructor"
    assert highest({"student", "super_admin"}) == "super_admin"
    assert highest(set()) == "user"


def test_anonymous_and_deactivated_users_act_as_no_role(user_with_role):
    from django.contrib.auth.models import AnonymousUser

    admin = user_with_role("admin")
    admin.is_active = False

    assert permissions.roles_of(AnonymousUser()) == frozenset()
    assert permissions.roles_of(None) == frozenset()
    assert permissions.roles_of(admin) == frozenset()
    assert permissions.highest_role(admin) is None


def test_policy_answers_from_one_roles_query_per_user(user_with_role, django_assert_num_queries):
    from apps.core.models import User

    user = User.objects.get(pk=user_with_role("blog_admin").pk)
    with django_assert_num_queries(1):
        for _ in range(20):
            assert permissions.has_role(user, "blog_author")
            assert not permissions.has_role(user, "admin")
            assert permissions.highest_role(user) == "blog_admin"


@pytest.mark.parametrize(
    ("actor_role", "role", "allowed"),
    [
        ("super_admin", "super_admin", True),
        ("super_admin", "admin", True),
        ("admin", "instructor", True),
        ("admin", "blog_author", True),
        ("admin", "admin", False),
        ("admin", "super_admin", False),
        ("blog_admin", "blog_author", False),
        (None, "user", False),
    ],
)
def test_who_may_grant_which_role(user_with_role, actor_role, role, allowed):
    assert permissions.can_grant_role(user_with_role(actor_role), role) is allowed


def test_granting_a_role_bumps_the_role_version_once_and_logs_an_event(
    user_with_role, member, django_capture_on_commit_callbacks
):
    admin = user_with_role("admin")
    version = member.role_version

    with django_capture_on_commit_callbacks(execute=True):
        assert services.role_grant(actor=admin, user=member, role="instructor") is True
        assert services.role_grant(actor=admin, user=member, role="instructor") is False

    member.refresh_from_db()
    assert member.role_version == version + 1
    assert permissions.held_roles(member) == {"instructor"}
    entry = events.activity_query(name="core.role_granted", actor_id=admin.pk)[0]
    assert entry["payload"] == {"user_id": member.pk, "role": "instructor"}


def test_an_admin_cannot_grant_admin_and_nothing_changes(user_with_role, member):
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=user_with_role("admin"), user=member, role="admin")

    member.refresh_from_db()
    assert permissions.held_roles(member) == frozenset() and member.role_version == 1


def test_an_unknown_role_is_refused(member):
    with pytest.raises(ValidationError):
        services.role_grant(actor=None, user=member, role="wizard")


def test_admin_roles_drive_the_admin_site_flags(member):
    services.role_grant(actor=None, user=member, role="super_admin")
    member.refresh_from_db()
    assert member.is_staff and member.is_superuser

    services.roles_set(actor=None, user=member, roles={"admin"})
    member.refresh_from_db()
    assert member.is_staff and not member.is_superuser

    services.role_revoke(actor=None, user=member, role="admin")
    member.refresh_from_db()
    assert not member.is_staff and not member.is_superuser


def test_deactivation_needs_an_admin_and_bumps_the_version(user_with_role, member):
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=user_with_role("instructor"), user=member, active=False)

    services.user_set_active(actor=user_with_role("admin"), user=member, active=False)

    member.refresh_from_db()
    assert not member.is_active and member.role_version == 2


def test_model_permissions_come_from_roles(user_with_role, member):
    admin = user_with_role("admin")

    assert admin.has_perm("core.change_user") and admin.has_module_perms("core")
    assert not member.has_perm("core.change_user")
    assert not user_with_role("blog_admin").has_perm("core.change_user")


def test_explicit_per_object_grants_go_through_guardian(member, stranger):
    group = Group.objects.create(name="Editors")
    assign_perm("auth.change_group", member, group)

    assert permissions.has_object_grant(member, "auth.change_group", group)
    assert not permissions.has_object_grant(stranger, "auth.change_group", group)
    assert not permissions.has_object_grant(None, "auth.change_group", group)
    assert not member.has_perm("auth.change_group")  # the grant is for that one object only


def test_ownership_is_a_field_comparison(member, stranger):
    class Thing:
        owner_id = member.pk

    assert permissions.is_owner(member, Thing())
    assert not permissions.is_owner(stranger, Thing())
    assert not permissions.is_owner(None, Thing())
