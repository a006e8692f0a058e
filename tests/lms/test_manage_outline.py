"""The course editor's outline and lesson editor: sections and lessons added, renamed, deleted,
moved a step (no JavaScript) and reordered whole (the script's drag and keyboard moves, refused
when stale); the lesson's draft, rules, video and publication — the permission matrix, bad
input that changes nothing, htmx fragments and query counts."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from apps.core.publishing import selectors as publishing_selectors
from apps.lms.models import Lesson, Section
from apps.lms.services import courses as services
from tests.core.factories import UserFactory
from tests.lms.factories import lessons_of, make_course
from tests.utils import race

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


def expected(who: str) -> int:
    return {"anonymous": 302, "learner": 403, "outsider": 403, "other_instructor": 404}.get(who, 200)


def order(course) -> list[tuple[str, list[str]]]:
    return [
        (section.title, [lesson.title for lesson in section.lessons.order_by("position", "pk")])
        for section in Section.objects.filter(course=course).order_by("position", "pk")
    ]


def outline_json(course, shuffle=None) -> str:
    items = [
        {"section": section.pk, "lessons": [lesson.pk for lesson in section.lessons.order_by("position", "pk")]}
        for section in Section.objects.filter(course=course).order_by("position", "pk")
    ]
    return json.dumps(shuffle(items) if shuffle else items)


@pytest.fixture
def two_parts(instructor, co_instructor, course):
    """The course with a second section of two lessons: Part 1 (1.1, 1.2, 1.3), Part 2 (2.1, 2.2)."""
    part = Section.objects.create(course=course, title="Part 2", position=2)
    for i in (1, 2):
        Lesson.objects.create(course=course, section=part, title=f"Lesson 2.{i}", slug=f"lesson-2-{i}", position=i)
    return course


# --- The matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_the_outline_and_lesson_pages_are_for_who_teaches_the_course(client_for, people, course, who):
    lesson = lessons_of(course)[0]
    client = client_for(people[who])
    assert client.get(f"/courses/manage/{course.pk}/outline/").status_code == expected(who)
    assert client.get(f"/courses/manage/{course.pk}/lessons/{lesson.pk}/").status_code == expected(who)


@pytest.mark.parametrize("who", WHO)
def test_every_outline_and_lesson_action_is_for_who_teaches_the_course(client_for, people, two_parts, who):
    course = two_parts
    section = Section.objects.get(course=course, title="Part 2")
    lesson = lessons_of(course)[0]
    base = f"/courses/manage/{course.pk}"
    lesson_url = f"{base}/lessons/{lesson.pk}"
    actions = [
        (f"{base}/sections/", {"title": "Part 3"}),
        (f"{base}/sections/{section.pk}/rename/", {"title": "Part two"}),
        (f"{base}/sections/{section.pk}/lessons/", {"title": "New one", "kind": "text"}),
        (f"{base}/sections/{section.pk}/move/", {"direction": "up"}),
        (f"{lesson_url}/move/", {"direction": "down"}),
        (lesson_url + "/", {"title": "Renamed", "body": "[]", "duration_minutes": "7", "based_on": "0"}),
        (f"{lesson_url}/rules/", {"kind": "video", "is_preview": "on"}),
        (f"{lesson_url}/video/remove/", {}),
        (f"{lesson_url}/unpublish/", {}),
    ]
    client = client_for(people[who])
    for url, data in actions:
        status = client.post(url, data).status_code
        assert status == (302 if expected(who) == 200 else expected(who)), url
    save = client.post(f"{base}/outline/order/", {"outline": outline_json(course, lambda items: items[::-1])})
    assert save.status_code == expected(who)
    if expected(who) != 200:
        assert order(course) == [
            ("Part 1", ["Lesson 1.1", "Lesson 1.2", "Lesson 1.3"]),
            ("Part 2", ["Lesson 2.1", "Lesson 2.2"]),
        ]
        assert Lesson.objects.get(pk=lesson.pk).kind == "text"


def test_another_courses_section_or_lesson_is_a_404(client_for, instructor, course):
    other = make_course(owner=instructor)
    foreign = lessons_of(other)[0]
    client = client_for(instructor)
    assert client.get(f"/courses/manage/{course.pk}/lessons/{foreign.pk}/").status_code == 404
    assert (
        client.post(f"/courses/manage/{course.pk}/sections/{foreign.section_id}/rename/", {"title": "X"}).status_code
        == 404
    )


# --- The outline --------------------------------------------------------------------------------


def test_sections_are_added_renamed_and_deleted_only_when_empty(client_for, instructor, course):
    client = client_for(instructor)
    base = f"/courses/manage/{course.pk}"
    assert client.post(f"{base}/sections/", {"title": "Glazes"}).status_code == 302
    section = Section.objects.get(course=course, title="Glazes")
    assert client.post(f"{base}/sections/{section.pk}/rename/", {"title": "Glazing"}).status_code == 302
    refused = client.post(f"{base}/sections/{section.pk}/rename/", {"title": "  "})
    assert refused.status_code == 422 and "needs a title" in refused.content.decode()
    full = Section.objects.get(course=course, title="Part 1")
    refused = client.post(f"{base}/sections/{full.pk}/delete/")
    assert refused.status_code == 422 and "Move or delete" in refused.content.decode()
    assert client.post(f"{base}/sections/{section.pk}/delete/").status_code == 302
    assert order(course) == [("Part 1", ["Lesson 1.1", "Lesson 1.2", "Lesson 1.3"])]


def test_htmx_gets_the_outline_back_with_the_message(client_for, instructor, course):
    client = client_for(instructor)
    response = client.post(
        f"/courses/manage/{course.pk}/sections/", {"title": "Glazes"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and page.lstrip().startswith('<div id="outline"')
    assert "Section “Glazes” added." in page and "<html" not in page
    refused = client.post(f"/courses/manage/{course.pk}/sections/", {"title": ""}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and 'role="alert"' in refused.content.decode()
    full = client.get(f"/courses/manage/{course.pk}/outline/")
    assert "<html" in full.content.decode() and "vendor/sortablejs/Sortable.min.js" in full.content.decode()


def test_a_lesson_is_added_with_its_kind_as_a_draft(client_for, instructor, course):
    section = Section.objects.get(course=course)
    client = client_for(instructor)
    assert (
        client.post(
            f"/courses/manage/{course.pk}/sections/{section.pk}/lessons/", {"title": "Kilns", "kind": "video"}
        ).status_code
        == 302
    )
    lesson = Lesson.objects.get(course=course, title="Kilns")
    assert lesson.kind == "video" and not lesson.live and lesson.latest_revision == 1
    bad = client.post(f"/courses/manage/{course.pk}/sections/{section.pk}/lessons/", {"title": "X", "kind": "podcast"})
    assert bad.status_code == 422 and Lesson.objects.filter(course=course).count() == 4


def test_move_buttons_step_lessons_across_sections_and_sections(client_for, instructor, two_parts):
    course = two_parts
    client = client_for(instructor)
    first_of_part_2 = Lesson.objects.get(course=course, title="Lesson 2.1")
    url = f"/courses/manage/{course.pk}/lessons/{first_of_part_2.pk}/move/"
    assert client.post(url, {"direction": "up"}).status_code == 302  # to the end of Part 1
    assert order(course) == [
        ("Part 1", ["Lesson 1.1", "Lesson 1.2", "Lesson 1.3", "Lesson 2.1"]),
        ("Part 2", ["Lesson 2.2"]),
    ]
    assert client.post(url, {"direction": "up"}).status_code == 302
    assert order(course)[0][1] == ["Lesson 1.1", "Lesson 1.2", "Lesson 2.1", "Lesson 1.3"]
    top = Lesson.objects.get(course=course, title="Lesson 1.1")
    assert client.post(f"/courses/manage/{course.pk}/lessons/{top.pk}/move/", {"direction": "up"}).status_code == 302
    assert order(course)[0][1][0] == "Lesson 1.1"  # the first stays first
    bad = client.post(url, {"direction": "sideways"})
    assert bad.status_code == 422
    part_2 = Section.objects.get(course=course, title="Part 2")
    assert (
        client.post(f"/courses/manage/{course.pk}/sections/{part_2.pk}/move/", {"direction": "up"}).status_code == 302
    )
    assert [title for title, _ in order(course)] == ["Part 2", "Part 1"]


def test_the_whole_order_is_saved_with_lessons_changing_section(client_for, instructor, two_parts):
    course = two_parts
    parts = list(Section.objects.filter(course=course).order_by("position"))
    by_title = {lesson.title: lesson.pk for lesson in Lesson.objects.filter(course=course)}
    body = [
        {"section": parts[1].pk, "lessons": [by_title["Lesson 2.2"], by_title["Lesson 1.1"]]},
        {"section": parts[0].pk, "lessons": [by_title[t] for t in ("Lesson 1.3", "Lesson 2.1", "Lesson 1.2")]},
    ]
    response = client_for(instructor).post(f"/courses/manage/{course.pk}/outline/order/", {"outline": json.dumps(body)})
    assert response.status_code == 200
    assert order(course) == [
        ("Part 2", ["Lesson 2.2", "Lesson 1.1"]),
        ("Part 1", ["Lesson 1.3", "Lesson 2.1", "Lesson 1.2"]),
    ]


def test_a_stale_outline_is_refused_whole_with_a_clear_message(client_for, instructor, co_instructor, two_parts):
    course = two_parts
    stale = outline_json(course, lambda items: items[::-1])
    section = Section.objects.get(course=course, title="Part 2")
    client_for(co_instructor).post(
        f"/courses/manage/{course.pk}/sections/{section.pk}/lessons/", {"title": "Added meanwhile", "kind": "text"}
    )
    before = order(course)
    response = client_for(instructor).post(f"/courses/manage/{course.pk}/outline/order/", {"outline": stale})
    assert response.status_code == 409
    assert "changed since you opened it" in response.json()["error"]["message"]
    assert order(course) == before


@pytest.mark.parametrize(
    "body",
    [
        "",
        "not json",
        "{}",
        '[{"section": "x", "lessons": []}]',
        '[{"lessons": []}]',
        '[{"section": true, "lessons": []}]',
        '[{"section": 99999999999, "lessons": []}]',
    ],
)
def test_an_unreadable_outline_is_a_400_and_changes_nothing(client_for, instructor, course, body):
    before = order(course)
    response = client_for(instructor).post(f"/courses/manage/{course.pk}/outline/order/", {"outline": body})
    assert response.status_code == 400 and order(course) == before


def test_the_outline_page_costs_the_same_queries_for_a_longer_outline(
    client_for, instructor, django_assert_max_num_queries
):
    course = make_course(owner=instructor, lessons=2, sections=2)
    client = client_for(instructor)
    url = f"/courses/manage/{course.pk}/outline/"
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    bigger = make_course(owner=instructor, lessons=8, sections=6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/courses/manage/{bigger.pk}/outline/").status_code == 200


# --- The lesson editor --------------------------------------------------------------------------


def _lesson_content(lesson, **changes) -> dict:
    data = {"title": lesson.title, "body": "[]", "duration_minutes": "10", "based_on": str(lesson.latest_revision)}
    data.update(changes)
    return data


def test_the_lesson_draft_is_saved_and_a_stale_one_is_a_conflict(client_for, instructor, course):
    lesson = lessons_of(course)[0]
    client = client_for(instructor)
    url = f"/courses/manage/{course.pk}/lessons/{lesson.pk}/"
    body = json.dumps([{"type": "rich_text", "html": "<p>Wedging clay</p>"}])
    assert (
        client.post(url, _lesson_content(lesson, title="Wedging", body=body, duration_minutes="12")).status_code == 302
    )
    lesson.refresh_from_db()
    draft = publishing_selectors.draft_content(lesson)
    assert (
        draft["title"] == "Wedging" and draft["duration_minutes"] == 12 and "Wedging clay" in json.dumps(draft["body"])
    )
    stale = client.post(url, _lesson_content(lesson, title="Mine", based_on="0"))
    assert stale.status_code == 409 and "Mine" in stale.content.decode()
    bad = client.post(url, _lesson_content(lesson, body="not json"))
    assert bad.status_code == 422
    autosave = client.post(f"{url}autosave/", _lesson_content(lesson, title="Autosaved"))
    assert autosave.status_code == 200 and autosave.json()["revision"] == lesson.latest_revision + 1


def test_rules_set_kind_preview_and_drip_and_refuse_a_later_prerequisite(client_for, instructor, course):
    first, second, third = lessons_of(course)
    client = client_for(instructor)
    url = f"/courses/manage/{course.pk}/lessons/{second.pk}/rules/"
    data = {
        "kind": "video",
        "is_preview": "on",
        "opens_at": "2099-05-01T09:00",
        "opens_after_days": "3",
        "prerequisite": str(first.pk),
    }
    assert client.post(url, data).status_code == 302
    second.refresh_from_db()
    assert (second.kind, second.is_preview, second.opens_after_days, second.prerequisite_id) == (
        "video",
        True,
        3,
        first.pk,
    )
    assert second.opens_at.year == 2099
    for bad in (
        {**data, "prerequisite": str(third.pk)},
        {**data, "opens_after_days": "4000"},
        {**data, "kind": "podcast"},
    ):
        assert client.post(url, bad).status_code == 422, bad
    second.refresh_from_db()
    assert (second.kind, second.opens_after_days, second.prerequisite_id) == ("video", 3, first.pk)


def test_a_video_that_is_not_one_is_a_form_error(client_for, instructor, course, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lesson = lessons_of(course)[0]
    Lesson.objects.filter(pk=lesson.pk).update(kind="video")
    response = client_for(instructor).post(
        f"/courses/manage/{course.pk}/lessons/{lesson.pk}/video/",
        {"video": SimpleUploadedFile("clip.mp4", b"this is no video", content_type="video/mp4")},
    )
    assert response.status_code == 422 and "field--invalid" in response.content.decode()
    lesson.refresh_from_db()
    assert not lesson.video


def test_a_lesson_is_published_and_unpublished(client_for, instructor, course):
    lesson = lessons_of(course)[0]
    client = client_for(instructor)
    url = f"/courses/manage/{course.pk}/lessons/{lesson.pk}/"
    assert client.post(url, _lesson_content(lesson, title="Wedging")).status_code == 302
    assert client.post(f"{url}unpublish/").status_code == 302
    lesson.refresh_from_db()
    assert not lesson.live
    assert client.post(f"{url}publish/").status_code == 302
    lesson.refresh_from_db()
    assert lesson.live and lesson.title == "Wedging"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the races run on PostgreSQL (CI does)")
@pytest.mark.django_db(transaction=True)
def test_moves_at_once_keep_every_lesson_once_in_a_place_of_its_own():
    instructor = UserFactory(roles=["instructor"])
    course = make_course(owner=instructor, lessons=6, sections=2)
    lessons = lessons_of(course)

    def move(index: int) -> None:
        lesson = Lesson.objects.select_related("course").get(pk=lessons[index].pk)
        services.lesson_move(actor=instructor, lesson=lesson, step=1 if index % 2 else -1)

    results = race(move, times=len(lessons))

    assert results == [None] * len(lessons)
    rows = list(Lesson.objects.filter(course=course).values_list("section_id", "position"))
    assert len(rows) == 12 and len(set(rows)) == 12  # no two lessons share a place
    for section in Section.objects.filter(course=course):
        assert sorted(p for s, p in rows if s == section.pk) == list(range(1, section.lessons.count() + 1))
