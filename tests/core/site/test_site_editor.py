"""The site editor in the admin: pages and components, live preview, full-site preview, schedules."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.utils import timezone

from apps.core.models import SiteComponent, SitePage, Theme
from apps.core.publishing import revisions, services
from apps.core.site import services as core_services
from apps.core.site.editor import links_to_text, text_to_links

HEADING = [{"type": "heading", "text": "Our story", "level": 2}]


@pytest.fixture
def admin(user_with_role):
    return user_with_role("admin")


@pytest.fixture
def admin_client(client_for, admin):
    return client_for(admin)


@pytest.fixture
def page(admin):
    page = services.draft_create(
        model=SitePage, content={"title": "About", "slug": "about", "body": HEADING}, author=admin
    )
    services.publish(obj=page, author=admin)
    return page


@pytest.fixture
def home(admin):
    home = core_services.site_component_get_or_create(key="home", author=admin)
    services.draft_save(obj=home, content={"content": {"sections": HEADING}}, author=admin, based_on=0)
    services.publish(obj=home, author=admin)
    return home


def page_form(page: SitePage | None = None, **overrides) -> dict:
    data = {
        "title": "About",
        "slug": "about",
        "seo_description": "",
        "body": json.dumps(HEADING),
        "based_on": page.latest_revision if page else 0,
    }
    return {**data, **overrides}


def test_site_editor_pages_are_for_admins_only(cast, client_for, page, home):
    urls = [
        "/admin/core/sitepage/",
        "/admin/core/sitepage/add/",
        f"/admin/core/sitepage/{page.pk}/change/",
        f"/admin/core/sitepage/{page.pk}/revisions/",
        f"/admin/core/sitepage/{page.pk}/diff/1/1/",
        "/admin/core/sitecomponent/",
        f"/admin/core/sitecomponent/{home.pk}/change/",
        f"/admin/core/sitecomponent/{home.pk}/revisions/",
    ]
    for who, user in cast.items():
        client = client_for(user)
        for url in urls:
            expected = 200 if who in ("admin", "super_admin") else 302
            assert client.get(url).status_code == expected, (who, url)


def test_the_admin_index_groups_the_site_editor_in_a_site_section(admin_client):
    html = admin_client.get("/admin/").content.decode()

    site = html.split(">Site<", 1)[1].split("</table>", 1)[0]
    assert "Themes" in site and "Site pages" in site and "Site components" in site
    assert "Preview all drafts" in html


def test_an_admin_writes_a_page_as_a_draft_that_visitors_do_not_see(admin_client, client):
    response = admin_client.post("/admin/core/sitepage/add/", page_form(title="Terms", slug="terms"))

    page = SitePage.objects.get(slug="terms")
    assert response.status_code == 302 and not page.live and page.latest_revision == 1
    assert client.get("/terms/").status_code == 404


def test_save_and_publish_shows_the_page_at_once(admin_client, client, page, django_capture_on_commit_callbacks):
    body = json.dumps([{"type": "rich_text", "html": "<p>We build <strong>things</strong>.</p>"}])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/core/sitepage/{page.pk}/change/", page_form(page, body=body, _publish="1")
        )

    assert response.status_code == 302
    assert "We build <strong>things</strong>." in client.get("/about/").content.decode()


def test_a_bad_block_is_a_form_error_naming_it_and_saves_nothing(admin_client, page):
    body = json.dumps([{"type": "cta", "text": "Click", "url": "javascript:alert(1)"}])

    response = admin_client.post(f"/admin/core/sitepage/{page.pk}/change/", page_form(page, body=body))

    page.refresh_from_db()
    assert response.status_code == 200 and page.latest_revision == 1
    assert "Block 1 (cta): url must start with" in response.content.decode()


def test_malformed_json_is_a_form_error(admin_client, page):
    response = admin_client.post(f"/admin/core/sitepage/{page.pk}/change/", page_form(page, body="[{"))

    assert "The body is not valid JSON." in response.content.decode()


def test_a_stale_page_form_is_told_of_the_conflict_and_keeps_what_was_typed(admin_client, page, user_with_role):
    services.draft_save(
        obj=page, content={"title": "About us"}, author=user_with_role("super_admin"), based_on=page.latest_revision
    )

    stale = page_form(page, title="My typed title", based_on=1)
    response = admin_client.post(f"/admin/core/sitepage/{page.pk}/change/", stale)

    html = response.content.decode()
    page.refresh_from_db()
    assert response.status_code == 200 and page.latest_revision == 2
    assert "Your changes were not saved" in html and 'value="My typed title"' in html


def test_the_live_preview_renders_the_unsaved_form_and_saves_nothing(admin_client, page):
    body = json.dumps([{"type": "heading", "text": "Not saved yet", "level": 2}])

    response = admin_client.post(f"/admin/core/sitepage/{page.pk}/live-preview/", page_form(page, body=body))

    page.refresh_from_db()
    assert response.status_code == 200 and "Not saved yet" in response.content.decode()
    assert page.latest_revision == 1 and SitePage.objects.get().body[0]["text"] == "Our story"
    assert "no-store" in response["Cache-Control"] and response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_the_live_preview_of_a_new_page_and_of_bad_input(admin_client):
    fine = admin_client.post("/admin/core/sitepage/live-preview/", page_form(title="Brand new"))
    bad = admin_client.post(
        "/admin/core/sitepage/live-preview/", page_form(body=json.dumps([{"type": "heading", "text": ""}]))
    )

    assert fine.status_code == 200 and "Brand new" in fine.content.decode()
    assert bad.status_code == 200 and "Nothing to preview yet" in bad.content.decode()
    assert "Block 1 (heading)" in bad.content.decode() and not SitePage.objects.exists()


def test_the_live_preview_needs_post_and_an_editor(admin_client, client_for, user_with_role, page):
    url = f"/admin/core/sitepage/{page.pk}/live-preview/"

    assert admin_client.get(url).status_code == 405
    assert client_for(user_with_role("blog_admin")).post(url, page_form(page)).status_code == 302  # to sign-in


def test_menu_lines_round_trip():
    menu = [{"label": "Blog", "url": "/blog/", "children": [{"label": "Feed", "url": "/blog/feed/"}]}]

    assert text_to_links(links_to_text(menu, nested=True), nested=True) == menu
    with pytest.raises(Exception, match="Line 1"):
        text_to_links("- Orphan | /x/", nested=True)
    with pytest.raises(Exception, match="Line 2"):
        text_to_links("Fine | /a/\nno bar here", nested=False)


def test_an_admin_edits_the_header_menu_as_lines(admin_client, admin, client, django_capture_on_commit_callbacks):
    header = core_services.site_component_get_or_create(key="header", author=admin)
    lines = "Blog | /blog/\n- Archive | /blog/archive/\nAbout | /about/"

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/core/sitecomponent/{header.pk}/change/", {"menu": lines, "based_on": 0, "_publish": "1"}
        )

    header.refresh_from_db()
    assert response.status_code == 302 and header.live
    assert header.content["menu"][0]["children"] == [{"label": "Archive", "url": "/blog/archive/"}]
    assert "Archive" in client.get("/").content.decode()


def test_a_bad_menu_line_is_a_form_error(admin_client, admin):
    header = core_services.site_component_get_or_create(key="header", author=admin)

    response = admin_client.post(
        f"/admin/core/sitecomponent/{header.pk}/change/", {"menu": "Evil | javascript:alert(1)", "based_on": 0}
    )

    assert "Menu item 1: url must start with" in response.content.decode()
    header.refresh_from_db()
    assert header.latest_revision == 0


def test_the_header_live_preview_shows_the_draft_menu_on_the_home_page(admin_client, admin, home):
    header = core_services.site_component_get_or_create(key="header", author=admin)

    response = admin_client.post(
        f"/admin/core/sitecomponent/{header.pk}/live-preview/", {"menu": "Brand new item | /new/", "based_on": 0}
    )

    html = response.content.decode()
    assert "Brand new item" in html and "Our story" in html


def test_a_component_is_added_by_picking_its_key_once(admin_client, home):
    page = admin_client.get("/admin/core/sitecomponent/add/").content.decode()
    response = admin_client.post("/admin/core/sitecomponent/add/", {"key": "footer"})

    footer = SiteComponent.objects.get(key="footer")
    assert 'value="home"' not in page and 'value="header"' in page
    assert response["Location"] == f"/admin/core/sitecomponent/{footer.pk}/change/"
    assert admin_client.post("/admin/core/sitecomponent/add/", {"key": "home"}).status_code == 200  # not a choice
    assert SiteComponent.objects.filter(key="home").count() == 1


# --- The full-site preview: several drafts at once, for their editor only -----------------------


@pytest.fixture
def theme(admin):
    theme = services.draft_create(model=Theme, content={"name": "Brand", "tokens": {}}, author=admin)
    services.publish(obj=theme, author=admin)
    services.theme_activate(theme=theme, author=admin)
    return theme


@pytest.fixture
def drafts(admin, theme, home):
    red = {"color-primary": {"light": "#c0392b", "dark": "#e74c3c"}}
    services.draft_save(obj=theme, content={"tokens": red}, author=admin, based_on=theme.latest_revision)
    new = {"sections": [{"type": "heading", "text": "Spring sale", "level": 2}]}
    services.draft_save(obj=home, content={"content": new}, author=admin, based_on=home.latest_revision)
    return theme, home


def preview_css(client, html: str) -> str:
    token = re.search(r'/theme\.css\?preview=([^"]+)"', html).group(1)
    return client.get(f"/theme.css?preview={unquote(token)}").content.decode()


def test_the_site_preview_shows_the_theme_and_home_drafts_together(admin_client, client, drafts):
    theme, home = drafts
    admin_client.get(f"/admin/core/theme/{theme.pk}/preview/")
    admin_client.get(f"/admin/core/sitecomponent/{home.pk}/preview/")

    response = admin_client.get("/")
    html = response.content.decode()

    assert "Spring sale" in html and "Our story" not in html and "#c0392b" in preview_css(admin_client, html)
    assert "Previewing drafts" in html and response["Cache-Control"] == "private, no-store"
    visitor = client.get("/").content.decode()
    assert "Our story" in visitor and "Spring sale" not in visitor and "theme.css?preview" not in visitor


def test_nobody_else_sees_the_site_preview_even_with_its_session_cookie(admin_client, client_for, drafts, cast):
    theme, home = drafts
    admin_client.get(f"/admin/core/sitecomponent/{home.pk}/preview/")
    stolen = admin_client.session[("site_preview")]

    other = client_for(cast["super_admin"])
    session = other.session
    session["site_preview"] = stolen
    session.save()

    assert "Spring sale" not in other.get("/").content.decode()


def test_the_site_preview_follows_newer_drafts_and_ends_on_leave_or_expiry(
    admin_client, admin, drafts, settings, time_machine
):
    theme, home = drafts
    admin_client.get(f"/admin/core/sitecomponent/{home.pk}/preview/")
    newer = {"sections": [{"type": "heading", "text": "Summer sale", "level": 2}]}
    services.draft_save(obj=home, content={"content": newer}, author=admin, based_on=home.latest_revision)

    assert "Summer sale" in admin_client.get("/").content.decode()

    assert admin_client.post("/preview/leave/").status_code == 302
    assert "Our story" in admin_client.get("/").content.decode()

    admin_client.get(f"/admin/core/sitecomponent/{home.pk}/preview/")
    time_machine.move_to(timezone.now() + timedelta(seconds=settings.PREVIEW_MAX_AGE + 1))
    html = admin_client.get("/").content.decode()
    assert "Our story" in html and "Previewing" not in html


def test_preview_all_drafts_from_the_admin_index(admin_client, drafts, page):
    response = admin_client.post("/admin/site-preview/")

    html = admin_client.get("/").content.decode()
    assert response["Location"] == "/" and "Spring sale" in html and "#c0392b" in preview_css(admin_client, html)
    assert admin_client.get("/admin/site-preview/").status_code == 405


def test_a_page_draft_previews_at_its_new_address(admin_client, admin, page, client):
    services.draft_save(obj=page, content={"slug": "about-us"}, author=admin, based_on=page.latest_revision)

    redirect = admin_client.get(f"/admin/core/sitepage/{page.pk}/preview/")

    assert redirect["Location"] == "/about-us/"
    assert admin_client.get("/about-us/").status_code == 200 and client.get("/about-us/").status_code == 404


# --- Theme live preview ------------------------------------------------------------------------


def test_the_theme_live_preview_links_the_unsaved_stylesheet_for_its_editor_only(
    admin_client, client, client_for, cast, theme
):
    from tests.core.site.test_theme_editor import form_data

    response = admin_client.post(
        f"/admin/core/theme/{theme.pk}/live-preview/", form_data("Brand", 1, **{"color-primary__light": "#123456"})
    )
    href = re.search(r'href="(/theme\.css\?live=[^"]+)"', response.content.decode()).group(1)
    href = href.replace("&amp;", "&")

    assert "#123456" in admin_client.get(href).content.decode()
    assert client_for(cast["super_admin"]).get(href).status_code == 403
    assert client.get(href).status_code == 403
    theme.refresh_from_db()
    assert theme.latest_revision == 1


# --- Schedule and unpublish from the editor -------------------------------------------------------


def test_an_admin_schedules_a_draft_from_the_editor_and_it_goes_live_when_due(
    admin_client, admin, client, page, time_machine, django_capture_on_commit_callbacks
):
    services.draft_save(obj=page, content={"title": "About the team"}, author=admin, based_on=1)
    start = timezone.now() + timedelta(hours=2)

    response = admin_client.post(
        f"/admin/core/sitepage/{page.pk}/schedule/", {"publish_at": start.strftime("%Y-%m-%dT%H:%M")}
    )

    page.refresh_from_db()
    assert response.status_code == 302 and page.scheduled_revision == 2
    assert "About the team" not in client.get("/about/").content.decode()
    time_machine.move_to(start + timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_due()
    assert "About the team" in client.get("/about/").content.decode()


def test_a_schedule_in_the_past_is_refused_and_changes_nothing(admin_client, page):
    past = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    response = admin_client.post(f"/admin/core/sitepage/{page.pk}/schedule/", {"publish_at": past})

    page.refresh_from_db()
    assert response.status_code == 400 and "must be in the future" in response.content.decode()
    assert page.go_live_at is None


def test_an_empty_schedule_cancels_it(admin_client, admin, page):
    services.schedule(obj=page, author=admin, revision=None, go_live_at=timezone.now() + timedelta(days=1))

    admin_client.post(f"/admin/core/sitepage/{page.pk}/schedule/", {"publish_at": "", "take_down_at": ""})

    page.refresh_from_db()
    assert page.go_live_at is None and page.scheduled_revision is None


def test_unpublishing_from_the_editor_takes_the_page_down(admin_client, client, page):
    response = admin_client.post(f"/admin/core/sitepage/{page.pk}/unpublish/")

    assert response.status_code == 302 and client.get("/about/").status_code == 404
    assert admin_client.get(f"/admin/core/sitepage/{page.pk}/unpublish/").status_code == 405


def test_history_and_diff_show_each_step_with_its_author(admin_client, admin, page):
    services.draft_save(obj=page, content={"title": "About the team"}, author=admin, based_on=1)

    history = admin_client.get(f"/admin/core/sitepage/{page.pk}/revisions/").content.decode()
    diff = admin_client.get(f"/admin/core/sitepage/{page.pk}/diff/1/2/").content.decode()

    assert history.count(admin.email) == 2 and "compare with 1" in history
    assert "<ins>the team</ins>" in diff or "<ins>" in diff and "the team" in diff
    assert admin_client.get(f"/admin/core/sitepage/{page.pk}/diff/1/9/").status_code == 404


def _readable(response) -> str:
    """The page's text as a reader sees it (entities decoded), to look for Python reprs in it."""
    return html.unescape(response.content.decode())


def test_the_diff_of_a_changed_heading_shows_its_words_not_python_dicts(admin_client, admin, page):
    (heading,) = revisions.revision_read(page, 1)["content"]["body"]
    body = [{**heading, "text": "Our history"}]
    services.draft_save(obj=page, content={"body": body}, author=admin, based_on=1)

    diff = _readable(admin_client.get(f"/admin/core/sitepage/{page.pk}/diff/1/2/"))

    assert "Heading" in diff and "<del>story</del>" in diff and "<ins>history</ins>" in diff
    assert "{'" not in diff and "'type':" not in diff


def test_the_diff_of_site_components_shows_menus_and_sections_as_text(admin_client, admin, home):
    header = core_services.site_component_get_or_create(key="header", author=admin)
    menu = [{"label": "Home", "url": "/", "children": []}]
    services.draft_save(obj=header, content={"content": {"menu": menu}}, author=admin, based_on=0)
    menu = [*menu, {"label": "Blog", "url": "/blog/", "children": [{"label": "News", "url": "/blog/news/"}]}]
    services.draft_save(obj=header, content={"content": {"menu": menu}}, author=admin, based_on=1)
    (heading,) = revisions.revision_read(home, 1)["content"]["content"]["sections"]
    sections = [{**heading, "text": "Our history"}]
    services.draft_save(obj=home, content={"content": {"sections": sections}}, author=admin, based_on=1)

    menu_diff = _readable(admin_client.get(f"/admin/core/sitecomponent/{header.pk}/diff/1/2/"))
    home_diff = _readable(admin_client.get(f"/admin/core/sitecomponent/{home.pk}/diff/1/2/"))

    assert "Menu" in menu_diff and "Blog | /blog/" in menu_diff and "- News | /blog/news/" in menu_diff
    assert "Sections" in home_diff and "Heading" in home_diff and "<ins>history</ins>" in home_diff
    for diff in (menu_diff, home_diff):
        assert "{'" not in diff and "'type':" not in diff and "'label':" not in diff


def test_save_and_publish_right_after_save_draft_publishes_the_saved_revision(admin_client, page):
    # The block editor sends each block back with the id it was given.
    body = revisions.revision_read(page, 1)["content"]["body"]
    form = page_form(page, title="About the team", body=json.dumps(body))
    admin_client.post(f"/admin/core/sitepage/{page.pk}/change/", form)

    response = admin_client.post(
        f"/admin/core/sitepage/{page.pk}/change/", {**form, "based_on": 2, "_publish": "1"}, follow=True
    )

    page.refresh_from_db()
    assert page.latest_revision == 2 and page.live_revision == 2 and page.title == "About the team"
    assert "Revision 2 published" in response.content.decode()
    history = admin_client.get(f"/admin/core/sitepage/{page.pk}/revisions/").content.decode()
    assert 'data-revision="3"' not in history


def test_saving_an_unchanged_draft_from_the_editor_answers_success_and_stores_nothing(admin_client, page):
    body = revisions.revision_read(page, 1)["content"]["body"]
    form = page_form(page, body=json.dumps(body))

    response = admin_client.post(f"/admin/core/sitepage/{page.pk}/change/", form, follow=True)

    page.refresh_from_db()
    assert response.status_code == 200 and page.latest_revision == 1
    assert "Revision 1 saved as a draft" in response.content.decode()


def test_reverting_to_the_newest_revision_stores_nothing_and_says_so(admin_client, page):
    response = admin_client.post(f"/admin/core/sitepage/{page.pk}/revert/1/", follow=True)

    page.refresh_from_db()
    assert page.latest_revision == 1
    assert "Revision 1 is already the newest revision" in response.content.decode()
