from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import path

from apps.core.site import views as core_views
from config import urls as project_urls


def test_home_renders_the_full_layout(client, db):
    client.cookies["seen"] = "1"  # a visitor with cookies gets a page of their own (see test_pagecache)
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<main id="main"' in html
    assert "One free account signs you in everywhere on the site." in html
    assert "htmx-2" in html and "/static/django_htmx/" in html  # htmx from the package, not a CDN
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "/static/css/site.css" in html


def test_home_refuses_post(client):
    assert client.post("/").status_code == 405


def test_pages_load_no_asset_from_another_origin(client, db):
    for url in ("/", "/status/", "/api/docs/", "/nowhere/"):
        html = client.get(url).content.decode()
        assert "https://" not in html.replace("https://www.w3.org", ""), url


def test_status_page_renders_the_full_page_and_htmx_gets_only_the_panel(client, db):
    full = client.get("/status/")
    partial = client.get("/status/", headers={"HX-Request": "true"})

    assert full.status_code == partial.status_code == 200
    assert "<html" in full.content.decode() and 'id="status-panel"' in full.content.decode()
    fragment = partial.content.decode()
    assert fragment.lstrip().startswith('<section id="status-panel"')
    assert "<html" not in fragment
    for part in ("sql", "cache", "channels", "documents", "storage"):
        assert f'data-part="{part}"' in fragment
    assert "HX-Request" in full["Vary"]


def test_status_page_shows_a_part_that_is_down(client, db, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"},
    }

    html = client.get("/status/", headers={"HX-Request": "true"}).content.decode()

    assert 'badge--down">down' in html


def test_navigation_shows_admin_only_to_staff(client_for, member, staff):
    assert 'href="/admin/"' not in client_for(None).get("/").content.decode()
    assert 'href="/admin/"' not in client_for(member).get("/").content.decode()
    assert 'href="/admin/"' in client_for(staff).get("/").content.decode()


def test_navigation_marks_the_current_page(client, db):
    html = client.get("/status/").content.decode()

    assert '<a href="/status/" aria-current="page">Status</a>' in html
    assert '<a href="/" aria-current="page">' not in html


def test_unknown_page_gets_the_html_404(client, db):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_unknown_api_path_gets_the_json_error_shape(client):
    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"error": {"status": 404, "code": "not_found", "message": "Not found."}}


def _boom(request):
    raise RuntimeError("kaboom")


def _forbidden(request):
    raise PermissionDenied


def _gone(request):
    raise Http404("No such comment.")


urlpatterns = [
    path("boom/", _boom),
    path("forbidden/", _forbidden),
    path("gone/", _gone),
    path("api/v1/boom/", _boom),
    *project_urls.urlpatterns,
]
handler403, handler404, handler500 = project_urls.handler403, project_urls.handler404, project_urls.handler500


@pytest.mark.urls(__name__)
def test_server_error_is_a_styled_page_for_people_and_json_for_the_api(db):
    client = Client(raise_request_exception=False)

    page = client.get("/boom/")
    api = client.get("/api/v1/boom/")

    assert page.status_code == api.status_code == 500
    assert "Something went wrong on our side" in page.content.decode()
    assert api.json()["error"]["code"] == "server_error"
    assert "kaboom" not in page.content.decode() + api.content.decode()


@pytest.mark.urls(__name__)
def test_forbidden_is_a_styled_page(client, db):
    response = client.get("/forbidden/")

    assert response.status_code == 403
    assert "You do not have permission to see this page." in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_view_s_own_reason_is_shown_and_named_in_a_header_for_htmx(client, db):
    # htmx does not swap an error page in; site.js shows the header's words in the messages region.
    gone, unknown, forbidden = client.get("/gone/"), client.get("/no/such/"), client.get("/forbidden/")

    assert gone.status_code == unknown.status_code == 404
    assert "No such comment." in gone.content.decode()
    assert unquote(gone["X-Error-Message"]) == "Page not found: No such comment."
    assert "There is nothing at this address." in unknown.content.decode()
    assert unquote(unknown["X-Error-Message"]) == "Page not found"
    assert unquote(forbidden["X-Error-Message"]) == "Not allowed"


def test_a_form_post_without_csrf_token_is_refused_with_a_page(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/admin/login/", {"username": "a@b.c", "password": "x"})

    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert unquote(response["X-Error-Message"]) == "This form has expired: reload the page and try again."


def test_csrf_failure_under_the_api_answers_in_the_json_shape(rf):
    request = rf.post("/api/v1/anything/")

    response = core_views.csrf_failure(request, reason="CSRF cookie not set.")

    assert response.status_code == 403
    assert b'"code": "csrf_failed"' in response.content


def test_permission_denied_and_bad_request_handlers_answer_by_surface(rf):
    assert core_views.permission_denied(rf.get("/api/v1/x/")).status_code == 403
    assert b'"permission_denied"' in core_views.permission_denied(rf.get("/api/v1/x/")).content
    assert b'"bad_request"' in core_views.bad_request(rf.get("/api/v1/x/")).content


def test_favicon_ico_points_at_the_site_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"


# --- robots.txt --------------------------------------------------------------------------------


def _robots_rules(text: str) -> list[tuple[str, str]]:
    return [tuple(part.strip() for part in line.split(":", 1)) for line in text.splitlines() if ":" in line]  # type: ignore[misc]


def test_robots_txt_names_the_sitemap_on_the_site_url(client, db, settings):
    settings.SITE_URL = "https://platform.example.com/"

    response = client.get("/robots.txt")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    rules = _robots_rules(response.content.decode())
    assert rules[0] == ("User-agent", "*")
    assert ("Sitemap", "https://platform.example.com/sitemap.xml") in rules


def test_robots_txt_keeps_previews_admin_api_accounts_and_dashboards_out(client, db):
    rules = _robots_rules(client.get("/robots.txt").content.decode())
    disallowed = {value for field, value in rules if field == "Disallow"}

    assert {"/admin/", "/api/", "/accounts/", "/dashboard/", "/preview/", "/*?preview=", "/*&preview="} <= disallowed
    assert "/" not in disallowed and "" not in disallowed  # the public site stays open


def test_robots_txt_adds_the_disallow_lines_of_the_setting(client, db, settings):
    settings.ROBOTS_DISALLOW = ["/search/", "/admin/"]

    text = client.get("/robots.txt").content.decode()

    assert "Disallow: /search/" in text and text.count("Disallow: /admin/") == 1


def test_robots_txt_is_cached_for_visitors_and_refuses_post(client, db):
    first, second = client.get("/robots.txt"), client.get("/robots.txt")

    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert "max-age=" in first["Cache-Control"] and "public" in first["Cache-Control"]
    assert client.post("/robots.txt").status_code == 405
