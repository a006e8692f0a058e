"""Sign-in lockout without a denial of service: pairs and accounts lock, addresses only wait.

One office behind NAT (or one bot) shares an address: its failures must not lock out everyone
behind it. Page and API use the same rules (``security.authenticate_with_lockout``).
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from tests.core.accounts.helpers import NEW_PASSWORD, path_of_link, sign_in, signed_in_id
from tests.core.factories import DEFAULT_PASSWORD, UserFactory

TOKEN = "/api/v1/auth/token/"


def api_sign_in(email: str, password: str = DEFAULT_PASSWORD, **extra: Any) -> Any:
    return APIClient().post(TOKEN, {"email": email, "password": password}, **extra)


def page_sign_in(client: Any, email: str, password: str = DEFAULT_PASSWORD, **extra: Any) -> int:
    return sign_in(client, email, password, **extra).status_code


@pytest.fixture
def time_machine(time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(timezone.now(), tick=False)  # shift() moves from here
    return time_machine


@pytest.fixture
def short_backoff(settings):  # type: ignore[no-untyped-def]
    settings.LOGIN_BACKOFF_AFTER = 3
    settings.LOGIN_BACKOFF_BASE = 1
    settings.LOGIN_BACKOFF_MAX = 2
    return settings


# --- One address, many accounts ------------------------------------------------------------------


def test_an_address_failing_for_twenty_accounts_does_not_lock_out_a_twenty_first_on_the_page(
    client, db, short_backoff, time_machine
):
    for n in range(20):
        time_machine.shift(short_backoff.LOGIN_BACKOFF_MAX + 1)  # past any wait: every attempt is judged
        assert page_sign_in(client, f"colleague{n}@example.com", "not-the-password") == 200
    time_machine.shift(short_backoff.LOGIN_BACKOFF_MAX + 1)
    twenty_first = UserFactory()

    response = sign_in(client, twenty_first.email)

    assert response.status_code == 302 and signed_in_id(client) == str(twenty_first.pk)


def test_an_address_failing_for_twenty_accounts_does_not_lock_out_a_twenty_first_in_the_api(
    db, short_backoff, time_machine
):
    for n in range(20):
        time_machine.shift(short_backoff.LOGIN_BACKOFF_MAX + 1)
        assert api_sign_in(f"colleague{n}@example.com", "not-the-password").status_code == 401
    time_machine.shift(short_backoff.LOGIN_BACKOFF_MAX + 1)

    assert api_sign_in(UserFactory().email).status_code == 200


def test_an_address_failing_fast_waits_a_little_then_signs_in(member, short_backoff, time_machine):
    for n in range(3):
        assert api_sign_in(f"guess{n}@example.com", "wrong").status_code == 401

    waiting = api_sign_in(member.email)
    elsewhere = api_sign_in(member.email, REMOTE_ADDR="192.0.2.7")

    assert waiting.status_code == 429
    error = waiting.json()["error"]
    assert error["code"] == "locked_out" and error["retry_after"] == 1 and waiting["Retry-After"] == "1"
    assert error["message"] == "Too many failed sign-in attempts. Try again in 1 second."
    assert elsewhere.status_code == 200
    time_machine.shift(1.5)
    assert api_sign_in(member.email).status_code == 200


def test_the_wait_grows_with_each_failure_up_to_its_cap(member, settings, time_machine):
    settings.LOGIN_BACKOFF_AFTER, settings.LOGIN_BACKOFF_BASE, settings.LOGIN_BACKOFF_MAX = 2, 1, 4
    waits = []
    for n in range(6):
        assert api_sign_in(f"guess{n}@example.com", "wrong").status_code == 401
        right = api_sign_in(member.email)  # a success never counts against the address
        waits.append(right.json()["error"]["retry_after"] if right.status_code == 429 else 0)
        time_machine.shift(waits[-1] + 0.5)  # wait it out

    assert waits == [0, 1, 2, 4, 4, 4]


def test_a_waiting_address_is_not_judged_so_the_wait_reveals_no_password(member, short_backoff):
    for n in range(3):
        api_sign_in(f"guess{n}@example.com", "wrong")

    assert api_sign_in(member.email).status_code == 429
    assert api_sign_in(member.email, "wrong").status_code == 429


# --- One account ---------------------------------------------------------------------------------


def test_failures_of_one_account_from_one_address_lock_that_pair_only(client, member, settings):
    settings.LOGIN_LOCKOUT_PAIR_LIMIT = 3
    for _ in range(3):
        assert page_sign_in(client, member.email, "not-the-password") == 200

    locked = sign_in(client, member.email)
    other_address = sign_in(type(client)(), member.email, REMOTE_ADDR="10.0.0.2")

    assert locked.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in locked.content.decode()
    assert other_address.status_code == 302
    assert api_sign_in(member.email).status_code == 429
    assert api_sign_in(member.email, REMOTE_ADDR="10.0.0.3").status_code == 200


def test_failures_of_one_account_from_many_addresses_lock_it_everywhere(client, member, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 4
    for n in range(4):
        assert api_sign_in(member.email, "wrong", REMOTE_ADDR=f"198.51.100.{n}").status_code == 401

    assert api_sign_in(member.email, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert page_sign_in(client, member.email, REMOTE_ADDR="203.0.113.10") == 429
    assert api_sign_in(UserFactory().email, REMOTE_ADDR="198.51.100.1").status_code == 200  # the addresses may go on


def test_a_completed_password_reset_clears_the_accounts_lockout(client, member, settings, mailoutbox, queued_work):
    settings.LOGIN_LOCKOUT_PAIR_LIMIT = 2
    settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 3
    for n in range(3):
        api_sign_in(member.email, "wrong", REMOTE_ADDR="127.0.0.1" if n < 2 else "10.9.9.9")
    assert api_sign_in(member.email, REMOTE_ADDR="10.1.1.1").status_code == 429

    with queued_work():
        client.post("/accounts/reset/", {"email": member.email})
    form = client.get(path_of_link(mailoutbox[0].body), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert api_sign_in(member.email, NEW_PASSWORD, REMOTE_ADDR="10.1.1.1").status_code == 200
    assert page_sign_in(client, member.email, NEW_PASSWORD) == 302  # the pair from 127.0.0.1 too


def test_asking_for_a_reset_without_completing_it_keeps_the_lockout(client, member, settings, mailoutbox):
    settings.LOGIN_LOCKOUT_PAIR_LIMIT = 2
    for _ in range(2):
        api_sign_in(member.email, "wrong")

    client.post("/accounts/reset/", {"email": member.email})

    assert api_sign_in(member.email).status_code == 429


# --- The operator's command ----------------------------------------------------------------------


def lockouts(*args: str) -> str:
    out = StringIO()
    call_command("lockouts", *args, stdout=out)
    return out.getvalue()


def test_the_lockouts_command_lists_locked_accounts_pairs_and_waiting_addresses(member, settings):
    settings.LOGIN_LOCKOUT_PAIR_LIMIT, settings.LOGIN_LOCKOUT_ACCOUNT_LIMIT = 2, 3
    settings.LOGIN_BACKOFF_AFTER, settings.LOGIN_BACKOFF_MAX = 3, 60
    assert "No lockouts." in lockouts("list")
    for _ in range(2):
        api_sign_in(member.email, "wrong")
    api_sign_in(member.email.upper(), "wrong", REMOTE_ADDR="10.0.0.5")

    listing = lockouts("list")

    lines = listing.splitlines()
    assert any(line.startswith("account") and member.email in line and "3 failures" in line for line in lines)
    assert any(line.startswith("pair") and member.email in line and "127.0.0.1" in line for line in lines)
    assert any(line.startswith("address") and "127.0.0.1" in line for line in lines) is False  # 2 failures: no wait
    api_sign_in("someone@example.com", "wrong")
    assert any(line.startswith("address") and "127.0.0.1" in line for line in lockouts("list").splitlines())


def test_the_lockouts_command_clears_an_account(member, settings):
    settings.LOGIN_LOCKOUT_PAIR_LIMIT = 2
    for _ in range(2):
        api_sign_in(member.email, "wrong")

    assert f"Cleared the lockouts of {member.email}." in lockouts("clear", member.email.upper())

    assert api_sign_in(member.email).status_code == 200
    assert member.email not in lockouts("list")


def test_the_lockouts_command_clears_an_address(member, short_backoff):
    for n in range(3):
        api_sign_in(f"guess{n}@example.com", "wrong")
    assert api_sign_in(member.email).status_code == 429

    assert "Cleared the lockouts of address 127.0.0.1." in lockouts("clear", "--address", "127.0.0.1")

    assert api_sign_in(member.email).status_code == 200
    assert "127.0.0.1" not in lockouts("list")


def test_the_lockouts_command_clears_everything(member, user_with_role, short_backoff):
    other = user_with_role("student")
    short_backoff.LOGIN_LOCKOUT_PAIR_LIMIT = 1
    api_sign_in(member.email, "wrong")
    api_sign_in(other.email, "wrong", REMOTE_ADDR="10.0.0.8")

    assert "Cleared every lockout." in lockouts("clear", "--all")

    assert api_sign_in(member.email).status_code == 200
    assert api_sign_in(other.email, REMOTE_ADDR="10.0.0.8").status_code == 200
    assert "No lockouts." in lockouts("list")


def test_the_lockouts_command_refuses_a_clear_without_a_target_or_with_two(db):
    with pytest.raises(CommandError, match="Name an email, --address IP or --all"):
        lockouts("clear")
    with pytest.raises(CommandError, match="Name an email, --address IP or --all"):
        lockouts("clear", "a@example.com", "--all")
