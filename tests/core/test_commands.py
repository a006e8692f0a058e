from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.core.accounts.permissions import held_roles
from apps.core.models import User

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#Qp2!vL9@mZ4$wR8^tY1&uI6*oP3(aS5)dF0_gH-jK+lZ=cX" + "b" * 20,
    "HTTPS": "true",
    "ALLOWED_HOSTS": "platform.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://platform.example.com",
    "DATABASE_URL": "postgresql://app:secret@db.internal:5432/platform",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "MONGODB_URL": "mongodb://docs.internal:27017/platform",
    "AWS_STORAGE_BUCKET_NAME": "platform-media",
    "AWS_S3_ENDPOINT_URL": "https://s3.internal",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and not k.startswith("AWS_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_runs_on_a_fresh_checkout_before_collectstatic(tmp_path):
    # The suite's environment turns the manifest off (pyproject's pytest env); production has it
    # on, and an operator checks before collectstatic has written the manifest.
    env = {**PRODUCTION_ENV, "STATIC_MANIFEST": "true", "STATIC_ROOT": str(tmp_path / "static")}

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_about_every_embedded_part():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in ("DATABASE_URL", "REDIS_URL", "MONGODB_URL")}
    env.pop("AWS_STORAGE_BUCKET_NAME")

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    for code in ("core.W001", "core.W002", "core.W003", "core.W004"):
        assert code in result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}

    result = manage("check", env={**env, "SECRET_KEY": ""})

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_malformed_variable_stops_start_up_naming_it():
    result = manage("check", env={**PRODUCTION_ENV, "DEBUG": "flase"})

    assert result.returncode != 0
    assert "DEBUG='flase' is not a boolean" in result.stderr


SEED = {
    "superadmin@freelancer.dev": ("SuperAdmin123!", "super_admin"),
    "admin@freelancer.dev": ("AdminPass123!", "admin"),
    "instructor@test.com": ("Instructor123!", "instructor"),
    "shopowner@test.com": ("Shopowner123!", "shop_owner"),
    "makers@test.com": ("Makers123!", "shop_owner"),
    "blogadmin@test.com": ("BlogAdmin123!", "blog_admin"),
    "author@test.com": ("BlogAuthor123!", "blog_author"),
    "student@test.com": ("Student123!", "student"),
}


def test_seed_demo_creates_one_verified_account_per_role_once(db, settings, capsys):
    settings.DEBUG = True

    call_command("seed_demo")
    call_command("seed_demo")

    assert User.objects.count() == len(SEED)
    for email, (password, role) in SEED.items():
        user = User.objects.get(email=email)
        assert user.check_password(password), email
        assert user.email_verified
        assert held_roles(user) == {role}
    out = capsys.readouterr().out
    assert out.count("created") == len(SEED) and out.count("exists") == len(SEED)
    assert "/dashboard/super-admin/" in out and "/dashboard/shop/" in out


def test_seed_demo_grants_a_missing_role_to_an_existing_account(db, settings, capsys):
    settings.DEBUG = True
    User.objects.create_user("instructor@test.com", "Some-Other-Pass-1")

    call_command("seed_demo")

    user = User.objects.get(email="instructor@test.com")
    assert held_roles(user) == {"instructor"}
    assert user.check_password("Some-Other-Pass-1")  # an existing password is never reset
    assert "role granted" in capsys.readouterr().out


def test_seed_demo_refuses_to_run_with_debug_off_unless_forced(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not User.objects.exists()

    call_command("seed_demo", force=True)
    assert User.objects.filter(email="admin@freelancer.dev").exists()


def test_grant_role_and_revoke_role_change_roles_and_the_role_version(member, staff, capsys):
    version = member.role_version

    call_command("grant_role", member.email.upper(), "blog_author", "--as", staff.email)
    member.refresh_from_db()
    assert held_roles(member) == {"blog_author"} and member.role_version == version + 1
    assert f"blog_author granted for {member.email}, acting as {staff.email}" in capsys.readouterr().out

    call_command("grant_role", member.email, "blog_author", "--as", staff.email)
    assert "unchanged" in capsys.readouterr().out

    call_command("revoke_role", member.email, "blog_author", "--as", staff.email.upper())
    member.refresh_from_db()
    assert held_roles(member) == frozenset() and member.role_version == version + 2
    assert f"acting as {staff.email}" in capsys.readouterr().out


def test_grant_role_names_what_is_wrong(member, staff):
    with pytest.raises(CommandError, match="No account"):
        call_command("grant_role", "nobody@example.com", "admin", "--as", staff.email)
    with pytest.raises(CommandError, match="Unknown role 'wizard'"):
        call_command("grant_role", member.email, "wizard", "--as", staff.email)


@pytest.mark.parametrize("command", ["grant_role", "revoke_role"])
def test_role_commands_say_who_they_act_as(member, command):
    with pytest.raises(CommandError, match="--as"):
        call_command(command, member.email, "blog_author")
    with pytest.raises(CommandError, match="names no active account"):
        call_command(command, member.email, "blog_author", "--as", "nobody@example.com")
    assert held_roles(member) == frozenset()


def test_a_role_command_acting_as_a_deactivated_admin_is_refused(member, staff):
    from apps.core.accounts import services

    services.user_set_active(actor=None, user=staff, active=False)

    with pytest.raises(CommandError, match="names no active account"):
        call_command("grant_role", member.email, "blog_author", "--as", staff.email)


@pytest.mark.parametrize(
    ("actor_role", "target_role", "command", "role", "refusal"),
    [
        ("admin", None, "grant_role", "admin", "may not grant or revoke the admin role"),
        ("admin", "super_admin", "revoke_role", "super_admin", "may not grant or revoke"),
        ("admin", "super_admin", "grant_role", "blog_author", "at or above yours"),
        ("admin", "admin", "revoke_role", "admin", "may not grant or revoke"),
        ("super_admin", "super_admin", "revoke_role", "super_admin", "at or above yours"),
        ("blog_admin", None, "grant_role", "blog_author", "may not grant or revoke"),
        ("super_admin", "self", "revoke_role", "super_admin", "your own roles"),
    ],
)
def test_role_commands_hold_the_acting_account_to_the_admins_rule(
    user_with_role, actor_role, target_role, command, role, refusal
):
    actor = user_with_role(actor_role)
    target = actor if target_role == "self" else user_with_role(target_role)
    before = set(held_roles(target))

    with pytest.raises(CommandError, match=f"Acting as {actor.email}: .*{refusal}"):
        call_command(command, target.email, role, "--as", actor.email)

    target.refresh_from_db()
    assert set(held_roles(target)) == before


def test_a_super_admin_grants_admin_through_the_command(user_with_role, member, capsys):
    boss = user_with_role("super_admin")

    call_command("grant_role", member.email, "admin", "--as", boss.email)

    member.refresh_from_db()
    assert held_roles(member) == {"admin"} and member.is_staff
    assert f"acting as {boss.email}" in capsys.readouterr().out


def test_createsuperuser_makes_a_super_admin(db):
    user = User.objects.create_superuser("root@example.com", "Root-Pass-123!")

    assert held_roles(user) == {"super_admin"} and user.is_staff and user.email_verified


@pytest.mark.parametrize(
    ("email", "password", "dashboard"),
    [
        ("admin@freelancer.dev", "AdminPass123!", "/dashboard/admin/"),
        ("instructor@test.com", "Instructor123!", "/dashboard/instructor/"),
        ("shopowner@test.com", "Shopowner123!", "/dashboard/shop/"),
    ],
)
def test_the_seed_systems_accounts_sign_in_through_the_page_and_the_token_endpoint(
    db, settings, client, email, password, dashboard
):
    from rest_framework.test import APIClient

    settings.DEBUG = True
    call_command("seed_demo")

    page = client.post("/accounts/login/", {"email": email, "password": password})
    assert page.status_code == 302
    assert client.get(page["Location"], follow=True).redirect_chain[-1][0] == dashboard

    api = APIClient()
    tokens = api.post("/api/v1/auth/token/", {"email": email, "password": password}, format="json")
    assert tokens.status_code == 200, tokens.content
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access']}")
    assert me.status_code == 200 and me.json()["email"] == email
