from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.models import SitePage
from apps.core.publishing import services


def body(*blocks):
    return list(blocks)


def heading(text: str, block_id: str = "h1") -> dict:
    return {"type": "heading", "id": block_id, "text": text, "level": 2}


def rich(html: str, block_id: str = "r1") -> dict:
    return {"type": "rich_text", "id": block_id, "html": html}


@pytest.fixture
def admin(user_with_role):
    return user_with_role("admin")


@pytest.fixture
def about(admin):
    content = {"title": "About us", "slug": "about", "body": body(heading("Who we are")), "seo_description": "Hello"}
    return services.draft_create(model=SitePage, content=content, author=admin)


def save(page, admin, **changes):
    content = {**page.content_of(), **changes}
    return services.draft_save(obj=page, content=content, author=admin, based_on=page.latest_revision)


def test_a_visitor_never_sees_a_page_that_was_never_published(client, about):
    assert client.get("/about/").status_code == 404


def test_a_published_page_is_served_at_its_own_address(client, about, admin):
    services.publish(obj=about, author=admin)

    response = client.get("/about/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>About us</h1>" in html and "Who we are" in html
    assert '<meta name="description" content="Hello">' in html


def test_a_newer_draft_stays_invisible_until_it_is_published(client, about, admin):
    services.publish(obj=about, author=admin)
    save(about, admin, title="About the team")

    assert "About us" in client.get("/about/").content.decode()
    services.publish(obj=about, author=admin)
    assert "About the team" in client.get("/about/").content.decode()


def test_an_unpublished_page_disappears(client, about, admin):
    services.publish(obj=about, author=admin)
    services.unpublish(obj=about, author=admin)

    assert client.get("/about/").status_code == 404


def test_the_editor_previews_a_draft_through_a_signed_link(client_for, about, admin):
    save(about, admin, title="Draft title")
    token = services.preview_token(obj=about, revision=2, user=admin)

    response = client_for(admin).get(f"/about/?preview={token}")

    assert response.status_code == 200
    assert "Draft title" in response.content.decode() and "Preview of revision 2" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store" and response["X-Robots-Tag"] == "noindex"


def test_nobody_else_sees_a_draft_through_the_preview_link(client_for, about, admin, cast):
    save(about, admin, title="Secret draft")
    token = services.preview_token(obj=about, revision=2, user=admin)

    for who, user in cast.items():
        response = client_for(user).get(f"/about/?preview={token}")
        assert response.status_code == 403, who
        assert "Secret draft" not in response.content.decode()


def test_a_guessed_or_expired_preview_link_shows_nothing(client_for, about, admin, settings, time_machine):
    client = client_for(admin)
    token = services.preview_token(obj=about, revision=1, user=admin)

    assert client.get("/about/?preview=guess").status_code == 403
    time_machine.move_to(timezone.now() + timedelta(seconds=settings.PREVIEW_MAX_AGE + 5))
    assert client.get(f"/about/?preview={token}").status_code == 403


def test_a_preview_link_of_one_page_does_not_open_another(client_for, about, admin):
    other = services.draft_create(
        model=SitePage, content={"title": "Terms", "slug": "terms", "body": [], "seo_description": ""}, author=admin
    )
    token = services.preview_token(obj=other, revision=1, user=admin)

    assert client_for(admin).get(f"/about/?preview={token}").status_code == 403


def test_script_in_a_title_or_the_body_never_runs(client, about, admin):
    save(
        about,
        admin,
        title="<script>alert(1)</script>",
        body=body(rich('<p>Hi<script>alert(2)</script><img src=x onerror="alert(3)"></p>')),
    )
    services.publish(obj=about, author=admin)

    html = client.get("/about/").content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "alert(2)" not in html and "onerror" not in html


def test_a_page_address_cannot_shadow_the_platforms_own(admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.draft_create(model=SitePage, content={"title": "X", "slug": "dashboard", "body": []}, author=admin)


def test_a_body_that_breaks_the_block_schema_is_refused(about, admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Block 1"):
        save(about, admin, body=[{"type": "cta", "text": "Go", "url": "javascript:alert(1)"}])


def test_the_page_refuses_post(client, about, admin):
    services.publish(obj=about, author=admin)

    assert client.post("/about/").status_code == 405


@pytest.mark.parametrize("blocks", [1, 40])
def test_page_query_count_does_not_grow_with_blocks(client, about, admin, blocks, django_assert_max_num_queries):
    save(about, admin, body=[heading(f"Section {i}", f"h{i}") for i in range(blocks)])
    services.publish(obj=about, author=admin)
    client.cookies["seen"] = "1"  # any cookie bypasses the page cache: this counts rendering
    client.get("/about/")  # the first request of a test may apply schedules (and caches the page row)

    with django_assert_max_num_queries(1):
        assert client.get("/about/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_footer_lists_published_pages_and_follows_publication(client, user_with_role):
    admin = user_with_role("admin")
    page = services.draft_create(
        model=SitePage, content={"title": "Imprint", "slug": "imprint", "body": [], "seo_description": ""}, author=admin
    )
    assert 'href="/imprint/"' not in client.get("/").content.decode()

    services.publish(obj=page, author=admin)
    assert 'href="/imprint/"' in client.get("/").content.decode()

    services.unpublish(obj=page, author=admin)
    assert 'href="/imprint/"' not in client.get("/").content.decode()
