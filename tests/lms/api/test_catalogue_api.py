"""The public catalogue over the API: live courses with filters, a course's landing data and
outline (drafts 404 to all but who may edit them), a learner's locks and completions in it, the
lesson bodies never in these answers, flat query counts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.lms.models import CourseCategory, LessonProgress
from tests.lms.api.conftest import API, error_of, matrix
from tests.lms.factories import enrol, lessons_of, make_course

pytestmark = pytest.mark.django_db

COURSES = f"{API}courses/"


def test_the_root_links_the_lms_api(api_as):
    links = api_as(None).get(API).json()["links"]

    assert links["courses"].endswith("/api/v1/lms/courses/")
    assert links["manage_courses"].endswith("/api/v1/lms/manage/courses/")


def test_anyone_lists_live_courses_with_their_lessons_minutes_and_price(api_as, course, instructor):
    make_course(owner=instructor, title="Hidden draft", live=False)
    make_course(owner=instructor, title="Glazing", price="49.00", lessons=2)

    body = api_as(None).get(COURSES).json()

    assert body["count"] == 2 and body["pages"] == 1 and body["next"] is None
    glazing, pottery = body["results"]
    assert glazing["title"] == "Glazing" and glazing["price"] == {"amount": "49.00", "currency": "EUR"}
    assert glazing["is_free"] is False and glazing["lesson_count"] == 2 and glazing["minutes"] == 20
    assert pottery["title"] == "Pottery for beginners" and pottery["price"] is None and pottery["is_free"] is True
    assert pottery["owner"] == "Ines Instructor" and pottery["url"].endswith(f"/api/v1/lms/courses/{course.slug}/")


def test_the_list_filters_by_category_level_and_words(api_as, instructor):
    clay = CourseCategory.objects.create(name="Clay", slug="clay")
    make_course(owner=instructor, title="Throwing bowls", category=clay, level="beginner")
    make_course(owner=instructor, title="Advanced bowls", level="advanced")
    make_course(owner=instructor, title="Watercolour")
    client = api_as(None)

    def titles(**params: str) -> list[str]:
        return [card["title"] for card in client.get(COURSES, params).json()["results"]]

    assert titles(category="clay") == ["Throwing bowls"]
    assert titles(level="advanced") == ["Advanced bowls"]
    assert titles(q="bowls") == ["Advanced bowls", "Throwing bowls"]
    assert titles(q="bowls throwing") == ["Throwing bowls"]
    assert titles(category="nothing") == []


def test_a_malformed_filter_is_a_400_and_a_page_past_the_end_a_404(api_as, course):
    client = api_as(None)

    assert "level" in error_of(client.get(COURSES, {"level": "expert"}), 400)["fields"]
    assert "q" in error_of(client.get(COURSES, {"q": "x" * 201}), 400)["fields"]
    assert "category" in error_of(client.get(COURSES, {"category": "not a slug"}), 400)["fields"]
    error_of(client.get(COURSES, {"page": "9"}), 404)


def test_the_list_costs_the_same_queries_for_three_courses_or_thirty(
    api_as, instructor, learner, django_assert_max_num_queries
):
    for _ in range(3):
        make_course(owner=instructor, lessons=2)
    for client in (api_as(None), api_as(learner)):
        with django_assert_max_num_queries(4):
            assert client.get(COURSES).json()["count"] == 3
    for _ in range(27):
        make_course(owner=instructor, lessons=4)
    for client in (api_as(None), api_as(learner)):
        with django_assert_max_num_queries(4):
            assert len(client.get(COURSES, {"page_size": 40}).json()["results"]) == 30


def test_categories_are_a_public_paginated_list(api_as):
    CourseCategory.objects.create(name="Clay", slug="clay", position=2)
    CourseCategory.objects.create(name="Art", slug="art", position=1)

    body = api_as(None).get(f"{API}categories/").json()

    assert body["count"] == 2 and body["results"] == [{"name": "Art", "slug": "art"}, {"name": "Clay", "slug": "clay"}]


def test_a_course_has_its_landing_data_and_outline_without_lesson_bodies(api_as, course, people):
    course.outcomes, course.requirements = ["Throw a bowl"], ["Clay"]
    course.description = [{"type": "rich_text", "id": "d1", "html": "<p>About pottery.</p>"}]
    course.save()
    for user in people.values():
        response = api_as(user).get(f"{COURSES}{course.slug}/")
        assert response.status_code == 200
        assert "body." not in response.content.decode()  # each lesson's body says "Lesson 1.1 body."
        body = response.json()
        assert body["outcomes"] == ["Throw a bowl"] and body["requirements"] == ["Clay"]
        assert body["description"][0]["html"] == "<p>About pottery.</p>"
        assert [p["display_name"] for p in body["instructors"]] == ["Ines Instructor", "Cora Coinstructor"]
        lessons = body["sections"][0]["lessons"]
        assert [lesson["slug"] for lesson in lessons] == ["lesson-1-1", "lesson-1-2", "lesson-1-3"]
        assert set(lessons[0]) == {
            "title", "slug", "kind", "duration_minutes", "is_preview", "live", "lock", "completed", "url"
        }  # fmt: skip
        assert body["lesson_count"] == 3 and body["minutes"] == 30


def test_the_list_answer_has_no_lesson_body_either(api_as, course):
    assert "body." not in api_as(None).get(COURSES).content.decode()


def test_an_enrolled_learner_sees_their_enrolment_locks_and_completions(api_as, course, learner, enrolment):
    first, second, third = lessons_of(course)
    LessonProgress.objects.create(enrolment=enrolment, lesson=first, completed_at=timezone.now())
    opens = timezone.now() + timedelta(days=3)
    second.opens_at = opens
    second.save()

    body = api_as(learner).get(f"{COURSES}{course.slug}/").json()

    assert body["enrolment"]["active"] is True
    assert body["enrolment"]["progress"] == {"done": 1, "total": 3, "percent": 33}
    one, two, three = body["sections"][0]["lessons"]
    assert one["completed"] is True and one["lock"] is None
    assert two["completed"] is False and two["lock"]["reason"].startswith("Opens on")
    assert two["lock"]["opens_at"] == opens.isoformat().replace("+00:00", "Z")
    assert three["lock"] is None


def test_who_is_not_enrolled_is_told_to_enrol_except_for_previews_and_teachers(api_as, course, people):
    first = lessons_of(course)[0]
    first.is_preview = True
    first.save()
    for who in ("outsider", "anonymous", "other_instructor"):
        body = api_as(people[who]).get(f"{COURSES}{course.slug}/").json()
        assert body["enrolment"] is None
        preview, locked = body["sections"][0]["lessons"][:2]
        assert preview["lock"] is None and locked["lock"]["reason"] == "Enrol in this course to open this lesson.", who
    for who in ("owner", "co_instructor", "admin"):
        lessons = api_as(people[who]).get(f"{COURSES}{course.slug}/").json()["sections"][0]["lessons"]
        assert all(lesson["lock"] is None for lesson in lessons), who


def test_a_draft_course_is_404_to_everyone_but_who_may_edit_it(api_as, people, instructor, co_instructor):
    from apps.lms.models import CourseInstructor

    draft = make_course(owner=instructor, live=False)
    CourseInstructor.objects.create(course=draft, user=co_instructor)

    assert matrix(api_as, people, "get", f"{COURSES}{draft.slug}/") == {
        "owner": 200,
        "co_instructor": 200,
        "admin": 200,
        "other_instructor": 404,
        "learner": 404,
        "outsider": 404,
        "anonymous": 404,
    }
    lessons = api_as(instructor).get(f"{COURSES}{draft.slug}/").json()["sections"][0]["lessons"]
    assert [lesson["live"] for lesson in lessons] == [False, False, False]  # drafts, marked


def test_a_live_course_shows_its_draft_lessons_only_to_who_teaches_it(api_as, course, people):
    last = lessons_of(course)[-1]
    last.live = False
    last.save()
    counts = {
        who: len(api_as(user).get(f"{COURSES}{course.slug}/").json()["sections"][0]["lessons"])
        for who, user in people.items()
    }

    assert counts == {
        "owner": 3,
        "co_instructor": 3,
        "admin": 3,
        "other_instructor": 2,
        "learner": 2,
        "outsider": 2,
        "anonymous": 2,
    }


def test_an_unknown_course_is_a_json_404(api_as):
    assert error_of(api_as(None).get(f"{COURSES}no-such-course/"), 404)["message"] == "No such course."


def test_a_course_detail_costs_the_same_queries_for_any_outline(
    api_as, instructor, learner, django_assert_max_num_queries
):
    small = make_course(owner=instructor, lessons=1)
    big = make_course(owner=instructor, lessons=12, sections=4)
    for course in (small, big):
        enrol(learner, course)
        for lesson in lessons_of(course)[:1]:
            lesson.opens_after_days = 2
            lesson.save()
    visitor, signed_in = api_as(None), api_as(learner)
    for course in (small, big):
        with django_assert_max_num_queries(4):
            assert visitor.get(f"{COURSES}{course.slug}/").status_code == 200
        # The learner: the token's user with their roles, the enrolment, progress and openings too.
        with django_assert_max_num_queries(9):
            body = signed_in.get(f"{COURSES}{course.slug}/").json()
        assert body["enrolment"] is not None
    assert json.dumps(body).count('"slug"') == 1 + 48  # the course and its 48 lessons
