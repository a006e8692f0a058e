from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from apps.core.models import SitePage
from apps.core.platform import events
from apps.core.publishing import services
from apps.core.publishing.selectors import revision_diff, revision_history_with_authors
from tests.core.images import stored_key
from tests.utils import race


def content(**changes):
    base = {"title": "About us", "slug": "about", "body": [], "seo_description": "Who we are"}
    return {**base, **changes}


@pytest.fixture
def admin(user_with_role):
    return user_with_role("admin")


@pytest.fixture
def page(admin):
    return services.draft_create(model=SitePage, content=content(), author=admin)


def live_titles() -> list[str]:
    return list(SitePage.objects.filter(live=True).values_list("title", flat=True))


def test_a_new_page_is_a_draft_that_visitors_do_not_see(page):
    assert page.latest_revision == 1 and not page.live
    assert live_titles() == []
    assert page.status == "draft"


def test_publishing_makes_the_draft_what_visitors_see(page, admin):
    services.publish(obj=page, author=admin)

    assert live_titles() == ["About us"]
    page.refresh_from_db()
    assert page.live_revision == 1 and not page.has_unpublished_changes and page.first_published_at


def test_a_new_draft_of_a_live_page_changes_nothing_visitors_see_until_published(page, admin):
    services.publish(obj=page, author=admin)

    number = services.draft_save(obj=page, content=content(title="About the team"), author=admin, based_on=1)

    assert number == 2 and live_titles() == ["About us"]
    assert page.has_unpublished_changes and page.status == "live, with unpublished changes"
    services.publish(obj=page, author=admin)
    assert live_titles() == ["About the team"]


def test_reverting_to_an_older_revision_brings_its_content_back_as_a_new_revision(page, admin):
    services.publish(obj=page, author=admin)
    services.draft_save(obj=page, content=content(title="Wrong title"), author=admin, based_on=1)
    services.publish(obj=page, author=admin)

    number = services.revert(obj=page, to_revision=1, author=admin, based_on=2)
    assert number == 3 and live_titles() == ["Wrong title"]  # a revert is a draft until published
    services.publish(obj=page, author=admin)

    assert live_titles() == ["About us"]
    assert [entry["number"] for entry in revision_history_with_authors(page)] == [3, 2, 1]


def test_a_second_editor_saving_an_outdated_draft_is_told_and_loses_nothing(page, admin, user_with_role):
    other = user_with_role("super_admin")
    services.draft_save(obj=page, content=content(title="First editor"), author=admin, based_on=1)

    with pytest.raises(services.DraftConflict) as conflict:
        services.draft_save(obj=page, content=content(title="Second editor"), author=other, based_on=1)

    assert "Revision 2 was saved" in conflict.value.messages[0]
    assert conflict.value.content["title"] == "Second editor"  # handed back to the second editor
    page.refresh_from_db()
    assert page.latest_revision == 2
    assert revision_history_with_authors(page)[0]["author"] == admin


@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_at_once_never_both_win(user_with_role):
    # Real concurrent requests: the row lock serialises them; one conflicts (PostgreSQL) or
    # waits and then conflicts (SQLite's write lock) — never two revisions on the same base.
    admin = user_with_role("admin")
    page = services.draft_create(model=SitePage, content=content(), author=admin)

    def save(index: int) -> int:
        fresh = SitePage.objects.get(pk=page.pk)
        return services.draft_save(obj=fresh, content=content(title=f"Editor {index}"), author=admin, based_on=1)

    results = race(save, times=2)

    assert sorted(type(result).__name__ for result in results) == ["DraftConflict", "int"], results
    assert SitePage.objects.get(pk=page.pk).latest_revision == 2


def test_scheduled_publication_happens_exactly_when_due(page, admin, time_machine):
    start = timezone.now()
    services.schedule(obj=page, author=admin, revision=1, go_live_at=start + timedelta(hours=1))
    assert page.status == "scheduled"

    time_machine.move_to(start + timedelta(minutes=59))
    assert services.publish_due() == {"published": 0, "expired": 0}
    assert live_titles() == []

    time_machine.move_to(start + timedelta(hours=1, seconds=1))
    assert services.publish_due() == {"published": 1, "expired": 0}
    assert live_titles() == ["About us"]
    assert services.publish_due() == {"published": 0, "expired": 0}  # never twice


def test_a_scheduled_end_takes_the_page_down_when_due(page, admin, time_machine):
    start = timezone.now()
    services.publish(obj=page, author=admin)
    services.schedule(obj=page, author=admin, revision=None, go_live_at=None, expire_at=start + timedelta(days=1))

    time_machine.move_to(start + timedelta(days=1, seconds=1))
    call_command("publish_scheduled")

    assert live_titles() == []


def test_schedules_in_the_past_or_ending_before_they_start_are_refused(page, admin):
    now = timezone.now()
    with pytest.raises(ValidationError, match="future"):
        services.schedule(obj=page, author=admin, revision=1, go_live_at=now - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="after the publication"):
        services.schedule(
            obj=page, author=admin, revision=1, go_live_at=now + timedelta(hours=2), expire_at=now + timedelta(hours=1)
        )
    page.refresh_from_db()
    assert page.go_live_at is None


@pytest.mark.parametrize("role", ["blog_admin", "instructor", "student", None])
def test_only_admins_may_draft_or_publish_site_pages(page, user_with_role, role):
    user = user_with_role(role)

    with pytest.raises(PermissionDenied):
        services.draft_save(obj=page, content=content(title="Mine"), author=user, based_on=1)
    with pytest.raises(PermissionDenied):
        services.publish(obj=page, author=user)
    assert live_titles() == []


def test_a_draft_that_breaks_a_rule_is_refused_and_nothing_is_written(page, admin):
    services.draft_create(model=SitePage, content=content(slug="terms", title="Terms"), author=admin)

    for bad in (content(slug="terms"), content(slug="admin"), content(title=""), {"nonsense": 1}):
        with pytest.raises(ValidationError):
            services.draft_save(obj=page, content=bad, author=admin, based_on=1)

    page.refresh_from_db()
    assert page.latest_revision == 1


def test_history_and_diff_show_every_step_with_its_author(page, admin, user_with_role):
    other = user_with_role("super_admin")
    services.draft_save(obj=page, content=content(title="About our team"), author=other, based_on=1)
    services.publish(obj=page, author=admin, revision=2)

    history = revision_history_with_authors(page)
    diff = revision_diff(page, 1, 2)

    assert [(entry["number"], entry["author"], entry["is_live"]) for entry in history] == [
        (2, other, True),
        (1, admin, False),
    ]
    assert [change.name for change in diff] == ["title"]
    assert diff[0].segments == [("equal", "About "), ("delete", "us"), ("insert", "our team")]


def test_diff_of_block_bodies_says_which_blocks_were_added_changed_moved_or_removed(page, admin):
    a = {"type": "heading", "id": "a", "text": "One", "level": 2}
    b = {"type": "heading", "id": "b", "text": "Two", "level": 2}
    c = {"type": "heading", "id": "c", "text": "Three", "level": 2}
    services.draft_save(obj=page, content=content(body=[a, b, c]), author=admin, based_on=1)
    services.draft_save(
        obj=page, content=content(body=[c, {**a, "text": "Uno"}, {**b, "id": "d"}]), author=admin, based_on=2
    )

    (change,) = revision_diff(page, 2, 3)

    assert {(c["change"], c["block"]["id"]) for c in change.blocks} == {
        ("moved", "c"),
        ("changed", "a"),
        ("added", "d"),
        ("removed", "b"),
    }


def test_a_diff_of_a_changed_heading_names_the_block_and_shows_the_changed_words(page, admin):
    heading = {"type": "heading", "id": "h", "text": "Our story so far", "level": 2}
    services.draft_save(obj=page, content=content(body=[heading]), author=admin, based_on=1)
    services.draft_save(
        obj=page, content=content(body=[{**heading, "text": "Our history so far"}]), author=admin, based_on=2
    )

    (change,) = revision_diff(page, 2, 3)
    (block,) = change.blocks

    assert (block["change"], block["label"], block["position"]) == ("changed", "Heading", 1)
    assert block["fields"] == [
        {
            "name": "text",
            "segments": [("equal", "Our "), ("delete", "story"), ("insert", "history"), ("equal", " so far")],
        }
    ]


def test_a_diff_shows_rich_text_as_text_and_an_image_as_its_alt_text_and_source(page, admin):
    text = {"type": "rich_text", "id": "t", "html": "<p>Hello <strong>old</strong> friends</p>"}
    image = {"type": "image", "id": "i", "src": stored_key(), "alt": "A cat", "decorative": False}
    services.draft_save(obj=page, content=content(body=[text, image]), author=admin, based_on=1)
    services.draft_save(
        obj=page,
        content=content(
            body=[{**text, "html": "<p>Hello <strong>new</strong> friends</p>"}, {**image, "alt": "A dog"}]
        ),
        author=admin,
        based_on=2,
    )
    cta = {"type": "cta", "id": "c", "text": "Join us", "url": "/accounts/register/"}
    services.draft_save(obj=page, content=content(body=[cta]), author=admin, based_on=3)

    (change,) = revision_diff(page, 2, 3)
    (added,) = [item for item in revision_diff(page, 3, 4)[0].blocks if item["change"] == "added"]

    rich, picture = change.blocks
    assert rich["label"] == "Rich text"
    assert rich["fields"] == [
        {"name": "text", "segments": [("equal", "Hello "), ("delete", "old"), ("insert", "new"), ("equal", " friends")]}
    ]
    assert picture["label"] == "Image"
    assert picture["fields"] == [
        {"name": "alt text", "segments": [("equal", "A "), ("delete", "cat"), ("insert", "dog")]}
    ]
    assert added["label"] == "Call to action" and added["summary"] == "Join us"
    assert {field["name"]: field["segments"] for field in added["fields"]} == {
        "text": [("insert", "Join us")],
        "address": [("insert", "/accounts/register/")],
        "style": [("insert", "primary")],
    }


def test_a_diff_reads_rich_text_paragraphs_apart_and_its_entities_decoded(page, admin):
    text = {"type": "rich_text", "id": "t", "html": "<p>Fish &amp; chips</p><p>Tea</p>"}
    services.draft_save(obj=page, content=content(body=[text]), author=admin, based_on=1)
    services.draft_save(
        obj=page,
        content=content(body=[{**text, "html": "<p>Fish &amp; chips</p><p>Coffee</p>"}]),
        author=admin,
        based_on=2,
    )

    ((changed,),) = [change.blocks for change in revision_diff(page, 2, 3)]

    assert changed["fields"] == [
        {"name": "text", "segments": [("equal", "Fish & chips "), ("delete", "Tea"), ("insert", "Coffee")]}
    ]


def test_a_diff_of_a_removed_image_names_its_alt_text_and_source(page, admin):
    key = stored_key()
    image = {"type": "image", "id": "i", "src": key, "alt": "A cat", "decorative": False}
    services.draft_save(obj=page, content=content(body=[image]), author=admin, based_on=1)
    services.draft_save(obj=page, content=content(body=[]), author=admin, based_on=2)

    ((removed,),) = [change.blocks for change in revision_diff(page, 2, 3)]

    assert (removed["change"], removed["label"], removed["summary"]) == ("removed", "Image", "A cat")
    assert {field["name"]: field["segments"] for field in removed["fields"]} == {
        "source": [("delete", key)],
        "alt text": [("delete", "A cat")],
    }


def test_saving_a_draft_identical_to_the_newest_revision_stores_nothing_and_answers_its_number(
    page, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        number = services.draft_save(obj=page, content=content(), author=admin, based_on=1)

    assert number == 1
    page.refresh_from_db()
    assert page.latest_revision == 1
    assert [entry["number"] for entry in revision_history_with_authors(page)] == [1]
    assert callbacks == []  # no "draft saved" event for a save that saved nothing


def test_publishing_right_after_saving_the_same_draft_publishes_that_revision(page, admin):
    services.draft_save(obj=page, content=content(title="About the team"), author=admin, based_on=1)

    # What the editor's "Save and publish" does with the form it was given after "Save draft".
    number = services.draft_save(obj=page, content=content(title="About the team"), author=admin, based_on=2)
    services.publish(obj=page, author=admin)

    page.refresh_from_db()
    assert number == 2 and page.latest_revision == 2 and page.live_revision == 2
    assert not page.has_unpublished_changes
    assert [change.name for change in revision_diff(page, 1, 2)] == ["title"]


def test_a_draft_that_differs_from_the_newest_revision_is_still_a_new_revision(page, admin):
    services.draft_save(obj=page, content=content(title="About the team"), author=admin, based_on=1)

    number = services.draft_save(obj=page, content=content(), author=admin, based_on=2)

    assert number == 3 and page.latest_revision == 3


def test_every_action_lands_in_the_audit_log(page, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.draft_save(obj=page, content=content(title="Again"), author=admin, based_on=1)
        services.publish(obj=page, author=admin)
        services.unpublish(obj=page, author=admin)

    events.deliver_pending()
    names = [entry["name"] for entry in events.activity_query(actor_id=admin.pk)]
    assert names[:3] == ["core.content_unpublished", "core.content_published", "core.draft_saved"]


def test_a_preview_link_shows_the_draft_only_to_its_editor_and_only_for_a_while(
    page, admin, user_with_role, settings, time_machine
):
    token = services.preview_token(obj=page, revision=1, user=admin)

    assert services.preview_content(token=token, obj=page, user=admin) == (1, content())
    for stranger in (user_with_role("super_admin"), user_with_role(None)):
        with pytest.raises(PermissionDenied):
            services.preview_content(token=token, obj=page, user=stranger)
    with pytest.raises(PermissionDenied):
        services.preview_content(token=token + "x", obj=page, user=admin)

    time_machine.move_to(timezone.now() + timedelta(seconds=settings.PREVIEW_MAX_AGE + 1))
    with pytest.raises(PermissionDenied, match="expired"):
        services.preview_content(token=token, obj=page, user=admin)


@pytest.mark.django_db(transaction=True)
def test_concurrent_schedulers_publish_each_page_exactly_once(user_with_role, time_machine):
    admin = user_with_role("admin")
    start = timezone.now()
    for i in range(6):
        page = services.draft_create(model=SitePage, content=content(slug=f"page-{i}", title=f"Page {i}"), author=admin)
        services.schedule(obj=page, author=admin, revision=1, go_live_at=start + timedelta(minutes=1))
    time_machine.move_to(start + timedelta(minutes=2))

    totals = [counts["published"] for counts in race(lambda _: services.publish_due(), times=4)]

    assert sum(totals) == 6
    events.deliver_pending()
    assert events.activity_query(name="core.content_published").count() == 6
    assert SitePage.objects.filter(live=True, go_live_at__isnull=True).count() == 6


def test_a_scheduled_revision_that_no_longer_validates_is_dropped_and_the_rest_go_live(admin, time_machine, caplog):
    start = timezone.now()
    first = services.draft_create(model=SitePage, content=content(slug="first", title="First"), author=admin)
    second = services.draft_create(model=SitePage, content=content(slug="second", title="Second"), author=admin)
    services.draft_save(obj=first, content=content(slug="taken", title="First"), author=admin, based_on=1)
    for page in (first, second):
        services.schedule(obj=page, author=admin, revision=None, go_live_at=start + timedelta(minutes=1))
    # Meanwhile another page takes the address the first one's scheduled revision wants.
    other = services.draft_create(model=SitePage, content=content(slug="taken", title="Other"), author=admin)
    services.publish(obj=other, author=admin)
    time_machine.move_to(start + timedelta(minutes=2))

    assert services.publish_due() == {"published": 1, "expired": 0}

    assert sorted(live_titles()) == ["Other", "Second"]
    first.refresh_from_db()
    assert first.go_live_at is None and "scheduled publication of core.sitepage" in caplog.text


def test_checking_for_due_schedules_costs_one_query_per_model_when_nothing_is_due(page, django_assert_num_queries):
    with django_assert_num_queries(len(services.publishable_models())):
        assert services.publish_due() == {"published": 0, "expired": 0}


def test_a_draft_based_on_a_revision_of_content_that_has_none_is_a_conflict_not_a_crash(admin):
    # A row written directly (a fixture, an import), not through the engine: no revision yet.
    page = SitePage.objects.create(**content(slug="imported"))
    assert page.latest_revision == 0

    with pytest.raises(services.DraftConflict) as conflict:
        services.draft_save(obj=page, content=content(slug="imported", title="Edited"), author=admin, based_on=3)

    assert "There is no revision 3" in conflict.value.messages[0]
    assert conflict.value.content["title"] == "Edited"
    page.refresh_from_db()
    assert page.latest_revision == 0
