"""Instructors' management over the API: the permission matrix over every endpoint and method
(401 anonymous, 403 neither instructor nor admin, 404 a course one does not teach), drafts of
courses and lessons with based_on (409 on a conflict, nothing saved), publication, the outline's
order (a stale one refused whole), sections and lessons; bad input a 400 that changes nothing."""

from __future__ import annotations

import pytest

from apps.core.publishing import selectors as publishing_selectors
from apps.lms.models import Course, Lesson, Section
from apps.lms.services import courses as services
from tests.lms.api.conftest import API, error_of, matrix
from tests.lms.factories import lessons_of, make_course

pytestmark = pytest.mark.django_db

MANAGE = f"{API}manage/"


def _calls(course, section, lesson):
    """Every management endpoint and method on the cast's course, with a body that works."""
    outline = [{"section": section.pk, "lessons": [x.pk for x in lessons_of(course)]}]
    return [
        ("get", f"{MANAGE}courses/{course.pk}/", None),
        ("patch", f"{MANAGE}courses/{course.pk}/", {"based_on": course.latest_revision, "summary": "New"}),
        ("post", f"{MANAGE}courses/{course.pk}/publication/", None),
        ("delete", f"{MANAGE}courses/{course.pk}/publication/", None),
        ("get", f"{MANAGE}courses/{course.pk}/outline/", None),
        ("put", f"{MANAGE}courses/{course.pk}/outline/", outline),
        ("post", f"{MANAGE}courses/{course.pk}/sections/", {"title": "Part 2"}),
        ("post", f"{MANAGE}sections/{section.pk}/lessons/", {"title": "Extra"}),
        ("get", f"{MANAGE}lessons/{lesson.pk}/", None),
        ("patch", f"{MANAGE}lessons/{lesson.pk}/", {"based_on": lesson.latest_revision, "title": "Renamed"}),
        ("post", f"{MANAGE}lessons/{lesson.pk}/publication/", None),
        ("delete", f"{MANAGE}lessons/{lesson.pk}/publication/", None),
    ]


@pytest.fixture
def managed(instructor, co_instructor):
    """A course made through the services (so it has revisions), with a section and a lesson."""
    course = services.course_create(actor=instructor, data=services.CourseInput(title="Kilns"))
    services.instructor_grant(actor=instructor, course=course, user=co_instructor)
    section = services.section_create(actor=instructor, course=course, title="Part 1")
    lesson = services.lesson_create(actor=instructor, section=section, data=services.LessonInput(title="Firing"))
    return course, section, lesson


def test_strangers_to_a_course_get_401_403_or_404_on_every_endpoint_and_nothing_changes(api_as, people, managed):
    course, section, lesson = managed
    for method, url, data in _calls(course, section, lesson):
        answers = {
            who: matrix(api_as, {who: people[who]}, method, url, data)[who]
            for who in ("other_instructor", "learner", "outsider", "anonymous")
        }
        assert answers == {"other_instructor": 404, "learner": 403, "outsider": 403, "anonymous": 401}, (method, url)
    course.refresh_from_db()
    lesson.refresh_from_db()
    assert (course.latest_revision, course.live, lesson.latest_revision, lesson.live) == (1, False, 1, False)
    assert course.sections.count() == 1 and course.lessons.count() == 1


@pytest.mark.parametrize("who", ["owner", "co_instructor", "admin"])
def test_who_teaches_the_course_and_admins_may_call_every_endpoint(api_as, people, managed, who):
    course, section, lesson = managed
    client = api_as(people[who])
    statuses = []
    for method, url, data in _calls(course, section, lesson):
        course.refresh_from_db()
        lesson.refresh_from_db()
        if method == "patch":  # the revision the previous calls left
            data = {**data, "based_on": (course if "courses" in url else lesson).latest_revision}
        response = getattr(client, method)(url, data, format="json")
        statuses.append((method, url.removeprefix(MANAGE), response.status_code))

    assert [s for _, _, s in statuses] == [200, 200, 200, 200, 200, 200, 201, 201, 200, 200, 200, 200], statuses


def test_the_list_of_courses_taught_answers_by_role(api_as, people, managed, course):
    assert matrix(api_as, people, "get", f"{MANAGE}courses/") == {
        "owner": 200,
        "co_instructor": 200,
        "other_instructor": 200,
        "admin": 200,
        "learner": 403,
        "outsider": 403,
        "anonymous": 401,
    }

    def slugs(who: str) -> set[str]:
        return {c["slug"] for c in api_as(people[who]).get(f"{MANAGE}courses/").json()["results"]}

    assert slugs("owner") == slugs("co_instructor") == {course.slug, managed[0].slug}
    assert slugs("other_instructor") == set()
    assert slugs("admin") >= {course.slug, managed[0].slug}


def test_the_list_of_courses_taught_costs_the_same_queries_for_any_number(
    api_as, instructor, django_assert_max_num_queries
):
    client = api_as(instructor)
    make_course(owner=instructor)
    with django_assert_max_num_queries(5):
        assert client.get(f"{MANAGE}courses/").json()["count"] == 1
    for _ in range(9):
        make_course(owner=instructor, lessons=4)
    with django_assert_max_num_queries(5):
        assert len(client.get(f"{MANAGE}courses/").json()["results"]) == 10


def test_an_instructor_starts_a_course_as_a_draft_they_own(api_as, instructor, people):
    response = api_as(instructor).post(
        f"{MANAGE}courses/",
        {"title": "Raku firing", "summary": "Fast kilns.", "outcomes": ["Fire a pot"], "level": "advanced"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["live"] is False and body["latest_revision"] == 1 and body["owner"]["id"] == instructor.pk
    assert body["draft"]["slug"] == "raku-firing" and body["draft"]["outcomes"] == ["Fire a pot"]
    assert body["draft"]["level"] == "advanced"
    assert error_of(api_as(people["learner"]).post(f"{MANAGE}courses/", {"title": "No"}, format="json"), 403)
    assert not Course.objects.filter(title="No").exists()


def test_bad_course_input_is_a_400_that_creates_nothing(api_as, instructor):
    client = api_as(instructor)
    url = f"{MANAGE}courses/"

    assert "title" in error_of(client.post(url, {}, format="json"), 400)["fields"]
    assert "level" in error_of(client.post(url, {"title": "A", "level": "expert"}, format="json"), 400)["fields"]
    assert "slug" in error_of(client.post(url, {"title": "A", "slug": "manage"}, format="json"), 400)["fields"]
    assert "category" in error_of(client.post(url, {"title": "A", "category": 424242}, format="json"), 400)["fields"]
    assert (
        "outcomes" in error_of(client.post(url, {"title": "A", "outcomes": ["x"] * 13}, format="json"), 400)["fields"]
    )
    fields = error_of(client.post(url, {"title": "A", "description": [{"type": "nope"}]}, format="json"), 400)
    assert "description" in fields["fields"]
    assert not Course.objects.exists()


def test_saving_a_draft_keeps_what_was_not_sent_and_leaves_the_live_course(api_as, instructor, course):
    client = api_as(instructor)
    url = f"{MANAGE}courses/{course.pk}/"

    response = client.patch(url, {"based_on": 0, "summary": "Now with glazes."}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["revision"] == 1 and body["course"]["latest_revision"] == 1
    assert body["course"]["draft"]["summary"] == "Now with glazes."
    assert body["course"]["draft"]["title"] == "Pottery for beginners"
    course.refresh_from_db()
    assert course.summary != "Now with glazes."  # visitors see the live row until it is published
    assert client.get(url).json()["draft"]["summary"] == "Now with glazes."


def test_a_draft_saved_after_the_one_edited_is_a_409_naming_it_and_saves_nothing(
    api_as, instructor, co_instructor, managed
):
    course, _, lesson = managed
    url = f"{MANAGE}courses/{course.pk}/"
    assert api_as(co_instructor).patch(url, {"based_on": 1, "summary": "Mine"}, format="json").status_code == 200

    conflict = error_of(api_as(instructor).patch(url, {"based_on": 1, "summary": "Theirs"}, format="json"), 409)

    assert conflict["code"] == "draft_conflict" and conflict["message"].startswith("Revision 2 was saved")
    course.refresh_from_db()
    assert course.latest_revision == 2
    assert publishing_selectors.draft_content(course)["summary"] == "Mine"
    stale = error_of(api_as(instructor).patch(f"{MANAGE}lessons/{lesson.pk}/", {"based_on": 7}, format="json"), 409)
    assert stale["message"].startswith("Revision 1 was saved")


def test_a_based_on_for_a_course_without_revisions_is_a_409_not_a_crash(api_as, instructor, course):
    conflict = error_of(api_as(instructor).patch(f"{MANAGE}courses/{course.pk}/", {"based_on": 3}, format="json"), 409)

    assert "no revision yet" in conflict["message"]


def test_bad_draft_input_is_a_400_that_saves_nothing(api_as, instructor, managed):
    course, _, lesson = managed
    client = api_as(instructor)

    assert "based_on" in error_of(client.patch(f"{MANAGE}courses/{course.pk}/", {}, format="json"), 400)["fields"]
    assert (
        "title"
        in error_of(client.patch(f"{MANAGE}courses/{course.pk}/", {"based_on": 1, "title": ""}, format="json"), 400)[
            "fields"
        ]
    )
    assert (
        "duration_minutes"
        in error_of(
            client.patch(f"{MANAGE}lessons/{lesson.pk}/", {"based_on": 1, "duration_minutes": 5000}, format="json"), 400
        )["fields"]
    )
    course.refresh_from_db()
    lesson.refresh_from_db()
    assert course.latest_revision == 1 and lesson.latest_revision == 1


def test_publishing_a_course_and_its_lesson_puts_them_in_the_catalogue(api_as, instructor, managed):
    course, _, lesson = managed
    client = api_as(instructor)

    assert client.post(f"{MANAGE}lessons/{lesson.pk}/publication/").json()["live"] is True
    assert client.post(f"{MANAGE}courses/{course.pk}/publication/").json()["live"] is True

    catalogue = api_as(None).get(f"{API}courses/").json()["results"]
    assert [(c["title"], c["lesson_count"]) for c in catalogue] == [("Kilns", 1)]
    assert client.delete(f"{MANAGE}courses/{course.pk}/publication/").json()["live"] is False
    assert api_as(None).get(f"{API}courses/").json()["count"] == 0


def test_a_course_without_lessons_cannot_be_published(api_as, instructor):
    course = services.course_create(actor=instructor, data=services.CourseInput(title="Empty"))

    refusal = error_of(api_as(instructor).post(f"{MANAGE}courses/{course.pk}/publication/"), 400)

    assert refusal["message"] == "Add a lesson before publishing the course."
    course.refresh_from_db()
    assert course.live is False


def test_the_outline_is_read_with_drafts_and_reordered_whole(api_as, instructor, course):
    client = api_as(instructor)
    first, second, third = lessons_of(course)
    third.live = False
    third.save()
    section = course.sections.get()
    other = services.section_create(actor=instructor, course=course, title="Part 2")
    url = f"{MANAGE}courses/{course.pk}/outline/"

    before = client.get(url).json()
    assert [[x["id"] for x in s["lessons"]] for s in before] == [[first.pk, second.pk, third.pk], []]
    assert before[0]["lessons"][2]["live"] is False

    moved = [{"section": other.pk, "lessons": [third.pk]}, {"section": section.pk, "lessons": [second.pk, first.pk]}]
    after = client.put(url, moved, format="json")

    assert after.status_code == 200, after.content
    assert [(s["id"], [x["id"] for x in s["lessons"]]) for s in after.json()] == [
        (other.pk, [third.pk]),
        (section.pk, [second.pk, first.pk]),
    ]
    assert Lesson.objects.get(pk=third.pk).section_id == other.pk


def test_a_stale_outline_is_a_409_that_moves_nothing(api_as, instructor, course):
    client = api_as(instructor)
    first, second, third = lessons_of(course)
    section = course.sections.get()
    url = f"{MANAGE}courses/{course.pk}/outline/"

    missing = error_of(client.put(url, [{"section": section.pk, "lessons": [second.pk, first.pk]}], format="json"), 409)
    repeated = [{"section": section.pk, "lessons": [third.pk, third.pk, second.pk, first.pk]}]

    assert missing["code"] == "stale_outline" and missing["message"].startswith("The outline changed")
    assert error_of(client.put(url, repeated, format="json"), 409)["code"] == "stale_outline"
    assert [x.pk for x in lessons_of(course)] == [first.pk, second.pk, third.pk]


def test_a_malformed_outline_is_a_400(api_as, instructor, course):
    client = api_as(instructor)
    url = f"{MANAGE}courses/{course.pk}/outline/"

    error_of(client.put(url, {"section": 1}, format="json"), 400)
    assert "0.lessons" in error_of(client.put(url, [{"section": 1, "lessons": "x"}], format="json"), 400)["fields"]
    assert "0.section" in error_of(client.put(url, [{"section": 0, "lessons": []}], format="json"), 400)["fields"]


def test_sections_and_lessons_are_added_at_the_end(api_as, instructor, course):
    client = api_as(instructor)

    section = client.post(f"{MANAGE}courses/{course.pk}/sections/", {"title": "Glazes"}, format="json").json()
    lesson = client.post(
        f"{MANAGE}sections/{section['id']}/lessons/",
        {"title": "Ash glaze", "kind": "video", "duration_minutes": 12, "body": []},
        format="json",
    )

    assert section["position"] == 2 and section["lessons"] == []
    assert lesson.status_code == 201, lesson.content
    body = lesson.json()
    assert body["slug"] == "ash-glaze" and body["kind"] == "video" and body["live"] is False
    assert body["draft"] == {"title": "Ash glaze", "body": [], "duration_minutes": 12}
    assert body["section"] == section["id"] and body["course"] == course.pk


def test_bad_section_and_lesson_input_is_a_400_that_adds_nothing(api_as, instructor, course):
    client = api_as(instructor)
    section = course.sections.get()

    assert "title" in error_of(client.post(f"{MANAGE}courses/{course.pk}/sections/", {}, format="json"), 400)["fields"]
    lessons = f"{MANAGE}sections/{section.pk}/lessons/"
    assert "kind" in error_of(client.post(lessons, {"title": "A", "kind": "dance"}, format="json"), 400)["fields"]
    assert "slug" in error_of(client.post(lessons, {"title": "A", "slug": "lesson-1-1"}, format="json"), 400)["fields"]
    assert Section.objects.count() == 1 and Lesson.objects.count() == 3


def test_a_lesson_draft_is_saved_with_based_on(api_as, co_instructor, managed):
    _, _, lesson = managed
    client = api_as(co_instructor)
    url = f"{MANAGE}lessons/{lesson.pk}/"
    body = [{"type": "rich_text", "html": "<p>Cone 6.</p>"}]

    saved = client.patch(url, {"based_on": 1, "body": body}, format="json").json()

    assert saved["revision"] == 2 and saved["lesson"]["draft"]["title"] == "Firing"
    assert saved["lesson"]["draft"]["body"][0]["html"] == "<p>Cone 6.</p>"
    assert client.get(url).json()["latest_revision"] == 2
