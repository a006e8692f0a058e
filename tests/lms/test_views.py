"""The learners' pages: the catalogue, a course's landing page, enrolment, lessons, marking them
done, a video's progress and "my learning" — the permission matrix, the happy paths, htmx
fragments, bad input and query counts."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.lms.models import Course, Enrolment, Lesson, LessonProgress
from tests.lms.factories import enrol, lessons_of, make_course

pytestmark = pytest.mark.django_db

WHO = ("owner", "co_instructor", "other_instructor", "learner", "outsider", "admin", "anonymous")


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def _status(client_for, people, who, method, url, data=None) -> int:
    client = client_for(people[who])
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    return response.status_code


# --- The permission matrix ----------------------------------------------------------------------

TEACHERS = {"owner", "co_instructor", "admin"}


@pytest.mark.parametrize("who", WHO)
def test_the_catalogue_and_a_live_course_are_public(client_for, people, course, who):
    assert _status(client_for, people, who, "get", "/courses/") == 200
    assert _status(client_for, people, who, "get", f"/courses/{course.slug}/") == 200


@pytest.mark.parametrize("who", WHO)
def test_a_draft_course_is_seen_only_by_who_teaches_it(client_for, people, course, who):
    Course.objects.filter(pk=course.pk).update(live=False)
    expected = 200 if who in TEACHERS else 404
    assert _status(client_for, people, who, "get", f"/courses/{course.slug}/") == expected
    lesson = lessons_of(course)[0]
    assert _status(client_for, people, who, "get", lesson.get_absolute_url()) == (200 if who in TEACHERS else 404)


@pytest.mark.parametrize("who", WHO)
def test_a_lesson_opens_to_its_learners_and_teachers_and_tells_the_rest_why_not(client_for, people, course, who):
    lesson = lessons_of(course)[0]
    response = client_for(people[who]).get(lesson.get_absolute_url())
    allowed = who in TEACHERS or who == "learner"
    assert response.status_code == (200 if allowed else 403)
    if not allowed:
        assert "Enrol in this course to open this lesson." in response.content.decode()
        assert "Lesson 1.1 body" not in response.content.decode()


@pytest.mark.parametrize("who", WHO)
def test_a_free_preview_opens_to_anyone(client_for, people, course, who):
    lesson = lessons_of(course)[0]
    Lesson.objects.filter(pk=lesson.pk).update(is_preview=True)
    response = client_for(people[who]).get(lesson.get_absolute_url())
    assert response.status_code == 200 and "Lesson 1.1 body" in response.content.decode()


@pytest.mark.parametrize("who", WHO)
def test_a_draft_lesson_of_a_live_course_is_only_for_its_teachers(client_for, people, course, who):
    lesson = lessons_of(course)[0]
    Lesson.objects.filter(pk=lesson.pk).update(live=False)
    expected = 200 if who in TEACHERS else 404
    assert _status(client_for, people, who, "get", lesson.get_absolute_url()) == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 200),
        ("co_instructor", 200),
        ("admin", 200),
        ("learner", 200),
        ("other_instructor", 403),
        ("outsider", 403),
        ("anonymous", 401),
    ],
)
def test_only_an_enrolled_learner_records_progress(client_for, people, course, who, expected):
    lesson = lessons_of(course)[0]
    response = client_for(people[who]).post(f"{lesson.get_absolute_url()}progress/", {"position": 12})
    # Teachers may open the lesson, but progress is a learner's: only the enrolled one writes it.
    if who in TEACHERS:
        expected = 403
    assert response.status_code == expected
    assert response.headers["Content-Type"] == "application/json"
    assert LessonProgress.objects.count() == (1 if who == "learner" else 0)


@pytest.mark.parametrize("who", WHO)
def test_marking_a_lesson_done_is_the_enrolled_learners(client_for, people, course, who):
    lesson = lessons_of(course)[0]
    response = client_for(people[who]).post(f"{lesson.get_absolute_url()}done/")
    if who == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif who == "learner":
        assert response.status_code == 302 and response["Location"] == lessons_of(course)[1].get_absolute_url()
    else:
        assert response.status_code == 403
    assert LessonProgress.objects.filter(completed_at__isnull=False).count() == (1 if who == "learner" else 0)


@pytest.mark.parametrize("who", WHO)
def test_my_learning_is_for_members(client_for, people, who):
    response = client_for(people[who]).get("/courses/mine/")
    if who == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/courses/"),
        ("post", "/courses/mine/"),
        ("get", "/courses/{course}/enrol/"),
        ("post", "/courses/{course}/"),
        ("get", "/courses/{course}/lessons/lesson-1-1/done/"),
        ("get", "/courses/{course}/lessons/lesson-1-1/progress/"),
    ],
)
def test_wrong_methods_are_refused(client_for, learner, course, method, path):
    client = client_for(learner)
    url = path.format(course=course.slug)
    response = client.post(url) if method == "post" else client.get(url)
    assert response.status_code == 405


# --- Enrolment ----------------------------------------------------------------------------------


def test_a_visitor_is_asked_to_sign_in_and_a_member_enrols_in_one_click(client_for, outsider, course):
    page = client_for(None).get(f"/courses/{course.slug}/").content.decode()
    assert "Sign in to enrol" in page and "Enrol for free" not in page
    client = client_for(outsider)
    assert "Enrol for free" in client.get(f"/courses/{course.slug}/").content.decode()
    response = client.post(f"/courses/{course.slug}/enrol/")
    assert response.status_code == 302 and response["Location"] == lessons_of(course)[0].get_absolute_url()
    assert Enrolment.objects.filter(user=outsider, course=course, revoked_at__isnull=True).exists()
    page = client.get(f"/courses/{course.slug}/").content.decode()
    assert "Your progress" in page and "Continue" in page and "Enrol for free" not in page


def test_enrolling_twice_says_so_and_changes_nothing(client_for, learner, course, enrolment):
    client = client_for(learner)
    response = client.post(f"/courses/{course.slug}/enrol/", follow=True)
    assert "You are already enrolled in this course." in response.content.decode()
    assert Enrolment.objects.filter(user=learner).count() == 1


def test_a_paid_course_is_not_enrolled_for_free(client_for, outsider, instructor):
    course = make_course(owner=instructor, price="49.00")
    client = client_for(outsider)
    assert "Enrol for free" not in client.get(f"/courses/{course.slug}/").content.decode()
    response = client.post(f"/courses/{course.slug}/enrol/", follow=True)
    assert "sold in the shop" in response.content.decode()
    assert not Enrolment.objects.filter(user=outsider).exists()


def test_an_unknown_course_or_lesson_is_404(client_for, learner, course):
    client = client_for(learner)
    assert client.get("/courses/no-such-course/").status_code == 404
    assert client.get(f"/courses/{course.slug}/lessons/no-such-lesson/").status_code == 404
    assert client.post("/courses/no-such-course/enrol/").status_code == 404


# --- Lessons, done and progress -----------------------------------------------------------------


def test_marking_done_by_htmx_swaps_the_button_and_the_last_lesson_completes_the_course(
    client_for, learner, course, enrolment
):
    client = client_for(learner)
    *firsts, last = lessons_of(course)
    for lesson in firsts:
        client.post(f"{lesson.get_absolute_url()}done/")
    response = client.post(f"{last.get_absolute_url()}done/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="lesson-done"' in html and "<html" not in html
    assert "You completed the course." in html
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_a_locked_lesson_says_when_it_opens_and_its_done_button_is_refused(client_for, learner, course, enrolment):
    lesson = lessons_of(course)[1]
    Lesson.objects.filter(pk=lesson.pk).update(opens_after_days=10)
    client = client_for(learner)
    response = client.get(lesson.get_absolute_url())
    assert response.status_code == 403 and "This lesson is locked. Opens on" in response.content.decode()
    response = client.post(f"{lesson.get_absolute_url()}done/", headers={"HX-Request": "true"})
    assert response.status_code == 422 and "Opens on" in response.content.decode()
    assert not LessonProgress.objects.exists()
    landing = client.get(f"/courses/{course.slug}/").content.decode()
    assert "Opens on" in landing  # the outline says why beside the lesson


def test_a_videos_progress_is_kept_and_bad_figures_are_refused(client_for, learner, instructor):
    course = make_course(owner=instructor, kind=Lesson.Kind.VIDEO, lessons=1)
    enrol(learner, course)
    url = f"{lessons_of(course)[0].get_absolute_url()}progress/"
    client = client_for(learner)
    assert client.post(url, {"position": 30, "watched": 40}).json() == {"completed": False}
    response = client.post(url, {"position": "soon"})
    assert response.status_code == 422 and "position in seconds" in response.json()["detail"]
    assert client.post(url, {"position": 61, "watched": 95}).json() == {"completed": True}
    row = LessonProgress.objects.get()
    assert row.position_seconds == 61 and row.completed_at is not None


def test_the_catalogue_filters_by_level_and_words_and_htmx_gets_the_results_alone(client, instructor):
    make_course(owner=instructor, title="Glazes for beginners", level=Course.Level.BEGINNER)
    make_course(owner=instructor, title="Advanced kilns", level=Course.Level.ADVANCED)
    make_course(owner=instructor, title="Hidden", live=False)
    page = client.get("/courses/").content.decode()
    assert "Glazes for beginners" in page and "Advanced kilns" in page and "Hidden" not in page
    response = client.get("/courses/?level=beginner&q=glaze", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="results"' in html and "<html" not in html
    assert "Glazes for beginners" in html and "Advanced kilns" not in html
    assert "1 course match" in client.get("/courses/?q=kilns").content.decode()


def test_my_learning_lists_progress_and_continue_leads_on(client_for, learner, course, enrolment):
    client = client_for(learner)
    first, second, _ = lessons_of(course)
    client.post(f"{first.get_absolute_url()}done/")
    page = client.get("/courses/mine/").content.decode()
    assert course.title in page and "33%" in page
    response = client.get(f"/courses/{course.slug}/continue/")
    assert response.status_code == 302 and response["Location"] == second.get_absolute_url()


# --- Query counts -------------------------------------------------------------------------------


def test_the_catalogue_costs_the_same_however_many_courses(
    client_for, learner, instructor, django_assert_max_num_queries
):
    client = client_for(learner)
    for _ in range(3):
        make_course(owner=instructor)
    client.get("/courses/")
    with django_assert_max_num_queries(8) as few:
        client.get("/courses/")
    for _ in range(6):
        make_course(owner=instructor)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/courses/").content.decode().count("card--course") == 9


def test_a_landing_page_and_a_lesson_cost_the_same_however_long_the_course(
    client_for, learner, instructor, django_assert_max_num_queries
):
    short = make_course(owner=instructor, lessons=2)
    long = make_course(owner=instructor, lessons=8, sections=3)
    client = client_for(learner)
    for course in (short, long):
        enrol(learner, course)
    counts = {}
    for course in (short, long):
        client.get(f"/courses/{course.slug}/")
        with django_assert_max_num_queries(20) as landing:
            client.get(f"/courses/{course.slug}/")
        # 20, and the presence policy's two (blocks, audiences) for "instructor online".
        with django_assert_max_num_queries(22) as lesson:
            assert client.get(lessons_of(course)[1].get_absolute_url()).status_code == 200
        counts[course.pk] = (len(landing.captured_queries), len(lesson.captured_queries))
    assert counts[short.pk] == counts[long.pk]
