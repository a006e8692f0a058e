from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from apps.core.models import Theme
from apps.core.publishing import services
from apps.core.site.themes import DEFAULTS, FONT_TOKENS, LENGTH_TOKENS


def form_data(name: str, based_on: int, **overrides) -> dict:
    data = {"name": name, "based_on": based_on, "line-height": DEFAULTS["line-height"]}
    for token, value in DEFAULTS.items():
        if isinstance(value, dict):
            data[f"{token}__light"], data[f"{token}__dark"] = value["light"], value["dark"]
        elif token in (*FONT_TOKENS, *LENGTH_TOKENS):
            data[token] = value
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(client_for, user_with_role):
    return client_for(user_with_role("admin"))


@pytest.fixture
def theme(user_with_role):
    author = user_with_role("super_admin")
    theme = services.draft_create(model=Theme, content={"name": "Brand", "tokens": {}}, author=author)
    services.publish(obj=theme, author=author)
    services.theme_activate(theme=theme, author=author)
    return theme


def test_theme_editor_pages_are_for_admins_only(cast, client_for, theme):
    pages = [
        "/admin/core/theme/",
        "/admin/core/theme/add/",
        f"/admin/core/theme/{theme.pk}/change/",
        f"/admin/core/theme/{theme.pk}/revisions/",
        f"/admin/core/theme/{theme.pk}/diff/1/1/",
    ]
    for who, user in cast.items():
        client = client_for(user)
        for page in pages:
            response = client.get(page)
            expected = 200 if who in ("admin", "super_admin") else 302
            assert response.status_code == expected, (who, page)


def test_an_admin_creates_a_theme_as_a_draft(admin_client):
    response = admin_client.post(
        "/admin/core/theme/add/", form_data("Sunset", 0, **{"color-primary__light": "#c0392b"})
    )

    theme = Theme.objects.get(name="Sunset")
    assert response.status_code == 302 and not theme.live and theme.latest_revision == 1
    assert theme.tokens == {"color-primary": {"light": "#c0392b", "dark": DEFAULTS["color-primary"]["dark"]}}


def test_saving_a_draft_keeps_visitors_on_the_published_theme(admin_client, client, theme):
    admin_client.post(
        f"/admin/core/theme/{theme.pk}/change/", form_data("Brand", 1, **{"color-primary__light": "#c0392b"})
    )

    theme.refresh_from_db()
    assert theme.latest_revision == 2 and theme.live_revision == 1
    assert "#c0392b" not in client.get("/theme.css").content.decode()


def test_save_and_publish_changes_the_site(admin_client, client, theme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        data = form_data("Brand", 1, **{"color-primary__light": "#c0392b"}, _publish="1")
        admin_client.post(f"/admin/core/theme/{theme.pk}/change/", data)

    assert "#c0392b" in client.get("/theme.css").content.decode()


def test_a_stale_form_is_told_of_the_conflict_and_keeps_what_was_typed(admin_client, theme, user_with_role):
    services.draft_save(
        obj=theme, content={"name": "Brand for spring", "tokens": {}}, author=user_with_role("super_admin"), based_on=1
    )

    response = admin_client.post(
        f"/admin/core/theme/{theme.pk}/change/", form_data("Brand", 1, **{"color-accent__light": "#123456"})
    )

    html = response.content.decode()
    assert response.status_code == 200 and "Revision 2 was saved" in html
    assert 'value="#123456"' in html  # the editor's own value is still in the form
    theme.refresh_from_db()
    assert theme.latest_revision == 2


def test_a_bad_value_is_a_form_error_and_saves_nothing(admin_client, theme):
    response = admin_client.post(f"/admin/core/theme/{theme.pk}/change/", form_data("Brand", 1, radius="9rem"))

    assert response.status_code == 200 and "radius: must be between" in response.content.decode()
    theme.refresh_from_db()
    assert theme.latest_revision == 1


def test_preview_shows_the_draft_to_its_editor_only(admin_client, client_for, user_with_role, theme):
    admin_client.post(
        f"/admin/core/theme/{theme.pk}/change/", form_data("Brand", 1, **{"color-primary__light": "#c0392b"})
    )

    redirect = admin_client.get(f"/admin/core/theme/{theme.pk}/preview/")
    response = admin_client.get(redirect["Location"])
    page = response.content.decode()
    token = re.search(r'/theme\.css\?preview=([^"]+)"', page).group(1)

    assert redirect["Location"] == "/" and response["Cache-Control"] == "private, no-store"
    assert "Previewing drafts" in page and "“Brand” (revision 2)" in page
    assert "#c0392b" in admin_client.get(f"/theme.css?preview={unquote(token)}").content.decode()
    other = client_for(user_with_role("super_admin"))
    assert "Previewing" not in other.get("/").content.decode()
    assert other.get(f"/theme.css?preview={unquote(token)}").status_code == 403


def test_history_diff_and_revert(admin_client, theme):
    admin_client.post(
        f"/admin/core/theme/{theme.pk}/change/", form_data("Brand", 1, **{"color-primary__light": "#c0392b"})
    )

    history = admin_client.get(f"/admin/core/theme/{theme.pk}/revisions/").content.decode()
    diff = admin_client.get(f"/admin/core/theme/{theme.pk}/diff/1/2/").content.decode()
    admin_client.post(f"/admin/core/theme/{theme.pk}/revert/1/")

    assert 'data-revision="2"' in history and 'data-revision="1"' in history and "(live)" in history
    assert 'data-token="color-primary"' in diff and "#c0392b" in diff
    assert "{&#x27;" not in diff and "{'" not in diff  # colours read "light …, dark …", not a dict
    theme.refresh_from_db()
    assert theme.latest_revision == 3 and theme.tokens == {}


def test_reverting_or_activating_needs_post(admin_client, theme):
    assert admin_client.get(f"/admin/core/theme/{theme.pk}/revert/1/").status_code == 405
    assert admin_client.get(f"/admin/core/theme/{theme.pk}/activate/").status_code == 405


def test_making_a_published_theme_the_sites(admin_client, theme, user_with_role):
    author = user_with_role("admin")
    other = services.draft_create(model=Theme, content={"name": "Night", "tokens": {}}, author=author)
    services.publish(obj=other, author=author)

    admin_client.post(f"/admin/core/theme/{other.pk}/activate/")

    other.refresh_from_db()
    theme.refresh_from_db()
    assert other.is_active and not theme.is_active
