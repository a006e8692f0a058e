"""The site's content API shows what visitors see and nothing else."""

from __future__ import annotations

import pytest

from apps.core.models import SitePage
from apps.core.publishing import services
from apps.core.site import services as core_services

HEADING = [{"type": "heading", "text": "Our story", "level": 2}]


@pytest.fixture
def admin(user_with_role):
    return user_with_role("admin")


@pytest.fixture
def pages(admin):
    live = services.draft_create(
        model=SitePage, content={"title": "About", "slug": "about", "body": HEADING}, author=admin
    )
    services.publish(obj=live, author=admin)
    services.draft_save(obj=live, content={"title": "Secret new title"}, author=admin, based_on=1)
    draft = services.draft_create(model=SitePage, content={"title": "Hidden", "slug": "hidden"}, author=admin)
    return live, draft


def test_the_page_list_and_detail_show_published_content_only(client, pages):
    listing = client.get("/api/v1/site/pages/").json()
    detail = client.get("/api/v1/site/pages/about/").json()

    assert [page["slug"] for page in listing["results"]] == ["about"]
    assert detail["title"] == "About" and detail["body"][0]["text"] == "Our story"
    assert "Secret" not in str(listing) + str(detail)


def test_a_draft_page_is_not_found_whoever_asks(client, client_for, admin, pages):
    for asker in (client, client_for(admin)):
        response = asker.get("/api/v1/site/pages/hidden/")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
        assert asker.get("/api/v1/site/pages/about/?preview=anything").json()["title"] == "About"


def test_components_show_the_published_versions_only(client, admin, django_capture_on_commit_callbacks):
    home = core_services.site_component_get_or_create(key="home", author=admin)
    services.draft_save(obj=home, content={"content": {"sections": HEADING}}, author=admin, based_on=0)

    assert client.get("/api/v1/site/components/").json() == {"header": None, "home": None, "footer": None}
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(obj=home, author=admin)
    assert client.get("/api/v1/site/components/").json()["home"]["sections"][0]["text"] == "Our story"


def test_the_theme_endpoint_names_the_published_stylesheet(client, db):
    assert client.get("/api/v1/site/theme/").json() == {"stylesheet": None}
    assert client.post("/api/v1/site/theme/").status_code == 405
