"""Learning over the API: free enrolment (refusals with the policy's reason, 409 when already
enrolled or the cohort is full), my enrolments with progress and the next lesson (flat queries),
a lesson's content by who may open it (403 with the lock's reason and opening time, 404 for
drafts), progress and completion through the services; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.lms.models import Enrolment, Lesson, LessonProgress
from tests.lms.api.conftest import API, error_of, matrix
from tests.lms.factories import enrol, lessons_of, make_cohort, make_course

pytestmark = pytest.mark.django_db

COURSES = f"{API}courses/"


def _lesson_url(course, lesson, tail: str = "") -> str:
    return f"{COURSES}{course.slug}/lessons/{lesson.slug}/{tail}"


# --- Enrolment ---------------------------------------------------------------------------------


def test_enrolling_in_a_free_course_answers_by_who_asks(api_as, people, course):
    answers = matrix(api_as, people, "post", f"{COURSES}{course.slug}/enrolment/", {})

    assert answers == {
        "owner": 201,
        "co_instructor": 201,
        "other_instructor": 201,
        "learner": 409,  # already enrolled (the cast's enrolment)
        "outsider": 201,
        "admin": 201,
        "anonymous": 401,
    }
    assert Enrolment.objects.filter(course=course).count() == 6


def test_a_learner_enrols_and_gets_their_progress_and_first_lesson(api_as, outsider, course):
    response = api_as(outsider).post(f"{COURSES}{course.slug}/enrolment/", {}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["active"] is True and body["source"] == "free" and body["cohort"] is None
    assert body["progress"] == {"done": 0, "total": 3, "percent": 0}
    assert body["next_lesson"]["slug"] == "lesson-1-1"
    assert Enrolment.objects.get(user=outsider, course=course).revoked_at is None


def test_already_enrolled_is_a_409_with_the_reason_and_changes_nothing(api_as, learner, course, enrolment):
    before = Enrolment.objects.get(pk=enrolment.pk).enrolled_at

    refusal = error_of(api_as(learner).post(f"{COURSES}{course.slug}/enrolment/", {}, format="json"), 409)

    assert refusal["code"] == "already_enrolled"
    assert refusal["message"] == "You are already enrolled in this course."
    assert Enrolment.objects.get(pk=enrolment.pk).enrolled_at == before


def test_a_paid_course_and_a_missing_prerequisite_are_403_with_the_policys_reason(api_as, outsider, instructor):
    paid = make_course(owner=instructor, price="20.00")
    first = make_course(owner=instructor, title="Clay basics")
    second = make_course(owner=instructor, prerequisite=first)
    client = api_as(outsider)

    assert "sold in the shop" in error_of(client.post(f"{COURSES}{paid.slug}/enrolment/", {}), 403)["message"]
    assert error_of(client.post(f"{COURSES}{second.slug}/enrolment/", {}), 403)["message"] == (
        "Complete “Clay basics” first."
    )
    assert not Enrolment.objects.filter(user=outsider).exists()


def test_a_draft_course_is_404_to_enrol_in_for_strangers_and_403_for_its_teachers(api_as, people, instructor):
    draft = make_course(owner=instructor, live=False)
    answers = matrix(api_as, people, "post", f"{COURSES}{draft.slug}/enrolment/", {})

    assert answers == {
        "owner": 403,  # "This course is not open for enrolment."
        "co_instructor": 404,  # not granted on this course
        "other_instructor": 404,
        "learner": 404,
        "outsider": 404,
        "admin": 403,
        "anonymous": 401,
    }
    assert not Enrolment.objects.filter(course=draft).exists()


def test_a_cohort_seat_is_taken_and_a_full_cohort_is_a_409(api_as, outsider, other_instructor, course):
    cohort = make_cohort(course, seats=1)
    url = f"{COURSES}{course.slug}/enrolment/"

    assert api_as(outsider).post(url, {"cohort": cohort.pk}, format="json").json()["cohort"] == cohort.name
    full = error_of(api_as(other_instructor).post(url, {"cohort": cohort.pk}, format="json"), 409)

    assert full["code"] == "cohort_full" and full["message"] == "This cohort is full."
    cohort.refresh_from_db()
    assert cohort.seats_taken == 1
    assert not Enrolment.objects.filter(user=other_instructor).exists()


def test_bad_enrolment_input_is_a_400_that_enrols_no_one(api_as, outsider, instructor, course):
    other = make_cohort(make_course(owner=instructor))
    client = api_as(outsider)
    url = f"{COURSES}{course.slug}/enrolment/"

    assert "cohort" in error_of(client.post(url, {"cohort": "x"}, format="json"), 400)["fields"]
    assert "cohort" in error_of(client.post(url, {"cohort": 99999999999999999999}, format="json"), 400)["fields"]
    assert "cohort" in error_of(client.post(url, {"cohort": other.pk}, format="json"), 400)["fields"]
    assert not Enrolment.objects.filter(user=outsider).exists()


# --- My enrolments -----------------------------------------------------------------------------


def test_my_enrolments_list_mine_with_progress_and_where_to_continue(api_as, people, learner, course, enrolment):
    first, second, _ = lessons_of(course)
    LessonProgress.objects.create(enrolment=enrolment, lesson=first, completed_at=timezone.now())

    body = api_as(learner).get(f"{API}enrolments/").json()

    assert body["count"] == 1
    row = body["results"][0]
    assert row["course"] == {"title": "Pottery for beginners", "slug": course.slug}
    assert row["progress"] == {"done": 1, "total": 3, "percent": 33}
    assert row["next_lesson"]["slug"] == second.slug
    assert matrix(api_as, people, "get", f"{API}enrolments/") == {
        "owner": 200,
        "co_instructor": 200,
        "other_instructor": 200,
        "learner": 200,
        "outsider": 200,
        "admin": 200,
        "anonymous": 401,
    }
    assert api_as(people["outsider"]).get(f"{API}enrolments/").json()["count"] == 0


def test_an_ended_enrolment_is_not_listed(api_as, learner, course, enrolment):
    enrolment.revoked_at = timezone.now()
    enrolment.save()

    assert api_as(learner).get(f"{API}enrolments/").json()["count"] == 0


def test_the_next_lesson_skips_a_locked_one(api_as, learner, course, enrolment):
    first, second, third = lessons_of(course)
    LessonProgress.objects.create(enrolment=enrolment, lesson=first, completed_at=timezone.now())
    second.opens_at = timezone.now() + timedelta(days=1)
    second.save()

    row = api_as(learner).get(f"{API}enrolments/").json()["results"][0]

    assert row["next_lesson"]["slug"] == third.slug


def test_my_enrolments_cost_the_same_queries_for_one_course_or_ten(
    api_as, learner, instructor, django_assert_max_num_queries
):
    client = api_as(learner)
    enrol(learner, make_course(owner=instructor, lessons=2))
    with django_assert_max_num_queries(7):
        assert client.get(f"{API}enrolments/").json()["count"] == 1
    for _ in range(9):
        enrol(learner, make_course(owner=instructor, lessons=5, sections=2))
    with django_assert_max_num_queries(7):
        assert len(client.get(f"{API}enrolments/").json()["results"]) == 10


# --- A lesson's content ------------------------------------------------------------------------


def test_a_lesson_opens_to_its_learner_and_teachers_only(api_as, people, course):
    lesson = lessons_of(course)[0]

    assert matrix(api_as, people, "get", _lesson_url(course, lesson)) == {
        "owner": 200,
        "co_instructor": 200,
        "other_instructor": 403,
        "learner": 200,
        "outsider": 403,
        "admin": 200,
        "anonymous": 401,
    }
    body = api_as(people["learner"]).get(_lesson_url(course, lesson)).json()
    assert body["body"][0]["html"] == "<p>Lesson 1.1 body.</p>"
    assert body["completed"] is False and body["video_url"] is None and body["duration_minutes"] == 10


def test_a_stranger_is_told_to_enrol(api_as, outsider, course):
    refusal = error_of(api_as(outsider).get(_lesson_url(course, lessons_of(course)[1])), 403)

    assert refusal == {"status": 403, "code": "lesson_locked", "message": "Enrol in this course to open this lesson."}


def test_a_free_preview_opens_to_anyone(api_as, people, course):
    lesson = lessons_of(course)[0]
    lesson.is_preview = True
    lesson.save()

    assert set(matrix(api_as, people, "get", _lesson_url(course, lesson)).values()) == {200}


def test_a_locked_lesson_is_a_403_with_the_reason_and_when_it_opens(api_as, learner, course, enrolment):
    lesson = lessons_of(course)[1]
    opens = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    lesson.opens_at = opens
    lesson.save()

    refusal = error_of(api_as(learner).get(_lesson_url(course, lesson)), 403)

    assert refusal["code"] == "lesson_locked" and refusal["message"].startswith("Opens on")
    assert refusal["opens_at"] == opens.isoformat().replace("+00:00", "Z")


def test_a_lesson_behind_a_prerequisite_names_it(api_as, learner, course, enrolment):
    first, second, _ = lessons_of(course)
    second.prerequisite = first
    second.save()

    refusal = error_of(api_as(learner).get(_lesson_url(course, second)), 403)

    assert refusal["message"] == "Complete “Lesson 1.1” first." and "opens_at" not in refusal


def test_a_draft_lesson_is_404_to_all_but_who_teaches_the_course(api_as, people, course):
    lesson = lessons_of(course)[2]
    lesson.live = False
    lesson.save()

    assert matrix(api_as, people, "get", _lesson_url(course, lesson)) == {
        "owner": 200,
        "co_instructor": 200,
        "other_instructor": 404,
        "learner": 404,
        "outsider": 404,
        "admin": 200,
        "anonymous": 404,
    }


def test_an_unknown_lesson_is_a_json_404(api_as, learner, course):
    error_of(api_as(learner).get(f"{COURSES}{course.slug}/lessons/no-such-lesson/"), 404)
    error_of(api_as(learner).get(f"{COURSES}{course.slug}/lessons/not%20a%20slug/"), 404)


# --- Progress and completion --------------------------------------------------------------------


def test_only_the_enrolled_learner_records_progress(api_as, people, course):
    lesson = lessons_of(course)[0]

    answers = matrix(api_as, people, "post", _lesson_url(course, lesson, "progress/"), {"position_seconds": 30})

    assert answers == {
        "owner": 403,
        "co_instructor": 403,
        "other_instructor": 403,
        "learner": 200,
        "outsider": 403,
        "admin": 403,
        "anonymous": 401,
    }
    assert LessonProgress.objects.get().position_seconds == 30


def test_watching_most_of_a_video_completes_it(api_as, learner, instructor):
    course = make_course(owner=instructor, kind=Lesson.Kind.VIDEO, lessons=2)
    enrol(learner, course)
    lesson = lessons_of(course)[0]
    client = api_as(learner)
    url = _lesson_url(course, lesson, "progress/")

    first = client.post(url, {"position_seconds": 40, "watched_percent": 50}, format="json").json()
    second = client.post(url, {"position_seconds": 90, "watched_percent": 95}, format="json").json()
    again = client.post(url, {"position_seconds": 10, "watched_percent": 20}, format="json").json()

    assert first == {"completed": False, "just_completed": False, "position_seconds": 40, "watched_percent": 50}
    assert second == {"completed": True, "just_completed": True, "position_seconds": 90, "watched_percent": 95}
    assert again == {"completed": True, "just_completed": False, "position_seconds": 10, "watched_percent": 95}


def test_bad_progress_is_a_400_that_records_nothing(api_as, learner, course, enrolment):
    url = _lesson_url(course, lessons_of(course)[0], "progress/")
    client = api_as(learner)

    assert "position_seconds" in error_of(client.post(url, {}, format="json"), 400)["fields"]
    assert (
        "watched_percent"
        in error_of(client.post(url, {"position_seconds": 1, "watched_percent": 101}, format="json"), 400)["fields"]
    )
    assert "position_seconds" in error_of(client.post(url, {"position_seconds": -1}, format="json"), 400)["fields"]
    assert not LessonProgress.objects.exists()


def test_progress_in_a_locked_lesson_is_refused_with_its_reason(api_as, learner, course, enrolment):
    lesson = lessons_of(course)[1]
    lesson.opens_at = timezone.now() + timedelta(days=1)
    lesson.save()

    refusal = error_of(api_as(learner).post(_lesson_url(course, lesson, "progress/"), {"position_seconds": 5}), 403)

    assert refusal["code"] == "lesson_locked" and refusal["message"].startswith("Opens on")
    assert not LessonProgress.objects.exists()


def test_completing_every_lesson_completes_the_course(api_as, learner, course, enrolment):
    client = api_as(learner)
    answers = [client.post(_lesson_url(course, lesson, "completion/")).json() for lesson in lessons_of(course)]

    assert [a["progress"]["done"] for a in answers] == [1, 2, 3]
    assert [a["course_completed"] for a in answers] == [False, False, True]
    again = client.post(_lesson_url(course, lessons_of(course)[0], "completion/")).json()
    assert again == {"completed": True, "course_completed": True, "progress": {"done": 3, "total": 3, "percent": 100}}
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_only_the_enrolled_learner_completes_a_lesson(api_as, people, course):
    answers = matrix(api_as, people, "post", _lesson_url(course, lessons_of(course)[0], "completion/"))

    assert answers == {
        "owner": 403,
        "co_instructor": 403,
        "other_instructor": 403,
        "learner": 200,
        "outsider": 403,
        "admin": 403,
        "anonymous": 401,
    }
    assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 1


def test_a_draft_lesson_takes_no_progress_from_anyone(api_as, people, course):
    lesson = lessons_of(course)[0]
    lesson.live = False
    lesson.save()

    answers = matrix(api_as, people, "post", _lesson_url(course, lesson, "completion/"))

    assert answers == {
        "owner": 403,  # may open the draft, but is not enrolled
        "co_instructor": 403,
        "other_instructor": 404,
        "learner": 404,
        "outsider": 404,
        "admin": 403,
        "anonymous": 401,
    }
    assert not LessonProgress.objects.exists()


def test_the_methods_a_path_does_not_take_are_405(api_as, learner, course):
    client = api_as(learner)
    lesson = lessons_of(course)[0]

    assert error_of(client.get(_lesson_url(course, lesson, "progress/")), 405)["code"] == "method_not_allowed"
    error_of(client.post(_lesson_url(course, lesson)), 405)
    error_of(client.get(f"{COURSES}{course.slug}/enrolment/"), 405)
    error_of(client.post(f"{API}enrolments/"), 405)
