from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import include, path
from django.views.decorators.vary import vary_on_headers

from apps.core.models import SitePage
from apps.core.platform import pagecache
from apps.core.platform.pagecache import cache_public_page
from apps.core.publishing import services
from apps.core.publishing.http import as_draft

COUNTS: dict[str, int] = {}


def _counted(name: str, response: HttpResponse) -> HttpResponse:
    COUNTS[name] = COUNTS.get(name, 0) + 1
    return response


@cache_public_page("things")
def public_view(request: HttpRequest) -> HttpResponse:
    return _counted("public", HttpResponse(f"render {COUNTS.get('public', 0) + 1}"))


@cache_public_page("other")
def other_view(request: HttpRequest) -> HttpResponse:
    return _counted("other", HttpResponse(f"render {COUNTS.get('other', 0) + 1}"))


@cache_public_page("things")
def draft_view(request: HttpRequest) -> HttpResponse:
    return _counted("draft", as_draft(HttpResponse("a draft")))


@cache_public_page("things")
def token_view(request: HttpRequest) -> HttpResponse:
    return _counted("token", HttpResponse(f"a form with {get_token(request)}"))


@cache_public_page("things")
def cookie_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("hello")
    response.set_cookie("seen", "1")
    return _counted("cookie", response)


@cache_public_page("things")
@vary_on_headers("Accept-Language")
def language_view(request: HttpRequest) -> HttpResponse:
    return _counted("language", HttpResponse(request.headers.get("Accept-Language", "")))


@cache_public_page("things")
@vary_on_headers("HX-Request")
def htmx_view(request: HttpRequest) -> HttpResponse:
    return _counted("htmx", HttpResponse("fragment" if request.headers.get("HX-Request") else "full page"))


@cache_public_page("things")
def missing_view(request: HttpRequest) -> HttpResponse:
    return _counted("missing", HttpResponse("gone", status=404))


urlpatterns = [
    path("public/", public_view),
    path("other/", other_view),
    path("draft/", draft_view),
    path("token/", token_view),
    path("cookie/", cookie_view),
    path("language/", language_view),
    path("htmx/", htmx_view),
    path("missing/", missing_view),
    path("", include("config.urls")),
]


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    COUNTS.clear()


# The default cache: local memory on the embedded defaults, Redis when REDIS_URL is set.
pytestmark = pytest.mark.urls(__name__)


def get(client, url: str, **headers: str):  # type: ignore[no-untyped-def]
    client.cookies.clear()
    return client.get(url, headers=headers)


def test_a_visitor_without_cookies_gets_the_stored_page(client, db):
    first, second = get(client, "/public/"), get(client, "/public/")

    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert first.content == second.content == b"render 1"
    assert COUNTS["public"] == 1
    assert second["Content-Type"] == first["Content-Type"]
    assert "Content-Security-Policy" in second  # the middleware below still has its say


def test_any_cookie_bypasses_the_cache_and_is_not_stored(client, db):
    assert get(client, "/public/", Cookie="bench=1")["X-Page-Cache"] == "bypass"
    assert get(client, "/public/", Cookie="bench=1").content == b"render 2"

    assert get(client, "/public/")["X-Page-Cache"] == "miss"  # nothing was stored by the bypasses


def test_a_signed_in_visitor_never_gets_a_shared_page(client, member):
    get(client, "/public/")
    client.force_login(member)

    response = client.get("/public/")

    assert response["X-Page-Cache"] == "bypass" and response.content == b"render 2"


def test_credentials_in_a_header_bypass_the_cache(client, db):
    get(client, "/public/")

    assert get(client, "/public/", Authorization="Bearer x")["X-Page-Cache"] == "bypass"


def test_drafts_and_previews_are_never_stored(client, db):
    for _ in range(2):
        response = get(client, "/draft/")
        assert response["X-Page-Cache"] == "miss" and response["Cache-Control"] == "private, no-store"
    assert COUNTS["draft"] == 2


def test_a_response_that_sets_a_cookie_is_never_stored(client, db):
    get(client, "/cookie/")
    get(client, "/token/")  # the CSRF middleware adds its cookie after the view

    assert get(client, "/cookie/")["X-Page-Cache"] == "miss"
    assert get(client, "/token/")["X-Page-Cache"] == "miss"
    assert COUNTS == {"cookie": 2, "token": 2}


def test_only_successful_responses_are_stored(client, db):
    get(client, "/missing/")

    assert get(client, "/missing/")["X-Page-Cache"] == "miss"


def test_a_response_varying_on_an_unkeyed_header_is_not_stored(client, db):
    get(client, "/language/", **{"Accept-Language": "fr"})

    response = get(client, "/language/", **{"Accept-Language": "de"})

    assert response["X-Page-Cache"] == "miss" and response.content == b"de"


def test_htmx_requests_get_their_own_entry(client, db):
    assert get(client, "/htmx/").content == b"full page"
    assert get(client, "/htmx/", **{"HX-Request": "true"}).content == b"fragment"

    assert get(client, "/htmx/", **{"HX-Request": "true"}).content == b"fragment"
    assert get(client, "/htmx/").content == b"full page"
    assert COUNTS["htmx"] == 2


def test_the_query_string_is_part_of_the_key(client, db):
    get(client, "/public/?page=1")

    assert get(client, "/public/?page=2")["X-Page-Cache"] == "miss"
    assert get(client, "/public/?page=1")["X-Page-Cache"] == "hit"


def test_invalidating_a_namespace_reaches_its_pages_only(client, db):
    get(client, "/public/"), get(client, "/other/")

    pagecache.invalidate("things")

    assert get(client, "/public/").content == b"render 2"
    assert get(client, "/other/")["X-Page-Cache"] == "hit"


def test_a_site_wide_invalidation_reaches_every_page(client, db):
    get(client, "/public/"), get(client, "/other/")

    pagecache.invalidate(pagecache.SITE)

    assert get(client, "/public/")["X-Page-Cache"] == "miss"
    assert get(client, "/other/")["X-Page-Cache"] == "miss"


def test_a_lost_version_key_never_brings_old_pages_back(client, db):
    from django.core.cache import cache

    get(client, "/public/")
    cache.delete("pagecache:v:things")

    assert get(client, "/public/")["X-Page-Cache"] == "miss"


# --- The site's own pages ------------------------------------------------------------------


@pytest.fixture
def admin(user_with_role):  # type: ignore[no-untyped-def]
    return user_with_role("admin")


@pytest.fixture
def about(admin):  # type: ignore[no-untyped-def]
    content = {"title": "About us", "slug": "about", "body": [], "seo_description": ""}
    page = services.draft_create(model=SitePage, content=content, author=admin)
    services.publish(obj=page, author=admin)
    return page


def test_the_home_page_and_free_pages_are_shared_without_a_csrf_token_or_cookie(client, about):
    for url in ("/", "/about/"):
        get(client, url)
        response = get(client, url)

        assert response["X-Page-Cache"] == "hit"
        assert "X-CSRFToken" not in response.content.decode() and not response.cookies
        # A visitor with cookies gets a page of their own, with the token htmx sends.
        assert "X-CSRFToken" in get(client, url, Cookie="seen=1").content.decode()


def test_publishing_shows_the_change_at_once(client, about, admin, django_capture_on_commit_callbacks):
    get(client, "/about/")
    content = {**about.content_of(), "title": "About the team"}
    services.draft_save(obj=about, content=content, author=admin, based_on=about.latest_revision)
    assert "About us" in get(client, "/about/").content.decode()  # a draft changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        services.publish(obj=about, author=admin)

    assert "About the team" in get(client, "/about/").content.decode()
    # The footer of every other page lists it too.
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish(obj=about, author=admin)
    assert get(client, "/about/").status_code == 404


def test_an_editors_preview_is_never_stored(client_for, about, admin):
    token = services.preview_token(obj=about, revision=1, user=admin)
    editor = client_for(admin)

    response = editor.get(f"/about/?preview={token}")

    assert response["Cache-Control"] == "private, no-store"
    # Even someone without cookies asking for the same address is not served the draft.
    assert get(editor, f"/about/?preview={token}").status_code == 403


def test_a_profile_edit_clears_shared_pages(client, about, member):
    from apps.core.accounts.services import profile_update

    get(client, "/about/")

    profile_update(user=member, display_name="New Name", bio="")

    assert get(client, "/about/")["X-Page-Cache"] == "miss"


def test_pages_are_served_uncached_while_the_cache_is_down(client, about, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
    }

    response = get(client, "/about/")

    assert response.status_code == 200 and "About us" in response.content.decode()


def test_the_page_cache_can_be_turned_off(client, about, settings):
    settings.PAGE_CACHE_SECONDS = 0
    get(client, "/about/")

    assert "X-Page-Cache" not in get(client, "/about/")


# --- Fragments -------------------------------------------------------------------------------


def test_a_fragment_is_loaded_once_until_its_namespace_changes(db):
    loads: list[int] = []

    def load() -> str:
        loads.append(1)
        return f"value {len(loads)}"

    assert pagecache.cached("things", "box", load) == "value 1"
    assert pagecache.cached("things", "box", load) == "value 1"
    pagecache.invalidate("things")
    assert pagecache.cached("things", "box", load) == "value 2"
    pagecache.invalidate(pagecache.SITE)
    assert pagecache.cached("things", "box", load) == "value 3"


def test_a_missing_fragment_is_not_kept(db):
    loads: list[int] = []

    def load() -> None:
        loads.append(1)

    pagecache.cached("things", "nothing", load)
    pagecache.cached("things", "nothing", load)

    assert len(loads) == 2
