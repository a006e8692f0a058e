"""A lesson's questions and answers through core's comment engine: the course's people see and
write them, teachers' answers are marked, visitors of a free preview see none, and staff moderate
them in the platform's one queue."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.core.comments import services as comments
from apps.lms.comments import LESSON_KIND, can_discuss
from apps.lms.models import Lesson
from apps.lms.services import courses as course_services
from tests.lms.factories import enrol, lessons_of, make_course

pytestmark = pytest.mark.django_db

SEES = {"owner", "co_instructor", "learner", "admin"}


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    "who", ["owner", "co_instructor", "other_instructor", "learner", "outsider", "admin", "anonymous"]
)
def test_who_discusses_a_lesson(people, course, who):
    lesson = lessons_of(course)[0]
    Lesson.objects.filter(pk=lesson.pk).update(is_preview=True)  # visitors may read it, not its thread
    course_services.forget_course_pages()
    lesson.refresh_from_db()
    assert can_discuss(people[who], lesson) is (who in SEES)
    page = _client(people[who]).get(lesson.get_absolute_url())
    assert page.status_code == 200
    assert ("Questions and answers" in page.content.decode()) is (who in SEES)
    posted = _client(people[who]).post(
        f"/comments/on/{LESSON_KIND}/{lesson.pk}/", {"body": "Is slip the same as glaze?"}
    )
    if who in SEES:
        assert posted.status_code in (200, 201, 302)
    else:
        assert posted.status_code in (302, 403, 404) and not lesson_questions(lesson, people)


def lesson_questions(lesson, people):
    from apps.core.comments import Comment

    return list(Comment.objects.filter(target_kind=LESSON_KIND, target_id=lesson.pk))


def test_a_locked_lesson_or_an_ended_enrolment_has_no_discussion(course, learner, enrolment):
    lesson = lessons_of(course)[1]
    Lesson.objects.filter(pk=lesson.pk).update(opens_after_days=30)
    lesson.refresh_from_db()
    assert not can_discuss(learner, lesson)
    enrolment.revoked_at = enrolment.enrolled_at
    enrolment.save(update_fields=["revoked_at"])
    assert not can_discuss(learner, lessons_of(course)[0])


def test_a_teachers_answer_is_marked_and_staff_moderate_in_the_one_queue(course, learner, instructor, admin, enrolment):
    lesson = lessons_of(course)[0]
    question = comments.comment_create(author=learner, target=lesson, body="How wet should the clay be?")
    assert question.status == "pending"  # a reader's first comment waits for a moderator
    queue = _client(admin).get("/moderation/?domain=lms")
    assert queue.status_code == 200 and "How wet should the clay be?" in queue.content.decode()
    comments.comment_approve(comment=question, moderator=admin)
    answer = comments.comment_reply(author=instructor, parent=question, body="Like soft cheese.")
    assert answer.status == "approved"  # who teaches the course answers at once
    page = _client(learner).get(lesson.get_absolute_url()).content.decode()
    assert "How wet should the clay be?" in page and "Like soft cheese." in page
    assert page.count('badge--info">Instructor</span>') == 1  # the answer, not the question
    assert _client(instructor).get("/moderation/?domain=lms").status_code in (302, 403)


def test_the_courses_teachers_publish_at_once_and_no_one_else(course, instructor, co_instructor, user_with_role):
    lesson = lessons_of(course)[0]
    for teacher in (instructor, co_instructor):
        assert comments.comment_create(author=teacher, target=lesson, body="Welcome!").status == "approved"
    other = user_with_role("instructor")
    other_course = make_course(owner=other)
    # Teaching another course earns nothing here.
    assert not can_discuss(other, lesson)
    learner = user_with_role("student")
    enrol(learner, course)
    assert comments.comment_create(author=learner, target=lesson, body="Hello").status == "pending"
    assert comments.comment_create(author=other, target=lessons_of(other_course)[0], body="Hi").status == "approved"
