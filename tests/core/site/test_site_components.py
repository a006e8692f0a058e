from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core.models import SiteComponent
from apps.core.publishing import services
from apps.core.site import services as core_services

# The built-in home's promise (apps/core/site/views.py ACCOUNT_PROMISE).
BUILT_IN_HOME = "One free account signs you in everywhere on the site."


@pytest.fixture
def admin(user_with_role):
    return user_with_role("admin")


def component(admin, key: str, content: dict, *, publish: bool = True) -> SiteComponent:
    """The component ``key`` with ``content`` as its newest draft, published unless told not to."""
    obj = core_services.site_component_get_or_create(key=key, author=admin)
    services.draft_save(obj=obj, content={"content": content}, author=admin, based_on=obj.latest_revision)
    if publish:
        services.publish(obj=obj, author=admin)
    return obj


def menu(*labels: str) -> dict:
    return {"menu": [{"label": label, "url": f"/{label.lower()}/"} for label in labels]}


def sections(*texts: str) -> dict:
    return {"sections": [{"type": "heading", "text": text, "level": 2} for text in texts]}


def nav_html(html: str) -> str:
    return html.split('<ul class="site-nav__list">', 1)[1].split("</ul>\n      <div", 1)[0]


# --- Validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "content", "message"),
    [
        ("header", {"menu": [{"label": "A", "url": "/a/"}, {"label": "", "url": "/b/"}]}, "Menu item 2: label"),
        ("header", {"menu": [{"label": "A", "url": "/a/"}] * 9}, "at most 8 items"),
        ("header", {"menu": [{"label": "x" * 41, "url": "/a/"}]}, "Menu item 1: label must be at most 40"),
        ("header", {"menu": [{"label": "A", "url": "/a/", "children": [{"label": "B", "url": "//evil"}]}]}, "child 1"),
        ("header", {"menu": [{"label": "A", "url": "/a/", "children": [{"label": "B", "url": "/b/"}] * 11}]}, "10"),
        ("header", {"menu": [{"label": "A", "url": "/a/", "target": "_blank"}]}, "unknown field 'target'"),
        ("header", {"links": []}, "Header: unknown field 'links'"),
        ("home", {"sections": [{"type": "heading", "text": "Hi", "level": 1}]}, r"Block 1 \(heading\): level"),
        ("home", {"sections": "<p>hello</p>"}, "list of blocks"),
        ("footer", {"links": [{"label": "A", "url": "/a/"}] * 13}, "at most 12 links"),
        ("footer", {"links": [{"label": "A"}]}, "Link 1: url is required"),
        ("footer", {"blocks": [{"type": "cta", "text": "Go", "url": "data:x"}]}, r"Block 1 \(cta\): url must"),
    ],
)
def test_a_component_that_breaks_its_schema_is_refused_with_a_message_naming_the_item(admin, key, content, message):
    with pytest.raises(ValidationError, match=message):
        component(admin, key, content, publish=False)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,x"]
)
def test_a_menu_url_that_could_run_script_is_refused(admin, url):
    with pytest.raises(ValidationError, match="Menu item 1: url must"):
        component(admin, "header", {"menu": [{"label": "Click", "url": url}]}, publish=False)


def test_only_admins_write_and_publish_the_sites_components(admin, cast):
    header = component(admin, "header", menu("About"), publish=False)

    for who in ("instructor", "shop_owner", "blog_admin", "blog_author", "student", "member"):
        with pytest.raises(PermissionDenied):
            core_services.site_component_get_or_create(key="footer", author=cast[who])
        with pytest.raises(PermissionDenied):
            services.draft_save(obj=header, content={"content": menu("X")}, author=cast[who], based_on=1)
        with pytest.raises(PermissionDenied):
            services.publish(obj=header, author=cast[who])
    assert not SiteComponent.objects.filter(key="footer").exists()


def test_a_component_key_the_site_does_not_have_is_refused(admin):
    with pytest.raises(ValidationError, match="Unknown site component"):
        core_services.site_component_get_or_create(key="sidebar", author=admin)


# --- Drafts, publication, unpublication ----------------------------------------------------------


def test_a_header_draft_changes_nothing_until_it_is_published(client, admin, django_capture_on_commit_callbacks):
    header = component(admin, "header", menu("Workshops"), publish=False)

    nav = nav_html(client.get("/").content.decode())
    assert ">Home</a>" in nav and ">Status</a>" in nav and "Workshops" not in nav
    with django_capture_on_commit_callbacks(execute=True):  # the publish event clears the cache
        services.publish(obj=header, author=admin)
    nav = nav_html(client.get("/").content.decode())
    assert '<a href="/workshops/">Workshops</a>' in nav and ">Home</a>" not in nav


def test_a_header_item_with_children_opens_a_details_dropdown(client, admin):
    item = {"label": "Learn", "url": "/learn/", "children": [{"label": "Courses", "url": "/learn/courses/"}]}
    component(admin, "header", {"menu": [item]})

    nav = nav_html(client.get("/learn/courses/").content.decode())

    assert '<details class="site-nav__menu">' in nav and "<summary>Learn</summary>" in nav
    assert '<a href="/learn/courses/" aria-current="page">Courses</a>' in nav
    assert "<script" not in nav and "style=" not in nav


def test_a_live_header_keeps_the_role_based_items_and_marks_the_current_page(client_for, admin, cast):
    component(admin, "header", menu("About"))

    for who, user in cast.items():
        nav = nav_html(client_for(user).get("/dashboard/", follow=True).content.decode())
        assert '<a href="/about/">About</a>' in nav, who
        assert ('href="/dashboard/"' in nav) == (user is not None), who
        assert ('href="/admin/"' in nav) == (who in {"super_admin", "admin"}), who
    nav = nav_html(client_for(admin).get("/about/").content.decode())
    assert '<a href="/about/" aria-current="page">About</a>' in nav


def test_a_home_draft_changes_nothing_until_it_is_published(client, admin, django_capture_on_commit_callbacks):
    home = component(admin, "home", sections("Welcome to the new home"), publish=False)

    assert BUILT_IN_HOME in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(obj=home, author=admin)
    html = client.get("/").content.decode()
    assert "Welcome to the new home" in html and BUILT_IN_HOME not in html


def test_a_footer_draft_changes_nothing_until_it_is_published(client, admin, django_capture_on_commit_callbacks):
    content = {
        "blocks": [{"type": "rich_text", "html": "<p>Made with care.</p>"}],
        "links": [{"label": "Imprint", "url": "/imprint/"}],
    }
    footer = component(admin, "footer", content, publish=False)

    assert "Made with care" not in client.get("/status/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(obj=footer, author=admin)
    html = client.get("/status/").content.decode()
    footer_html = html.split('<footer class="site-footer">', 1)[1]
    assert "Made with care." in footer_html and '<a href="/imprint/">Imprint</a>' in footer_html
    assert 'href="/api/docs/">API</a>' not in footer_html  # the built-in footer links are replaced


def test_unpublishing_the_components_restores_the_built_in_header_home_and_footer(
    client, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        published = [
            component(admin, "header", menu("Workshops")),
            component(admin, "home", sections("New home")),
            component(admin, "footer", {"links": [{"label": "Imprint", "url": "/imprint/"}]}),
        ]
    assert "New home" in client.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        for obj in published:
            services.unpublish(obj=obj, author=admin)
    html = client.get("/").content.decode()
    assert BUILT_IN_HOME in html and "New home" not in html
    assert ">Home</a>" in nav_html(html) and "Workshops" not in html and "Imprint" not in html


# --- Home preview -----------------------------------------------------------------------------


@pytest.fixture
def home_draft(admin):
    home = component(admin, "home", sections("Published home"))
    services.draft_save(obj=home, content={"content": sections("Secret draft")}, author=admin, based_on=1)
    return home


def test_the_editor_previews_a_home_draft_through_a_signed_link(client_for, admin, home_draft):
    token = services.preview_token(obj=home_draft, revision=2, user=admin)

    response = client_for(admin).get(f"/?preview={token}")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Secret draft" in html and "Published home" not in html and "Preview of revision 2" in html
    assert response["Cache-Control"] == "private, no-store" and response["X-Robots-Tag"] == "noindex"


def test_nobody_else_sees_the_home_draft_through_the_preview_link(client_for, admin, home_draft, cast):
    token = services.preview_token(obj=home_draft, revision=2, user=admin)

    for who, user in cast.items():
        response = client_for(user).get(f"/?preview={token}")
        assert response.status_code == 403, who
        assert "Secret draft" not in response.content.decode(), who


def test_a_guessed_or_expired_home_preview_link_shows_nothing(client_for, admin, home_draft, settings, time_machine):
    client = client_for(admin)
    token = services.preview_token(obj=home_draft, revision=2, user=admin)

    assert client.get("/?preview=guess").status_code == 403
    time_machine.move_to(timezone.now() + timedelta(seconds=settings.PREVIEW_MAX_AGE + 5))
    assert client.get(f"/?preview={token}").status_code == 403


def test_a_preview_link_of_another_component_does_not_open_the_home(client_for, admin, home_draft):
    header = component(admin, "header", menu("About"), publish=False)
    token = services.preview_token(obj=header, revision=1, user=admin)

    assert client_for(admin).get(f"/?preview={token}").status_code == 403


def test_a_home_preview_link_without_a_home_component_is_refused(client_for, admin):
    assert client_for(admin).get("/?preview=anything").status_code == 403


# --- Untrusted content ------------------------------------------------------------------------


def test_script_in_a_menu_label_is_shown_as_text(client, admin):
    component(admin, "header", {"menu": [{"label": "<script>alert(1)</script>", "url": "/x/"}]})

    html = client.get("/").content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html


def test_script_in_a_home_section_never_runs(client, admin):
    rich = {"type": "rich_text", "html": '<p>Hi<script>alert(2)</script><img src=x onerror="alert(3)"></p>'}
    component(admin, "home", {"sections": [{"type": "heading", "text": "<b>bold</b>", "level": 2}, rich]})

    html = client.get("/").content.decode()

    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "alert(2)" not in html and "onerror" not in html


def test_a_stored_menu_url_written_around_the_cleaner_is_not_shown(client, admin):
    header = component(admin, "header", menu("About"))
    bad = {"menu": [{"label": "Evil", "url": "javascript:alert(1)"}, {"label": "About", "url": "/about/"}]}
    SiteComponent.objects.filter(pk=header.pk).update(content=bad)

    html = client.get("/").content.decode()

    assert "javascript:" not in html and '<a href="/about/">About</a>' in html


# --- Cost -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("section_count", "item_count"), [(1, 1), (30, 1), (1, 8), (30, 8)])
def test_home_page_query_count_does_not_depend_on_sections_or_menu_items(
    client, admin, section_count, item_count, django_assert_num_queries
):
    component(admin, "home", sections(*(f"Section {i}" for i in range(section_count))))
    component(admin, "header", menu(*(f"Item{i}" for i in range(item_count))))
    component(admin, "footer", {"links": [{"label": "About", "url": "/about/"}]})
    client.get("/")  # warms the cache (and applies any due schedules)

    with django_assert_num_queries(0):
        html = client.get("/").content.decode()
    assert f"Section {section_count - 1}" in html and f"Item{item_count - 1}" in html


def test_the_components_are_read_in_one_query_and_from_the_sql_when_the_cache_is_down(
    client, admin, settings, django_assert_num_queries
):
    from apps.core.site.selectors import site_components_live

    component(admin, "header", menu("About"))
    component(admin, "home", sections("Hello"))
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"},
    }

    with django_assert_num_queries(2):  # no cache: each call reads SQL, once
        live = site_components_live()
        assert site_components_live() == live
    assert set(live) == {"header", "home"} and live["home"]["sections"][0]["text"] == "Hello"


# --- Demo data --------------------------------------------------------------------------------


def test_seed_demo_publishes_a_header_home_and_footer_once(client, db, settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    components = SiteComponent.objects.all()
    assert {c.key: (c.live, c.latest_revision) for c in components} == {
        "header": (True, 1),
        "home": (True, 1),
        "footer": (True, 1),
    }
    html = client.get("/").content.decode()
    assert '<a href="/terms/">Terms of use</a>' in nav_html(html)
    assert "One site and theme" in html and 'href="/api/docs/"' in html and 'href="/status/"' in html
