"""The style guide (/styleguide/): staff only, every component, both schemes."""

from __future__ import annotations

import re

import pytest


def test_staff_see_the_style_guide_with_both_schemes(client_for, user_with_role):
    response = client_for(user_with_role("admin")).get("/styleguide/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-scheme="light"' in html and 'data-scheme="dark"' in html
    for part in (
        "button--danger",
        "field__help",
        "errorlist",
        "picker",
        "card--product",
        "card--stream",
        "badge--live",
        "avatar",
        'role="tablist"',
        "menu__list",
        "<dialog",
        "message--error",
        "empty-state",
        "pagination",
        "table-wrap",
        "stat",
        "progress__bar",
        "chart__bar",
        "chart__line",
    ):
        assert part in html, part


def test_the_style_guide_repeats_no_id(client_for, user_with_role):
    html = client_for(user_with_role("admin")).get("/styleguide/").content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("role", [None, "blog_admin", "instructor"])
def test_people_who_are_not_staff_are_refused(client_for, user_with_role, role):
    assert client_for(user_with_role(role)).get("/styleguide/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/styleguide/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/styleguide/")


def test_the_admin_index_links_the_style_guide(client_for, user_with_role):
    html = client_for(user_with_role("admin")).get("/admin/").content.decode()

    assert 'href="/styleguide/"' in html


def test_styleguide_is_a_reserved_page_slug():
    from apps.core.models import reserved_page_slugs

    assert "styleguide" in reserved_page_slugs()
