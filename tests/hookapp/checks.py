"""Run by tests/core/platform/test_platform_hooks.py in a process of its own, with this app installed
(``--ds=tests.hookapp.settings``): every part the tiny app's hook contributes reaches the site.
Not collected by the main suite (the name does not match ``test_*.py``): there the app is not
installed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from apps.core.accounts import effective_roles, held_roles
from apps.core.models import Role, User, validate_page_slug
from apps.core.platform import registry


def test_the_hooked_page_answers(client, db):
    response = client.get("/hooked/")

    assert response.status_code == 200
    assert "<h1>Hooked things</h1>" in response.content.decode()


def test_the_hooked_api_route_answers_and_is_in_the_root_and_the_schema(client, db):
    response = client.get("/api/v1/hooked/things/")
    assert response.status_code == 200 and response.json() == {"things": ["hook", "line", "sinker"]}

    links = client.get("/api/v1/").json()["links"]
    assert links["hooked_things"] == "http://testserver/api/v1/hooked/things/"
    assert "blog_posts" in links  # the blog's links still come from its own hook

    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "get" in schema["paths"]["/api/v1/hooked/things/"]


def test_the_sitemap_lists_the_hooked_page(client, db):
    xml = client.get("/sitemap.xml").content.decode()

    assert "<loc>http://testserver/hooked/</loc>" in xml


def test_the_nav_link_shows_to_those_its_permission_lets_in(client_for, user_with_role):
    keeper, admin, member = user_with_role("hook_keeper"), user_with_role("admin"), user_with_role(None)

    assert 'href="/hooked/"' in client_for(keeper).get("/").content.decode()
    assert 'href="/hooked/"' in client_for(admin).get("/").content.decode()  # admin includes hook_keeper
    assert 'href="/hooked/"' not in client_for(member).get("/").content.decode()
    assert 'href="/hooked/"' not in client_for(None).get("/").content.decode()


def test_the_hooks_role_dashboard_and_panel_show(client_for, user_with_role):
    keeper = client_for(user_with_role("hook_keeper"))

    assert keeper.get("/dashboard/")["Location"] == "/dashboard/hooked/"
    html = keeper.get("/dashboard/hooked/").content.decode()
    assert 'data-panel="hooked"' in html and "hook, line, sinker" in html
    assert "Keeps the hooked things." in html  # core's capabilities panel, from the hook's role
    assert 'data-panel="hooked"' in client_for(user_with_role("admin")).get("/dashboard/admin/").content.decode()
    assert client_for(user_with_role("blog_admin")).get("/dashboard/hooked/").status_code == 403


def test_seed_demo_runs_the_hooks_seed_and_makes_its_demo_account(db, settings, capsys):
    settings.DEBUG = True

    call_command("seed_demo")

    out = capsys.readouterr().out
    assert "hookapp seeded 3 things" in out
    keeper = User.objects.get(email="keeper@test.com")
    assert keeper.check_password("HookKeeper123!") and held_roles(keeper) == {"hook_keeper"}
    assert "/dashboard/hooked/" in out


def test_the_hooks_role_is_a_row_and_sits_in_the_hierarchy(db):
    assert Role.objects.filter(name="hook_keeper").exists()  # made after migrate
    assert "hook_keeper" in effective_roles({"super_admin"})
    assert effective_roles({"hook_keeper"}) == {"hook_keeper", "user"}


@pytest.mark.parametrize("slug", ["hooked", "hook-shop", "blog"])
def test_free_pages_refuse_the_addresses_hooks_take(slug):
    with pytest.raises(ValidationError):
        validate_page_slug(slug)


def test_the_hooks_robots_lines_are_in_robots_txt(client, db):
    assert "/hooked/private/" in registry().robots_disallow
    assert "Disallow: /hooked/private/" in client.get("/robots.txt").content.decode().splitlines()


def test_the_hooks_notification_kind_sends_and_has_its_preferences(client_for, user_with_role):
    from apps.core.notifications import notify

    keeper, other = user_with_role(None), user_with_role(None, display_name="Hal Hooker")
    notify(
        recipient_id=keeper.pk,
        kind="hookapp.thing_hooked",
        group="thing:line",
        target_url="/hooked/",
        target_label="line",
        actor_id=other.pk,
    )
    client = client_for(keeper)

    assert "Hal Hooker hooked “line”" in client.get("/notifications/?domain=hookapp").content.decode()
    page = client.get("/notifications/preferences/").content.decode()
    assert "Things hooked" in page and "Replies to your comments" in page  # the blog's still come


def test_the_hooks_reportable_kind_reaches_the_moderation_queue(client_for, user_with_role):
    from apps.core.reports import reportable

    assert reportable("hookapp.thing") is not None  # registered from the hook at start-up
    reader, keeper = user_with_role(None), user_with_role("hook_keeper")
    answer = client_for(reader).post("/reports/hookapp.thing/2/", {"reason": "spam"})
    assert answer.status_code == 302

    page = client_for(keeper).get("/moderation/?kind=hookapp.thing").content.decode()
    assert 'id="report-hookapp-thing-2"' in page and "Hide it" in page
