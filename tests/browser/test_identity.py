from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.core.factories import UserFactory
from tests.core.platform.test_worker_smoke import wait_until

pytestmark = pytest.mark.browser

PASSWORD = "Sturdy-Horse-Battery-9"


def test_register_confirm_sign_out_fail_sign_in_and_get_a_role_from_an_admin(
    open_page, live_server_url, celery_worker, mailoutbox
):
    UserFactory(email="boss@example.com", password="Boss-Pass-123!", roles=["admin"])
    visitor = open_page()

    # Register: the answer is "check your inbox", whatever the address.
    visitor.goto("/")
    visitor.get_by_role("link", name="Register").click()
    visitor.get_by_label("Email").fill("newcomer@example.com")
    visitor.get_by_label("Display name").fill("New Comer")
    visitor.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    visitor.get_by_label("Password again").fill(PASSWORD)
    visitor.get_by_role("button", name="Create account").click()
    expect(visitor.get_by_text(re.compile("check your inbox", re.I))).to_be_visible()

    # The emailed link (sent by the worker, which runs in this process) confirms the address and
    # signs the newcomer in.
    assert wait_until(lambda: len(mailoutbox) == 1)
    link = re.search(r"http://\S+/accounts/verify/\S+/", mailoutbox[-1].body).group(0)
    visitor.goto(link.replace("http://127.0.0.1:8000", live_server_url))
    expect(visitor).to_have_url(re.compile(r"/dashboard/member/$"))

    # Sign out, fail once with an inline error, then sign in to the member dashboard.
    visitor.get_by_role("button", name="Sign out").click()
    expect(visitor.get_by_role("link", name="Sign in")).to_be_visible()
    visitor.get_by_role("link", name="Sign in").click()
    visitor.get_by_label("Email").fill("newcomer@example.com")
    visitor.get_by_label("Password").fill("not-the-password")
    visitor.get_by_role("button", name="Sign in").click()
    expect(visitor.get_by_text("Enter a correct email and password.")).to_be_visible()
    visitor.get_by_label("Password").fill(PASSWORD)
    visitor.get_by_role("button", name="Sign in").click()
    expect(visitor).to_have_url(re.compile(r"/$"))  # back where the sign-in started
    visitor.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(visitor).to_have_url(re.compile(r"/dashboard/member/$"))
    expect(visitor.get_by_role("link", name="Admin")).to_have_count(0)

    # An admin signs in to the staff portal and grants the instructor role.
    admin = open_page()
    admin.goto("/admin/")
    admin.get_by_label(re.compile("Email")).fill("boss@example.com")
    admin.get_by_label("Password").fill("Boss-Pass-123!")
    admin.get_by_role("button", name=re.compile("Log in", re.I)).click()
    admin.get_by_role("link", name="Users").first.click()
    admin.get_by_role("link", name="newcomer@example.com").click()
    admin.locator('input[name="platform_roles"][value="instructor"]').check()
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.locator(".messagelist")).to_contain_text("was changed successfully")

    # The newcomer's very next request sees the new role.
    visitor.goto("/dashboard/")
    expect(visitor).to_have_url(re.compile(r"/dashboard/instructor/$"))
    expect(visitor.get_by_role("heading", name="Instructor dashboard")).to_be_visible()
