"""Grading: the rubric's points, completion at the pass mark, returns, conflicts between graders
(and their race on PostgreSQL), the grading queue and a submission's page with their permission
matrix and flat queries, and the instructor home's "Grading queue" panel."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client

from apps.core.notifications.models import Notification
from apps.lms.models import Assignment, LessonProgress, Review, Submission
from apps.lms.notifications import ASSIGNMENT_GRADED
from apps.lms.services import assignments
from tests.core.factories import UserFactory
from tests.lms.factories import enrol, make_assignment, make_course, submit
from tests.utils import race

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


@pytest.fixture
def assignment(course):
    return make_assignment(course, criteria=(10, 20, 10), allow_resubmission=True)


@pytest.fixture
def submission(enrolment, assignment):
    return submit(enrolment, assignment)


def _grade(actor, submission, scores=(8, 16, 8), **fields) -> Review:
    criteria = list(submission.assignment.criteria.order_by("position"))
    data = assignments.GradeInput(scores={c.pk: s for c, s in zip(criteria, scores, strict=True)}, **fields)
    return assignments.submission_grade(actor=actor, submission=submission, data=data)


# --- The service ------------------------------------------------------------------------------


def test_a_grade_sums_the_rubric_tells_the_learner_and_completes_the_lesson_at_the_pass_mark(
    submission, co_instructor, learner
):
    review = _grade(co_instructor, submission, feedback="Even glaze.")
    assert (review.total, review.points, review.percent, review.version) == (Decimal("32"), 40, Decimal("80.00"), 1)
    assert Submission.objects.get(pk=submission.pk).status == "graded"
    assert LessonProgress.objects.get(lesson_id=submission.assignment.lesson_id).completed_at is not None
    note = Notification.objects.get(kind=ASSIGNMENT_GRADED, recipient=learner)
    assert note.target_url == submission.assignment.lesson.get_absolute_url()


def test_a_grade_below_the_pass_mark_does_not_complete_the_lesson(submission, instructor):
    _grade(instructor, submission, scores=(2, 4, 2))
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()


@pytest.mark.parametrize("scores", [(11, 0, 0), (-1, 0, 0), ("many", 0, 0), (None, 5, 5)])
def test_points_outside_a_criterion_or_missing_are_refused_and_nothing_changes(submission, instructor, scores):
    with pytest.raises(ValidationError):
        _grade(instructor, submission, scores=scores)
    assert not Review.objects.exists() and Submission.objects.get(pk=submission.pk).status == "submitted"


def test_without_a_rubric_the_total_is_within_the_assignments_points(enrolment, course, instructor):
    assignment = make_assignment(course, points=50)
    submission = submit(enrolment, assignment)
    with pytest.raises(ValidationError):
        assignments.submission_grade(
            actor=instructor, submission=submission, data=assignments.GradeInput(scores={}, total="50.5")
        )
    review = assignments.submission_grade(
        actor=instructor, submission=submission, data=assignments.GradeInput(scores={}, total="25")
    )
    assert review.percent == Decimal("50.00")


def test_only_who_teaches_the_course_grades(submission, other_instructor, learner, admin):
    for actor in (other_instructor, learner):
        with pytest.raises(PermissionDenied):
            _grade(actor, submission)
    assert _grade(admin, submission).grader == admin


def test_a_return_needs_feedback_and_opens_another_try(submission, instructor, enrolment):
    Assignment.objects.filter(pk=submission.assignment_id).update(allow_resubmission=False)
    with pytest.raises(ValidationError):
        _grade(instructor, submission, return_it=True)
    _grade(instructor, submission, return_it=True, feedback="Thicker, please.")
    assert Submission.objects.get(pk=submission.pk).status == "returned"
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
    submission.assignment.refresh_from_db()
    assert submit(enrolment, submission.assignment).number == 2


def test_a_second_grader_who_read_the_older_state_gets_a_conflict_not_an_overwrite(
    submission, instructor, co_instructor
):
    _grade(instructor, submission, scores=(10, 20, 10))
    with pytest.raises(ValidationError) as conflict:
        _grade(co_instructor, submission, scores=(0, 0, 0), based_on=0)
    assert (
        conflict.value.code == "grade_conflict"
        and "Ines Instructor graded this submission" in conflict.value.messages[0]
    )
    assert Review.objects.get().total == 40
    # Regrading with the version one read is fine.
    assert _grade(co_instructor, submission, scores=(5, 5, 5), based_on=1).version == 2


def test_an_older_try_is_not_graded_once_a_newer_one_exists(submission, instructor, enrolment):
    submit(enrolment, submission.assignment)
    with pytest.raises(ValidationError) as conflict:
        _grade(instructor, submission)
    assert conflict.value.code == "grade_conflict"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the races run on PostgreSQL (CI does)")
@pytest.mark.django_db(transaction=True)
def test_two_graders_at_once_one_grades_and_the_other_sees_the_conflict():
    owner = UserFactory(roles=["instructor"])
    learner = UserFactory(roles=["student"])
    course = make_course(owner=owner, lessons=1)
    assignment = make_assignment(course, criteria=(10,))
    submission = submit(enrol(learner, course), assignment)
    criterion = assignment.criteria.get()

    def grade(index: int) -> int:
        fresh = Submission.objects.select_related("assignment__lesson__course").get(pk=submission.pk)
        data = assignments.GradeInput(scores={criterion.pk: index % 10})
        return assignments.submission_grade(actor=owner, submission=fresh, data=data).version

    results = race(grade, times=6)
    assert [result for result in results if isinstance(result, int)] == [1]
    assert all(getattr(result, "code", "") == "grade_conflict" for result in results if not isinstance(result, int))
    assert Review.objects.get().version == 1


# --- The queue and the grading page ---------------------------------------------------------------


def test_the_queue_lists_ungraded_newest_tries_oldest_first_and_only_of_courses_one_teaches(
    client_for, course, assignment, enrolment, instructor, other_instructor, admin, user_with_role
):
    other = user_with_role("student", display_name="Bo Second")
    first = submit(enrolment, assignment)
    second = submit(enrol(other, course), assignment)
    graded = submit(enrolment, assignment)  # a newer try replaces the first in the queue
    elsewhere = make_course(owner=other_instructor, lessons=1)
    foreign = submit(enrol(other, elsewhere), make_assignment(elsewhere))
    page = client_for(instructor).get("/courses/manage/grading/").content.decode()
    assert "Bo Second" in page and f"/courses/manage/grading/{second.pk}/" in page
    assert f"/courses/manage/grading/{first.pk}/" not in page and f"/courses/manage/grading/{foreign.pk}/" not in page
    assert page.index(f"grading/{second.pk}/") < page.index(f"grading/{graded.pk}/")
    assert f"grading/{foreign.pk}/" in client_for(admin).get("/courses/manage/grading/").content.decode()


@pytest.mark.parametrize("who", WHO)
def test_who_opens_the_grading_queue(client_for, people, who):
    expected = {"learner": 403, "outsider": 403, "anonymous": 302}.get(who, 200)
    assert client_for(people[who]).get("/courses/manage/grading/").status_code == expected


@pytest.mark.parametrize("who", WHO)
def test_who_opens_and_grades_a_submission(client_for, people, submission, who):
    url = f"/courses/manage/grading/{submission.pk}/"
    expected = {"learner": 403, "outsider": 403, "anonymous": 302, "other_instructor": 404}.get(who, 200)
    assert client_for(people[who]).get(url).status_code == expected
    criteria = list(submission.assignment.criteria.order_by("position"))
    data = {f"criterion_{c.pk}": 5 for c in criteria} | {"feedback": "Fine.", "based_on": 0}
    response = client_for(people[who]).post(url, data)
    assert response.status_code == (302 if expected == 200 else expected)
    assert Review.objects.exists() == (expected == 200)


def test_the_grading_page_shows_the_rubric_and_answers_409_on_a_conflict(client_for, submission, instructor):
    client = client_for(instructor)
    page = client.get(f"/courses/manage/grading/{submission.pk}/").content.decode()
    assert "Criterion 1 (out of 10)" in page and "My answer." in page
    _grade(instructor, submission)
    criteria = list(submission.assignment.criteria.order_by("position"))
    data = {f"criterion_{c.pk}": 1 for c in criteria} | {"based_on": 0}
    response = client.post(f"/courses/manage/grading/{submission.pk}/", data)
    assert response.status_code == 409 and "while you had it open" in response.content.decode()
    bad = client.post(f"/courses/manage/grading/{submission.pk}/", {f"criterion_{criteria[0].pk}": 99, "based_on": 1})
    assert bad.status_code == 422 and Review.objects.get().version == 1


def test_the_queue_costs_the_same_however_many_submissions(
    client_for, course, assignment, instructor, user_with_role, django_assert_max_num_queries
):
    client = client_for(instructor)
    submit(enrol(user_with_role("student"), course), assignment)
    client.get("/courses/manage/grading/")
    with django_assert_max_num_queries(20) as few:
        client.get("/courses/manage/grading/")
    for n in range(5):
        submit(enrol(user_with_role("student", display_name=f"L{n}"), course), assignment)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/courses/manage/grading/").status_code == 200


def test_the_instructors_home_has_the_grading_queue_panel(client_for, submission, instructor, other_instructor):
    page = client_for(instructor).get("/dashboard/instructor/").content.decode()
    assert "Grading queue" in page and "1 submission to grade" in page
    assert f"/courses/manage/grading/{submission.pk}/" in page
    other = client_for(other_instructor).get("/dashboard/instructor/").content.decode()
    assert "Nothing waits for a grade" in other


def test_hand_ins_and_grades_are_in_the_activity_log(submission, instructor):
    from apps.core.models import OutboxEvent

    _grade(instructor, submission)
    names = list(OutboxEvent.objects.filter(name__startswith="lms.").values_list("name", flat=True))
    assert "lms.assignment_submitted" in names and "lms.submission_graded" in names
