"""The LMS's demo: instructor@test.com's three courses through the services (once, however often
it runs), generated videos that play, and student@test.com's progress and finished course."""

from __future__ import annotations

import pytest

from apps.commerce.services import sellables
from apps.core.comments import Comment
from apps.lms import demo, reviews, selectors, video
from apps.lms.comments import LESSON_KIND
from apps.lms.models import Assignment, Cohort, Course, Enrolment, GradeCategory, Lesson, LessonProgress, Quiz
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_people(db):
    return (
        UserFactory(email=demo.INSTRUCTOR_EMAIL, roles=["instructor"]),
        UserFactory(email=demo.STUDENT_EMAIL, roles=["student"]),
        UserFactory(email=demo.STAFF_EMAIL, roles=["admin"]),
    )


def _counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Course, Lesson, Cohort, Enrolment, LessonProgress, Quiz))


def test_the_demo_seeds_three_courses_and_the_learners_progress_once(demo_people):
    instructor, student, _ = demo_people
    demo.seed_demo(write=lambda line: None)
    first = _counts()
    demo.seed_demo(write=lambda line: None)
    assert _counts() == first
    courses = {course.slug: course for course in Course.objects.filter(live=True)}
    assert set(courses) == {"wheel-thrown-pottery", "glazes-and-firing", "studio-safety"}
    assert all(course.owner == instructor and not course.has_unpublished_changes for course in courses.values())
    assert courses["glazes-and-firing"].price == 49 and courses["wheel-thrown-pottery"].is_free
    assert courses["glazes-and-firing"].cohorts.get().seats == 12
    # The paid course sells seats of its cohort in the shop (not places of its own).
    seat = sellables.sellable_get(app="lms", kind="seat", ref_id=courses["glazes-and-firing"].cohorts.get().pk)
    assert seat.live and seat.variants.get().price.amount == 49 and seat.variants.get().stock.quantity == 12
    assert not sellables.sellable_get(app="lms", kind="course", ref_id=courses["glazes-and-firing"].pk).live
    tiles = Assignment.objects.get(lesson__course=courses["glazes-and-firing"])
    assert tiles.lesson.kind == Lesson.Kind.ASSIGNMENT and tiles.lesson.live
    assert [(c.title, c.max_points) for c in tiles.criteria.order_by("position")] == [
        ("Tile preparation", 10),
        ("Glaze application", 15),
        ("Firing notes", 10),
    ]
    assert tiles.points == 35 and tiles.due_after_days == 21
    categories = GradeCategory.objects.filter(course=courses["glazes-and-firing"]).order_by("position")
    assert [(c.source, c.weight) for c in categories] == [("quizzes", 40), ("assignments", 60)]
    quiz = Quiz.objects.get(lesson__course=courses["glazes-and-firing"], lesson__live=True)
    kinds = list(quiz.questions.order_by("items__position").values_list("kind", flat=True))
    assert kinds == ["single", "multiple", "short_text", "numeric", "ordering"]
    assert quiz.time_limit_seconds == 600 and quiz.attempts_allowed == 3
    pottery = selectors.lessons_in_order(selectors.outline(courses["wheel-thrown-pottery"]))
    assert [lesson.kind for lesson in pottery].count(Lesson.Kind.VIDEO) == 1 and pottery[0].is_preview
    assert pottery[-1].opens_after_days == 7
    clip = next(lesson for lesson in pottery if lesson.kind == Lesson.Kind.VIDEO)
    with clip.video.open("rb") as stored:
        assert video.probe(stored).seconds == pytest.approx(8, abs=0.5)
    rows = {row.enrolment.course.slug: row for row in selectors.my_learning(student)}
    assert rows["wheel-thrown-pottery"].progress.done == 1
    assert LessonProgress.objects.get(enrolment__user=student, lesson=clip).watched_percent == 50
    finished = Enrolment.objects.get(user=student, course=courses["studio-safety"])
    assert finished.completed_at is not None
    assert selectors.certificate_of(finished).is_valid  # issued with the completion
    assert [row["rating"] for row in reviews.reviews_of(courses["studio-safety"])] == [5]
    assert [item.title for item in pottery[0].attachments.all()] == ["Studio checklist"]
    thread = Comment.objects.filter(target_kind=LESSON_KIND, target_id=pottery[0].pk, status="approved")
    assert sorted(thread.values_list("author__email", flat=True)) == [demo.INSTRUCTOR_EMAIL, demo.STUDENT_EMAIL]


def test_the_demo_courses_pages_answer(demo_people, client):
    demo.seed_demo(write=lambda line: None)
    assert "Wheel-thrown pottery" in client.get("/courses/").content.decode()
    assert client.get("/courses/wheel-thrown-pottery/").status_code == 200
    preview = "/courses/wheel-thrown-pottery/lessons/welcome-to-the-studio/"
    assert client.get(preview).status_code == 200  # a free preview, for anyone
    assert "Join the Spring cohort — 12 seats left" in client.get("/courses/glazes-and-firing/").content.decode()
    client.force_login(demo_people[1])
    assert client.get("/courses/mine/").status_code == 200
