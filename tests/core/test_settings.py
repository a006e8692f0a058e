from __future__ import annotations

import pytest
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
