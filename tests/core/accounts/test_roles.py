from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from guardian.shortcuts import assign_perm

from apps.core.accounts import permissions, services
from apps.core.accounts.roles import effective_roles, highest
from apps.core.platform import events


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
    events.deliver_pending()
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


# --- Who may change whose account ----------------------------------------------------------

MANAGES = {
    # actor's role: the target roles whose accounts they may change
    "super_admin": {"admin", "instructor", "shop_owner", "blog_admin", "blog_author", "student", None},
    "admin": {"instructor", "shop_owner", "blog_admin", "blog_author", "student", None},
    "blog_admin": set(),
    None: set(),
}


@pytest.mark.parametrize("target_role", ["super_admin", "admin", "instructor", "blog_author", "student", None])
@pytest.mark.parametrize("actor_role", list(MANAGES))
def test_only_an_admin_strictly_above_the_target_manages_its_account(user_with_role, actor_role, target_role):
    actor, target = user_with_role(actor_role), user_with_role(target_role)

    assert permissions.can_manage_account(actor, target) is (target_role in MANAGES[actor_role])
    refusal = permissions.account_change_refusal(actor, target, "email")
    assert (refusal is None) is (target_role in MANAGES[actor_role])


@pytest.mark.parametrize("role", ["super_admin", "admin", None])
def test_on_their_own_account_anyone_changes_only_profile_and_password(user_with_role, role):
    me = user_with_role(role)

    allowed = {change for change in permissions.AccountChange if permissions.can_change_account(me, me, change)}

    assert allowed == {"profile", "password"}
    assert permissions.account_change_refusal(me, me, "roles") == (
        "You may not change your own roles; someone above your role may."
    )


def test_the_refusal_names_both_roles(user_with_role):
    admin, boss = user_with_role("admin"), user_with_role("super_admin")

    assert permissions.account_change_refusal(admin, boss, "password") == (
        f"You may not change {boss.email}: their role (Super admin) is at or above yours (Admin)."
    )


def test_a_deactivated_super_admin_still_ranks_as_one(user_with_role):
    boss = user_with_role("super_admin")
    services.user_set_active(actor=None, user=boss, active=False)

    assert permissions.account_rank(boss) == "super_admin"
    assert not permissions.can_manage_account(user_with_role("admin"), boss)


@pytest.mark.parametrize(
    "write",
    [
        lambda actor, user: services.role_grant(actor=actor, user=user, role="blog_author"),
        lambda actor, user: services.role_revoke(actor=actor, user=user, role="blog_author"),
        lambda actor, user: services.roles_set(actor=actor, user=user, roles={"blog_author"}),
        lambda actor, user: services.user_set_active(actor=actor, user=user, active=False),
        lambda actor, user: services.user_set_password(actor=actor, user=user, password="Taken-Over-1!"),
        lambda actor, user: services.user_set_email(actor=actor, user=user, email="taken@example.com"),
        lambda actor, user: services.user_delete(actor=actor, user=user),
    ],
    ids=["grant", "revoke", "set_roles", "deactivate", "password", "email", "delete"],
)
def test_no_service_lets_an_admin_change_another_admin(user_with_role, write):
    from apps.core.models import User

    actor, peer = user_with_role("admin"), user_with_role("admin")
    before = User.objects.filter(pk=peer.pk).values().get()

    with pytest.raises(PermissionDenied, match="at or above yours"):
        write(actor, peer)

    assert User.objects.filter(pk=peer.pk).values().get() == before
    assert permissions.held_roles(User.objects.get(pk=peer.pk)) == {"admin"}


def test_a_super_admin_makes_an_admin_a_super_admin_in_one_change(user_with_role):
    boss, admin = user_with_role("super_admin"), user_with_role("admin")

    services.roles_set(actor=boss, user=admin, roles={"super_admin"})

    admin.refresh_from_db()
    assert permissions.held_roles(admin) == {"super_admin"} and admin.is_superuser


def test_an_admin_sets_the_email_and_password_of_a_member(user_with_role, member, stranger):
    admin = user_with_role("admin")
    version = member.role_version

    services.user_set_email(actor=admin, user=member, email=" New@Example.com ")
    services.user_set_password(actor=admin, user=member, password="Brand-New-Pass-7!")

    member.refresh_from_db()
    assert member.email == "new@example.com" and member.check_password("Brand-New-Pass-7!")
    assert member.role_version == version + 1
    with pytest.raises(ValidationError, match="Another account"):
        services.user_set_email(actor=admin, user=member, email=stranger.email.upper())
