"""The course editor's pages (/courses/manage/): the list of one's courses, a course's settings
(its draft with based_on, price and rules, cover, publication, co-instructors) — the permission
matrix over every page and action, the happy paths, bad input that changes nothing, and query
counts."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from apps.core.publishing import selectors as publishing_selectors
from apps.lms.models import Course, CourseInstructor
from apps.lms.services import courses as services
from tests.lms.factories import make_course

pytestmark = pytest.mark.django_db

WHO = ("owner", "co_instructor", "other_instructor", "learner", "outsider", "admin", "anonymous")
TEACHERS = {"owner", "co_instructor", "admin"}


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def expected_for_course(who: str, allowed: set[str] = TEACHERS) -> int:
    """A course page or action: who teaches it (or staff) get it; another instructor 404 (it does
    not exist for them); learners 403 (the editor is not theirs); anonymous to sign in."""
    if who == "anonymous":
        return 302
    if who in allowed:
        return 200
    if who in ("learner", "outsider"):
        return 403
    return 403 if who == "co_instructor" else 404


def png(name: str = "cover.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 36), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- The list of one's courses ------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_the_course_list_is_for_instructors_and_admins(client_for, people, course, who):
    response = client_for(people[who]).get("/courses/manage/")
    expected = {"anonymous": 302, "learner": 403, "outsider": 403}.get(who, 200)
    assert response.status_code == expected
    if who == "anonymous":
        assert reverse("login") in response["Location"]
    if expected == 200:
        assert (course.title in response.content.decode()) == (who in TEACHERS)


def test_the_course_list_shows_status_and_learners(client_for, instructor, course, enrolment):
    draft = make_course(owner=instructor, title="Glazing, a draft", live=False)
    page = client_for(instructor).get("/courses/manage/").content.decode()
    assert "Pottery for beginners" in page and draft.title in page
    assert "Draft" in page and "Live" in page


def test_the_course_list_costs_the_same_queries_for_many_courses(client_for, instructor, django_assert_max_num_queries):
    for _ in range(3):
        make_course(owner=instructor)
    client = client_for(instructor)
    with django_assert_max_num_queries(12) as few:
        client.get("/courses/manage/")
    for _ in range(10):
        make_course(owner=instructor)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/courses/manage/").status_code == 200


@pytest.mark.parametrize("who", WHO)
def test_only_instructors_create_a_course(client_for, people, who):
    before = Course.objects.count()
    response = client_for(people[who]).post("/courses/manage/new/", {"title": "Throwing bowls"})
    if who in ("owner", "co_instructor", "other_instructor", "admin"):  # roles rank: an admin is an instructor too
        course = Course.objects.get(title="Throwing bowls")
        assert response.status_code == 302 and response["Location"] == f"/courses/manage/{course.pk}/"
        assert not course.live and course.owner == people[who] and course.latest_revision == 1
    else:
        assert response.status_code == (302 if who == "anonymous" else 403)
        assert Course.objects.count() == before


def test_a_new_course_needs_a_title(client_for, instructor):
    response = client_for(instructor).post("/courses/manage/new/", {"title": "  "})
    assert response.status_code == 422 and Course.objects.count() == 0


def test_the_editor_refuses_other_methods(client_for, instructor, course):
    client = client_for(instructor)
    assert client.post("/courses/manage/").status_code == 405
    assert client.get("/courses/manage/new/").status_code == 405
    assert client.get(f"/courses/manage/{course.pk}/publish/").status_code == 405


# --- A course's settings: the matrix ------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_a_course_settings_page_is_for_who_teaches_it(client_for, people, course, who):
    response = client_for(people[who]).get(f"/courses/manage/{course.pk}/")
    assert response.status_code == expected_for_course(who)
    if response.status_code == 200:
        page = response.content.decode()
        assert 'data-autosave="' in page and 'name="based_on"' in page
        assert 'aria-current="page"' in page and "Outline" in page and "Learners" in page


def _actions(course, co_instructor):
    return [
        (f"/courses/manage/{course.pk}/", _content(course)),
        (f"/courses/manage/{course.pk}/settings/", {"free": "on", "currency": "EUR", "pass_mark": "70"}),
        (f"/courses/manage/{course.pk}/cover/remove/", {}),
        (f"/courses/manage/{course.pk}/unpublish/", {}),
        (f"/courses/manage/{course.pk}/unschedule/", {}),
    ]


def _content(course, **changes) -> dict:
    draft = services.course_draft(course)
    data = {
        "title": draft["title"],
        "slug": draft["slug"],
        "summary": draft.get("summary", ""),
        "description": "[]",
        "level": draft.get("level", "all"),
        "language": draft.get("language", "en"),
        "outcomes": "",
        "requirements": "",
        "based_on": str(course.latest_revision),
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("who", WHO)
def test_every_settings_action_is_for_who_teaches_the_course(client_for, people, course, co_instructor, who):
    client = client_for(people[who])
    for url, data in _actions(course, co_instructor):
        response = client.post(url, data)
        expected = expected_for_course(who)
        assert response.status_code == (302 if expected == 200 else expected), url


@pytest.mark.parametrize("who", WHO)
def test_only_the_owner_and_admins_add_or_remove_co_instructors(
    client_for, people, course, co_instructor, user_with_role, who
):
    newcomer = user_with_role("instructor", email="newcomer@example.org")
    add = client_for(people[who]).post(f"/courses/manage/{course.pk}/instructors/", {"email": newcomer.email})
    remove = client_for(people[who]).post(f"/courses/manage/{course.pk}/instructors/{co_instructor.pk}/remove/")
    expected = expected_for_course(who, allowed={"owner", "admin"})
    assert add.status_code == (302 if expected == 200 else expected)
    assert remove.status_code == (302 if expected == 200 else expected)
    granted = set(CourseInstructor.objects.filter(course=course).values_list("user__email", flat=True))
    if expected == 200:
        assert granted == {newcomer.email}
    else:
        assert granted == {co_instructor.email}


# --- A course's settings: what they do ------------------------------------------------------------


def test_saving_the_landing_page_makes_a_new_draft_revision(client_for, instructor, course):
    response = client_for(instructor).post(
        f"/courses/manage/{course.pk}/",
        _content(course, title="Pottery, from clay to kiln", outcomes="Centre clay\nThrow a bowl"),
    )
    assert response.status_code == 302
    course.refresh_from_db()
    draft = publishing_selectors.draft_content(course)
    assert draft["title"] == "Pottery, from clay to kiln" and draft["outcomes"] == ["Centre clay", "Throw a bowl"]
    assert course.title == "Pottery for beginners"  # live until published


def test_a_stale_landing_page_is_refused_with_a_conflict_and_keeps_its_text(client_for, instructor, course):
    client = client_for(instructor)
    first = _content(course, title="Mine")
    assert client.post(f"/courses/manage/{course.pk}/", _content(course, title="Theirs")).status_code == 302
    response = client.post(f"/courses/manage/{course.pk}/", first)
    assert response.status_code == 409
    assert "Mine" in response.content.decode()
    course.refresh_from_db()
    assert publishing_selectors.draft_content(course)["title"] == "Theirs"


def test_a_reserved_address_is_refused(client_for, instructor, course):
    response = client_for(instructor).post(f"/courses/manage/{course.pk}/", _content(course, slug="manage"))
    assert response.status_code == 422 and "choose another" in response.content.decode()
    assert services.course_draft(course)["slug"] == course.slug


def test_the_autosave_saves_the_draft_and_answers_a_conflict(client_for, instructor, other_instructor, course):
    url = f"/courses/manage/{course.pk}/autosave/"
    answer = client_for(instructor).post(url, _content(course, title="Autosaved"))
    assert answer.status_code == 200 and answer.json()["revision"] == course.latest_revision + 1
    stale = client_for(instructor).post(url, _content(course, title="Stale", based_on="0"))
    assert stale.status_code == 409 and stale.json()["error"]["conflict"]["title"] == "Autosaved"
    assert client_for(other_instructor).post(url, _content(course)).status_code == 404
    assert Client().post(url, _content(course)).status_code == 403


def test_price_and_rules_apply_at_once_and_bad_ones_change_nothing(client_for, instructor, course):
    client = client_for(instructor)
    other = make_course(owner=instructor, title="Clay basics")
    url = f"/courses/manage/{course.pk}/settings/"
    ok = {"price": "49.50", "currency": "usd", "pass_mark": "75", "prerequisite": str(other.pk)}
    assert client.post(url, ok).status_code == 302
    course.refresh_from_db()
    assert (str(course.price), course.currency, course.pass_mark, course.prerequisite_id) == (
        "49.50",
        "USD",
        75,
        other.pk,
    )
    for bad in (
        {**ok, "pass_mark": "101"},
        {**ok, "price": "-1"},
        {**ok, "price": ""},
        {**ok, "currency": "EURO"},
        {**ok, "prerequisite": str(course.pk)},  # itself: not among the choices
        {**ok, "prerequisite": str(make_course(title="Not mine").pk)},
    ):
        assert client.post(url, bad).status_code == 422, bad
    course.refresh_from_db()
    assert (str(course.price), course.pass_mark, course.prerequisite_id) == ("49.50", 75, other.pk)
    assert client.post(url, {**ok, "free": "on", "price": ""}).status_code == 302
    course.refresh_from_db()
    assert course.is_free


def test_a_prerequisite_loop_is_refused(client_for, instructor, course):
    other = make_course(owner=instructor, title="Clay basics", prerequisite=course)
    response = client_for(instructor).post(
        f"/courses/manage/{course.pk}/settings/",
        {"free": "on", "currency": "EUR", "pass_mark": "60", "prerequisite": str(other.pk)},
    )
    assert response.status_code == 422 and "cannot require itself" in response.content.decode()
    course.refresh_from_db()
    assert course.prerequisite_id is None


def test_a_cover_is_uploaded_checked_and_removed(client_for, instructor, course, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(instructor)
    url = f"/courses/manage/{course.pk}/cover/"
    refused = client.post(url, {"cover": SimpleUploadedFile("cover.png", b"not an image", content_type="image/png")})
    assert refused.status_code == 422 and "PNG, JPEG, GIF or WebP" in refused.content.decode()
    course.refresh_from_db()
    assert not course.cover
    assert client.post(url, {"cover": png()}).status_code == 302
    course.refresh_from_db()
    assert course.cover.name.endswith(".png") and "cover" not in course.cover.name.rsplit("/", 1)[-1]
    assert client.post(f"/courses/manage/{course.pk}/cover/remove/").status_code == 302
    course.refresh_from_db()
    assert not course.cover


def test_publish_unpublish_and_schedule(client_for, instructor, course):
    client = client_for(instructor)
    draft = client.post(f"/courses/manage/{course.pk}/", _content(course, title="Pottery, revised"))
    assert draft.status_code == 302
    assert client.post(f"/courses/manage/{course.pk}/publish/").status_code == 302
    course.refresh_from_db()
    assert course.live and course.title == "Pottery, revised"
    assert client.post(f"/courses/manage/{course.pk}/unpublish/").status_code == 302
    course.refresh_from_db()
    assert not course.live
    past = client.post(f"/courses/manage/{course.pk}/schedule/", {"go_live_at": "2001-01-01T10:00"})
    assert past.status_code == 422 and "future" in past.content.decode()
    assert client.post(f"/courses/manage/{course.pk}/schedule/", {"go_live_at": "2099-01-01T10:00"}).status_code == 302
    course.refresh_from_db()
    assert course.go_live_at is not None
    assert client.post(f"/courses/manage/{course.pk}/unschedule/").status_code == 302
    course.refresh_from_db()
    assert course.go_live_at is None


def test_a_course_without_lessons_is_not_published(client_for, instructor):
    course = services.course_create(actor=instructor, data=services.CourseInput(title="Empty"))
    response = client_for(instructor).post(f"/courses/manage/{course.pk}/publish/")
    assert response.status_code == 422 and "Add a lesson" in response.content.decode()
    course.refresh_from_db()
    assert not course.live


def test_adding_a_co_instructor_by_email_and_refusals(client_for, instructor, course, user_with_role, learner):
    client = client_for(instructor)
    url = f"/courses/manage/{course.pk}/instructors/"
    for email, reason in (
        ("nobody@example.org", "Nobody has this email"),
        (learner.email, "Only instructors"),
        (instructor.email, "owner already teaches"),
        ("not an email", "valid email"),
    ):
        response = client.post(url, {"email": email})
        assert response.status_code == 422 and reason in response.content.decode(), email
    assert CourseInstructor.objects.filter(course=course).count() == 1


def test_a_course_not_found_is_a_404(client_for, instructor):
    assert client_for(instructor).get("/courses/manage/999999/").status_code == 404


def test_the_hook_offers_the_course_editor_to_instructors(instructor, learner):
    from apps.lms.platform import hook

    tool = next(tool for tool in hook.tools if tool.url_name == "lms:manage")
    assert tool.shown_to(instructor) and not tool.shown_to(learner)


def test_visitors_see_a_change_at_once_though_the_page_was_cached(client_for, instructor, course, settings):
    settings.PAGE_CACHE_SECONDS = 300
    visitor = Client()
    assert "Free" in visitor.get(course.get_absolute_url()).content.decode()  # now cached
    response = client_for(instructor).post(
        f"/courses/manage/{course.pk}/settings/", {"price": "25.00", "currency": "EUR", "pass_mark": "60"}
    )
    assert response.status_code == 302
    assert "25.00 EUR" in visitor.get(course.get_absolute_url()).content.decode()
