"""Run by tests/social/test_profile_sections.py in a process of its own with the tiny app installed
(``--ds=tests.hookapp.settings``): the app's hook declares a profile section, and people's profiles
show it as a tab, at its own address, to the viewers the app's reader lets see it, while social
imports nothing of the app. Not collected by the main suite."""

from __future__ import annotations

import pytest

from apps.core.platform import registry
from apps.social.selectors_profile import profile_sections
from tests.social.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper(user_with_role):
    return ProfileFactory(handle="kim", user=user_with_role("hook_keeper", display_name="Kim Keeper")).user


def test_the_registry_gathers_the_apps_section_before_the_real_apps():
    keys = [section.key for section in registry().profile_sections]
    assert keys[0] == "hooked" and {"blog", "courses", "shop"} <= set(keys)
    assert profile_sections() == registry().profile_sections


def test_a_keepers_profile_has_the_tab_for_signed_in_viewers(client_for, keeper, user_with_role):
    body = client_for(user_with_role(None)).get("/@kim/").content.decode()
    assert 'href="/@kim/hooked/"' in body and "Hooked" in body
    assert 'href="/@kim/hooked/"' not in client_for(None).get("/@kim/").content.decode()


def test_the_tab_works_as_a_page_and_as_an_htmx_panel(client_for, keeper, user_with_role):
    member = client_for(user_with_role(None))
    page = member.get("/@kim/hooked/")
    body = page.content.decode()
    assert page.status_code == 200 and "<html" in body and "<li>sinker</li>" in body
    assert 'href="/@kim/hooked/" hx-get="/@kim/hooked/"' in body and 'aria-current="page">Hooked' in body
    assert 'href="/hooked/">See all 3</a>' in body
    panel = member.get("/@kim/hooked/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in panel and 'id="profile-panel"' in panel and "<li>hook</li>" in panel


def test_the_tab_is_404_where_the_reader_shows_nothing(client_for, keeper, user_with_role):
    assert client_for(None).get("/@kim/hooked/").status_code == 404
    ProfileFactory(handle="pat", user=user_with_role(None))
    member = client_for(user_with_role(None))
    assert member.get("/@pat/hooked/").status_code == 404
    assert 'href="/@pat/hooked/"' not in member.get("/@pat/").content.decode()
