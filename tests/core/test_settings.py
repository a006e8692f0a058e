from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str


def test_env_bool_reads_the_usual_spellings(monkeypatch):
    for raw, expected in [("1", True), ("TRUE", True), ("yes", True), ("off", False), ("0", False), ("", False)]:
        monkeypatch.setenv("FLAG", raw)
        assert env_bool("FLAG") is expected
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", default=True) is True


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG")


def test_env_int_checks_type_and_minimum(monkeypatch):
    monkeypatch.setenv("N", "5")
    assert env_int("N", 1) == 5
    monkeypatch.setenv("N", "five")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("N", 1)
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("N", 1, minimum=1)


def test_env_list_and_str_trim(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
    monkeypatch.setenv("NAME", "  Platform ")
    assert env_list("HOSTS") == ["a.example", "b.example"]
    assert env_str("NAME") == "Platform"
    assert env_list("MISSING", ["x"]) == ["x"]


def test_user_emails_are_unique_whatever_their_case(db):
    from django.db import IntegrityError

    from apps.core.models import User

    User.objects.create_user("Ada@Example.com", "pw-Long-enough-1")
    assert User.objects.get_by_natural_key("ADA@example.COM").email == "ada@example.com"
    with pytest.raises(IntegrityError):
        User.objects.create(email="ADA@example.com")


# --- Settings as a process started with these variables sees them ---------------------------

SETTINGS_SCRIPT = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.conf import settings
print(json.dumps({name: getattr(settings, name, None) for name in sys.argv[1:]}))
"""


def settings_under(env: dict[str, str], *names: str) -> dict[str, Any]:
    """The named settings as a fresh process with ``env`` (and none of the served-address or
    site variables of this one) computes them."""
    skip = {"SITE_URL", "SERVE_HOST", "SERVE_PORT", "HTTPS", "DEBUG", "ALLOWED_HOSTS"}
    clean = {k: v for k, v in os.environ.items() if k not in skip}
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_SCRIPT, *names],
        cwd=settings.BASE_DIR,
        env={**clean, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_site_url_defaults_to_the_served_address():
    assert settings_under({}, "SITE_URL") == {"SITE_URL": "http://127.0.0.1:8000"}
    assert settings_under({"SERVE_PORT": "8101"}, "SITE_URL") == {"SITE_URL": "http://127.0.0.1:8101"}
    served = settings_under({"SERVE_HOST": "192.0.2.10", "SERVE_PORT": "8101"}, "SITE_URL", "ALLOWED_HOSTS")
    assert served["SITE_URL"] == "http://192.0.2.10:8101" and "192.0.2.10" in served["ALLOWED_HOSTS"]


def test_site_url_links_to_this_machine_when_serving_on_every_interface():
    assert settings_under({"SERVE_HOST": "0.0.0.0", "SERVE_PORT": "9000"}, "SITE_URL")["SITE_URL"] == (  # noqa: S104
        "http://127.0.0.1:9000"
    )
    assert settings_under({"SERVE_HOST": "::", "SERVE_PORT": "9000"}, "SITE_URL")["SITE_URL"] == "http://[::1]:9000"


def test_a_set_site_url_wins_over_the_served_address():
    env = {"SITE_URL": "https://platform.example.com", "SERVE_PORT": "8101"}

    assert settings_under(env, "SITE_URL") == {"SITE_URL": "https://platform.example.com"}


def test_a_malformed_served_port_stops_start_up_naming_it():
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_SCRIPT, "SITE_URL"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DEBUG": "true", "SERVE_PORT": "eighty"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0 and "SERVE_PORT='eighty' is not an integer" in result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_serves_and_links_on_the_same_host_and_port():
    # -n prints the commands without running them (nothing is installed or started).
    result = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "PORT=8101"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )

    start = next(line for line in result.stdout.splitlines() if "honcho" in line)
    assert "SERVE_HOST=0.0.0.0" in start and "SERVE_PORT=8101" in start and "start -f Procfile" in start
    procfile = dict(
        line.split(": ", 1)
        for line in (settings.BASE_DIR / "Procfile").read_text().splitlines()
        if ": " in line and not line.startswith("#")
    )
    assert procfile["web"].endswith("runserver ${SERVE_HOST}:${SERVE_PORT}")
    assert "celery -A config worker -Q default,media,fanout" in procfile["worker"]
    assert "celery -A config beat" in procfile["beat"]


# --- HTTPS=true --------------------------------------------------------------------------------


def test_health_probes_over_plain_http_are_not_redirected_under_https(client, worker_alive, settings):
    # A load balancer probes over plain HTTP; a 301 to https:// would mark the app as down.
    secure = settings_under({"HTTPS": "true"}, "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT")
    assert secure["SECURE_SSL_REDIRECT"] is True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = secure["SECURE_REDIRECT_EXEMPT"] or []

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/healthz/").status_code == 301  # only the probes themselves
    page = client.get("/")
    assert page.status_code == 301 and page["Location"] == "https://testserver/"
