"""Profile sections: tabs of people's profiles that other apps fill through their hook's
``profile_sections`` (core gathers them, social renders them and imports none of the apps): the
registry's gathering and checks, the tiny test app's section end to end (in a process of its own,
where it is installed), then the blog's, the LMS's and the shop's: only what is published and
public, whoever looks; each tab at its own address (a page without JavaScript, a panel for htmx);
the strip's query count fixed whatever each person made."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.blog.services import post_unpublish
from apps.core.platform import ProfileSection, ProfileSectionContent, registry
from apps.core.platform.hooks import AppHook, InstalledHook, Registry, _check
from apps.lms.models import CourseInstructor
from apps.social.selectors_profile import checked_sections
from apps.social.services import relations
from tests.blog.factories import make_post
from tests.commerce.factories import ShopFactory, make_product
from tests.core.factories import UserFactory
from tests.lms.factories import make_course
from tests.social.factories import ProfileFactory
from tests.utils import run_with_hookapp

pytestmark = pytest.mark.django_db


def _nothing(person, viewer, limit):  # type: ignore[no-untyped-def]
    return None


def _section(key: str, order: int = 100) -> ProfileSection:
    return ProfileSection(key, key.title(), _nothing, order=order)


# --- Core: gathering and checks --------------------------------------------------------------


def test_the_registry_gathers_every_apps_sections_by_order_then_key():
    one = InstalledHook("one", AppHook(profile_sections=(_section("zines", 5), _section("art", 50))))
    two = InstalledHook("two", AppHook(profile_sections=(_section("books", 5),)))
    assert [s.key for s in Registry((one, two)).profile_sections] == ["books", "zines", "art"]


def test_the_installed_apps_offer_their_sections_in_order():
    assert [s.key for s in registry().profile_sections] == ["blog", "courses", "shop"]


@pytest.mark.parametrize("key", ["Blog", "my/blog", "", "9lives", "x" * 31, "blog_posts"])
def test_a_section_key_that_is_no_address_segment_refuses_to_start(key):
    with pytest.raises(ImproperlyConfigured, match="profile section"):
        _check((InstalledHook("one", AppHook(profile_sections=(_section(key),))),))


def test_two_apps_claiming_one_section_key_refuse_to_start():
    hooks = tuple(InstalledHook(app, AppHook(profile_sections=(_section("blog"),))) for app in ("one", "two"))
    with pytest.raises(ImproperlyConfigured, match="same profile section: blog"):
        _check(hooks)


@pytest.mark.parametrize("key", ["followers", "replies", "block", "posts"])
def test_a_section_taking_one_of_the_profiles_own_addresses_is_refused(key):
    with pytest.raises(ImproperlyConfigured, match=key):
        checked_sections((_section(key),))
    assert checked_sections((_section("streams"),)) == (_section("streams"),)


def test_a_tiny_app_adds_a_profile_tab_through_its_hook_alone():
    run_with_hookapp("tests/hookapp/profile_section_checks.py")


# --- The real apps' sections ------------------------------------------------------------------


@pytest.fixture
def maker(db):
    """Someone who writes on the blog, teaches and keeps a shop, at /@mo/."""
    user = UserFactory(display_name="Mo Maker", roles=["blog_author", "instructor", "shop_owner"])
    return ProfileFactory(handle="mo", user=user).user


@pytest.fixture
def viewers(user_with_role):
    """Who looks: a visitor, a member, the maker's admins (who may see drafts elsewhere)."""
    return {
        "visitor": None,
        "member": user_with_role(None),
        "blog_admin": user_with_role("blog_admin"),
        "admin": user_with_role("admin"),
    }


def _tabs(body: str) -> list[str]:
    return [key for key in ("blog", "courses", "shop") if f'href="/@mo/{key}/"' in body]


def _count(body: str, label: str, *, current: bool = False) -> int | None:
    """The number on the strip's tab ``label`` (None: no such tab, or not the current one)."""
    mark = r' aria-current="page"' if current else r'(?: aria-current="page")?'
    found = re.search(rf'hx-push-url="true"{mark}>{label}\s*<span class="badge">(\d+)</span>', body)
    return int(found[1]) if found else None


def test_a_person_with_nothing_published_has_only_the_networks_own_tabs(client, maker):
    make_post(author=maker, title="A draft")
    make_course(owner=maker, live=False)
    ShopFactory(owner=maker, is_active=False)
    body = client.get("/@mo/").content.decode()
    assert _tabs(body) == [] and 'href="/@mo/replies/"' in body and 'href="/@mo/media/"' in body
    for key in ("blog", "courses", "shop"):
        assert client.get(f"/@mo/{key}/").status_code == 404


@pytest.mark.parametrize("who", ["visitor", "member", "blog_admin", "admin", "maker"])
def test_the_blog_tab_shows_live_posts_only_whoever_looks(client_for, maker, viewers, who):
    live = make_post(author=maker, live=True, title="Published words")
    make_post(author=maker, title="Draft words")
    gone = make_post(author=maker, live=True, title="Withdrawn words")
    post_unpublish(post=gone, publisher=UserFactory(roles=["blog_admin"]))
    make_post(live=True, title="Someone else's words")
    client = client_for(maker if who == "maker" else viewers[who])
    body = client.get("/@mo/blog/").content.decode()
    assert "Published words" in body and live.get_absolute_url() in body
    assert "Draft words" not in body and "Withdrawn words" not in body and "Someone else" not in body
    assert f'href="/blog/author/{maker.pk}/">See all 1</a>' in body
    assert _count(body, "Blog", current=True) == 1


@pytest.mark.parametrize("who", ["visitor", "member", "admin", "maker"])
def test_the_courses_tab_shows_the_live_courses_they_own_or_co_teach(client_for, maker, viewers, who):
    owned = make_course(owner=maker, title="Pottery at home")
    shared = make_course(title="Glazes together")
    CourseInstructor.objects.create(course=shared, user=maker)
    make_course(owner=maker, title="Kilns (draft)", live=False)
    make_course(title="Someone else's course")
    client = client_for(maker if who == "maker" else viewers[who])
    body = client.get("/@mo/courses/").content.decode()
    assert "Pottery at home" in body and "Glazes together" in body and owned.get_absolute_url() in body
    assert "Kilns" not in body and "Someone else" not in body
    assert _count(body, "Courses", current=True) == 2


@pytest.mark.parametrize("who", ["visitor", "member", "admin", "maker"])
def test_the_shop_tab_shows_the_active_shops_they_own(client_for, maker, viewers, who):
    shop = ShopFactory(owner=maker, name="Mo's Mugs")
    make_product(shop=shop)
    make_product(shop=shop, live=False)
    ShopFactory(owner=maker, name="Closed Corner", is_active=False)
    ShopFactory(name="Another's shop")
    client = client_for(maker if who == "maker" else viewers[who])
    body = client.get("/@mo/shop/").content.decode()
    assert "Mo&#x27;s Mugs" in body and "1 product<" in body and shop.get_absolute_url() in body
    assert "Closed Corner" not in body and "Another" not in body
    assert f'href="{shop.get_absolute_url()}">See all 1</a>' in body


def test_the_strip_shows_each_section_with_something_with_its_count(client, maker):
    make_post(author=maker, live=True)
    make_post(author=maker, live=True)
    make_course(owner=maker)
    body = client.get("/@mo/").content.decode()
    assert _tabs(body) == ["blog", "courses"]
    assert 'href="/@mo/blog/" hx-get="/@mo/blog/" hx-target="#profile-panel"' in body
    assert _count(body, "Blog") == 2 and _count(body, "Courses") == 1 and _count(body, "Shop") is None


def test_a_section_tab_is_a_page_without_javascript_and_a_panel_for_htmx(client, maker):
    make_post(author=maker, live=True, title="Published words")
    page = client.get("/@mo/blog/")
    assert page.status_code == 200 and "<html" in page.content.decode() and "Mo Maker" in page.content.decode()
    assert "HX-Request" in page["Vary"]
    panel = client.get("/@mo/blog/", headers={"HX-Request": "true"}).content.decode()
    assert panel.lstrip().startswith('<section id="profile-panel"') and "Published words" in panel
    assert "Mo Maker</h1>" not in panel


def test_a_section_answers_at_its_handle_whatever_the_case(client, maker):
    make_post(author=maker, live=True)
    response = client.get("/@MO/blog/")
    assert response.status_code == 302 and response["Location"] == "/@mo/blog/"


@pytest.mark.parametrize("path", ["/@mo/nothing/", "/@mo/stream/", "/@nobody/blog/", "/@mo/Blog/"])
def test_an_unknown_section_or_person_is_404(client, maker, path):
    make_post(author=maker, live=True)
    assert client.get(path).status_code == 404


def test_across_a_block_a_section_shows_nothing_of_what_they_made(client_for, maker, user_with_role):
    make_post(author=maker, live=True, title="Published words")
    blocked = user_with_role(None)
    ProfileFactory(handle="bo", user=blocked)
    relations.block_create(blocker=maker, blocked=blocked)
    body = client_for(blocked).get("/@mo/blog/").content.decode()
    assert "A block stands between" in body and "Published words" not in body and _tabs(body) == []


def test_a_post_to_a_section_is_405(client, maker):
    make_post(author=maker, live=True)
    assert client.post("/@mo/blog/").status_code == 405


def _make(maker, n: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(n):
        make_post(author=maker, live=True)
        make_course(owner=maker, lessons=1)
        make_product(shop=ShopFactory(owner=maker))


def test_the_profile_with_three_sections_costs_as_many_queries_for_many_things_as_for_few(
    client, maker, reader, django_assert_max_num_queries
):
    client.force_login(reader)
    _make(maker, 1)
    client.get("/@mo/")  # the session and the caches warmed
    with django_assert_max_num_queries(40) as few:
        body = client.get("/@mo/").content.decode()
    budget = len(few.captured_queries)
    assert _tabs(body) == ["blog", "courses", "shop"]
    _make(maker, 4)
    client.get("/@mo/")  # writes clear cached reads (the session's roles among them): warm again
    with django_assert_max_num_queries(budget):
        assert _count(client.get("/@mo/").content.decode(), "Shop") == 5


@pytest.mark.parametrize("key", ["blog", "courses", "shop"])
def test_each_section_tab_costs_as_many_queries_for_many_things_as_for_few(
    client, maker, reader, django_assert_max_num_queries, key
):
    client.force_login(reader)
    _make(maker, 1)
    client.get(f"/@mo/{key}/")
    with django_assert_max_num_queries(40) as few:
        client.get(f"/@mo/{key}/", headers={"HX-Request": "true"})
    budget = len(few.captured_queries)
    _make(maker, 4)
    client.get(f"/@mo/{key}/")
    with django_assert_max_num_queries(budget):
        panel = client.get(f"/@mo/{key}/", headers={"HX-Request": "true"}).content.decode()
    assert panel.count('class="card') + panel.count('class="post-card') >= 5


def test_a_section_reader_answers_the_count_alone_for_limit_zero(maker, django_assert_num_queries):
    make_post(author=maker, live=True)
    for section in registry().profile_sections:
        with django_assert_num_queries(1):
            found = section.content(maker, None, 0)
        assert found is None or (isinstance(found, ProfileSectionContent) and not found.items)
