from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.models import Theme
from apps.core.publishing import services
from apps.core.site.themes import clean_tokens, render_css, token_reference

BLUE = {"color-primary": {"light": "#2f5bea", "dark": "#7c9cff"}}
RED = {"color-primary": {"light": "#c0392b", "dark": "#ff8a80"}}


@pytest.fixture
def admin(user_with_role):
    return user_with_role("admin")


def make_theme(admin, name: str, tokens: dict, *, publish: bool = True, activate: bool = True) -> Theme:
    theme = services.draft_create(model=Theme, content={"name": name, "tokens": tokens}, author=admin)
    if publish:
        services.publish(obj=theme, author=admin)
    if activate:
        services.theme_activate(theme=theme, author=admin)
    return theme


def test_tokens_render_as_custom_properties_with_light_and_dark_values():
    css = render_css({**BLUE, "font-heading": "serif", "radius": "0.75rem", "line-height": 1.5})

    assert "--color-primary: light-dark(#2f5bea, #7c9cff);" in css
    assert "--font-heading: Charter," in css and "--radius: 0.75rem;" in css and "--line-height: 1.5;" in css


@pytest.mark.parametrize(
    "tokens",
    [
        {"color-primary": {"light": "red;} body{display:none", "dark": "#000"}},
        {"color-primary": "#123456"},
        {"font-body": "Comic Sans'; } * { color: red"},
        {"radius": "3rem"},
        {"radius": "calc(1px + 1px)"},
        {"line-height": "1.5"},
        {"background-image": "url(https://evil.example/x.png)"},
    ],
)
def test_a_token_that_could_inject_css_or_is_out_of_bounds_is_refused(tokens):
    with pytest.raises(ValidationError):
        clean_tokens(tokens)


def test_the_token_reference_describes_every_token():
    reference = token_reference()

    assert "color-primary" in reference["colors"] and "serif" in reference["fonts"]["choices"]


def test_pages_link_the_active_themes_published_stylesheet(client, admin):
    theme = make_theme(admin, "Blue", BLUE)

    html = client.get("/").content.decode()
    response = client.get(f"/theme.css?v={theme.pk}-1")

    assert f'href="/theme.css?v={theme.pk}-1"' in html
    assert response["Content-Type"].startswith("text/css")
    assert "#2f5bea" in response.content.decode()
    assert "immutable" in response["Cache-Control"]


def test_a_theme_draft_changes_nothing_until_it_is_published(client, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        theme = make_theme(admin, "Brand", BLUE)
        services.draft_save(obj=theme, content={"name": "Brand", "tokens": RED}, author=admin, based_on=1)

    assert "#2f5bea" in client.get("/theme.css").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the publish event clears the cache
        services.publish(obj=theme, author=admin)
    assert "#c0392b" in client.get("/theme.css").content.decode()


def test_one_theme_is_active_at_a_time(admin):
    blue = make_theme(admin, "Blue", BLUE)
    red = make_theme(admin, "Red", RED)

    blue.refresh_from_db()
    assert red.is_active and not blue.is_active
    assert Theme.objects.filter(is_active=True).count() == 1


def test_an_unpublished_theme_cannot_be_made_active(admin):
    theme = make_theme(admin, "Draft", RED, publish=False, activate=False)

    with pytest.raises(ValidationError, match="Publish the theme"):
        services.theme_activate(theme=theme, author=admin)


def test_only_admins_change_the_sites_theme(admin, user_with_role):
    theme = make_theme(admin, "Red", RED, activate=False)

    with pytest.raises(PermissionDenied):
        services.theme_activate(theme=theme, author=user_with_role("blog_admin"))


def test_without_an_active_theme_no_theme_stylesheet_is_linked(client, db):
    assert "/theme.css" not in client.get("/").content.decode()
    assert client.get("/theme.css").content == b""


@pytest.mark.django_db(transaction=True)
def test_the_theme_is_read_once_then_served_from_the_cache(client, user_with_role, django_assert_num_queries):
    admin = user_with_role("admin")
    make_theme(admin, "Blue", BLUE)
    client.get("/")  # warms the cache (and applies any due schedules)

    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


def test_the_theme_defaults_match_site_css():
    import re

    from django.conf import settings

    from apps.core.site.themes import COLOR_TOKENS, DEFAULTS

    css = (settings.BASE_DIR / "static/css/site.css").read_text()
    for token in COLOR_TOKENS:
        light, dark = re.search(rf"--{token}: light-dark\((#[0-9a-f]+), (#[0-9a-f]+)\);", css).groups()
        assert DEFAULTS[token] == {"light": light, "dark": dark}, token
    for token in ("radius", "radius-small", "font-size-base", "container-width"):
        assert f"--{token}: {DEFAULTS[token]};" in css, token
    assert f"--line-height: {DEFAULTS['line-height']};" in css
