from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

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


def test_seed_demo_creates_the_admin_account_once(db, settings, capsys):
    settings.DEBUG = True

    call_command("seed_demo")
    call_command("seed_demo")

    admin = User.objects.get(email="admin@freelancer.dev")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password("AdminPass123!")
    assert User.objects.filter(email="admin@freelancer.dev").count() == 1
    out = capsys.readouterr().out
    assert "created" in out and "exists" in out


def test_seed_demo_refuses_to_run_with_debug_off_unless_forced(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not User.objects.exists()

    call_command("seed_demo", force=True)
    assert User.objects.filter(email="admin@freelancer.dev").exists()
