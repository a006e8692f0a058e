"""The gradebook: weighted categories over registered sources (a missing source counts as no
items), overrides with their append-only audit trail, pass or fail, the certificate a grade earns,
the page and its CSV export (streamed, formula-safe) with their permission matrix and flat
queries (the API: tests/lms/api/test_gradebook_api.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from apps.lms import grading
from apps.lms import selectors_gradebook as reads
from apps.lms.models import Certificate, GradeCategory, GradeOverride
from apps.lms.services import assignments, gradebook
from apps.lms.views.gradebook import csv_cell
from tests.lms.factories import complete_all, enrol, lessons_of, make_assignment, submit

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
def quiz_scores():
    """A "quizzes" source of the test's own in place of the quizzes' (which come back after it):
    the scores it answers, per enrolment id."""
    scores: dict[int, dict[int, Decimal]] = {}

    def source(course, enrolment_ids):
        return {pk: items for pk, items in scores.items() if pk in enrolment_ids}

    real = grading.source_of("quizzes")
    grading.register_source("quizzes", source)
    yield scores
    if real is None:
        grading.unregister_source("quizzes")
    else:
        grading.register_source("quizzes", real)


@pytest.fixture
def assignment(course):
    return make_assignment(course, points=100)


@pytest.fixture
def weighted(course, instructor):
    gradebook.grade_category_create(actor=instructor, course=course, name="Quizzes", weight=40, source="quizzes")
    gradebook.grade_category_create(
        actor=instructor, course=course, name="Assignments", weight=60, source="assignments"
    )
    return course


def _grade(actor, submission, total) -> None:
    assignments.submission_grade(
        actor=actor, submission=submission, data=assignments.GradeInput(scores={}, total=total)
    )


def _row(course, enrolment):
    return reads.grade_rows(course, [enrolment], reads.categories_of(course))[0]


# --- The maths ------------------------------------------------------------------------------------


def test_the_grade_is_the_weighted_mean_of_the_category_averages(
    weighted, enrolment, assignment, instructor, quiz_scores
):
    quiz_scores[enrolment.pk] = {1: Decimal("80"), 2: Decimal("60")}
    _grade(instructor, submit(enrolment, assignment), 90)
    row = _row(weighted, enrolment)
    assert list(row.averages.values()) == [Decimal("70.00"), Decimal("90.00")]
    assert row.computed == Decimal("82.00") and row.final == Decimal("82.00") and row.passed is True


def test_each_item_counts_once_in_its_categorys_average(weighted, enrolment, course, instructor, quiz_scores):
    first = make_assignment(course, lesson=lessons_of(course)[0], points=10)
    second = make_assignment(course, lesson=lessons_of(course)[1], points=40)
    _grade(instructor, submit(enrolment, first), 5)  # 50%
    _grade(instructor, submit(enrolment, second), 40)  # 100%
    assert _row(weighted, enrolment).averages[reads.categories_of(weighted)[1].pk] == Decimal("75.00")


def test_a_missing_source_or_a_category_without_items_is_left_out(weighted, enrolment, assignment, instructor):
    _grade(instructor, submit(enrolment, assignment), 45)
    row = _row(weighted, enrolment)  # no "quizzes" source registered
    assert row.computed == Decimal("45.00") and row.passed is False


def test_no_graded_item_means_no_grade_yet(weighted, enrolment, assignment, quiz_scores):
    submit(enrolment, assignment)  # waiting for a grade: does not count
    row = _row(weighted, enrolment)
    assert (row.computed, row.final, row.passed) == (None, None, None)


def test_the_newest_graded_try_counts(weighted, enrolment, course, instructor):
    homework = make_assignment(course, points=100, allow_resubmission=True)
    _grade(instructor, submit(enrolment, homework), 40)
    _grade(instructor, submit(enrolment, homework), 70)
    assert _row(weighted, enrolment).computed == Decimal("70.00")


def test_weighted_grade_leaves_out_categories_without_an_average():
    a = GradeCategory(pk=1, weight=Decimal("1"))
    b = GradeCategory(pk=2, weight=Decimal("3"))
    assert reads.weighted_grade([a, b], {1: Decimal("100"), 2: Decimal("0")}) == Decimal("25.00")
    assert reads.weighted_grade([a, b], {1: None, 2: Decimal("10")}) == Decimal("10.00")
    assert reads.weighted_grade([a, b], {}) is None


# --- Categories -----------------------------------------------------------------------------------


def test_categories_need_a_name_a_positive_weight_a_known_source_and_one_per_source(
    weighted, instructor, other_instructor
):
    for fields in ({"name": "", "weight": 1}, {"name": "X", "weight": 0}, {"name": "X", "weight": "lots"}):
        with pytest.raises(ValidationError):
            gradebook.grade_category_create(actor=instructor, course=weighted, source="quizzes", **fields)
    with pytest.raises(ValidationError):
        gradebook.grade_category_create(actor=instructor, course=weighted, name="X", weight=1, source="essays")
    with pytest.raises(ValidationError):
        gradebook.grade_category_create(actor=instructor, course=weighted, name="Again", weight=1, source="quizzes")
    with pytest.raises(PermissionDenied):
        gradebook.grade_category_delete(actor=other_instructor, category=reads.categories_of(weighted)[0])
    assert GradeCategory.objects.count() == 2


# --- Overrides and their audit trail -------------------------------------------------------------


def test_overrides_replace_the_grade_and_are_kept_as_an_append_only_trail(
    weighted, enrolment, assignment, instructor, co_instructor
):
    _grade(instructor, submit(enrolment, assignment), 50)
    first = gradebook.grade_override(actor=instructor, enrolment=enrolment, grade="65", reason="Late penalty waived")
    second = gradebook.grade_override(actor=co_instructor, enrolment=enrolment, grade="70.5", reason="Re-marked tile 3")
    assert (first.old_grade, first.new_grade) == (Decimal("50.00"), Decimal("65.00"))
    assert (second.old_grade, second.new_grade, second.by) == (Decimal("65.00"), Decimal("70.50"), co_instructor)
    row = _row(weighted, enrolment)
    assert row.computed == Decimal("50.00") and row.final == Decimal("70.50") and row.passed is True
    assert [item.pk for item in row.overrides] == [second.pk, first.pk]


@pytest.mark.parametrize(("grade", "reason"), [("80", "  "), ("101", "Why"), ("-1", "Why"), ("abc", "Why")])
def test_an_override_needs_a_reason_and_a_percent(weighted, enrolment, instructor, grade, reason):
    with pytest.raises(ValidationError):
        gradebook.grade_override(actor=instructor, enrolment=enrolment, grade=grade, reason=reason)
    assert not GradeOverride.objects.exists()


def test_only_who_teaches_overrides(weighted, enrolment, other_instructor, learner):
    for actor in (other_instructor, learner):
        with pytest.raises(PermissionDenied):
            gradebook.grade_override(actor=actor, enrolment=enrolment, grade=90, reason="Please")


# --- The certificate a grade earns ---------------------------------------------------------------


def test_a_completed_learner_gets_the_certificate_when_a_later_grade_makes_them_pass(
    weighted, enrolment, learner, instructor, django_capture_on_commit_callbacks
):
    homework = make_assignment(weighted, points=100, allow_resubmission=True)
    for lesson in lessons_of(weighted)[:-1]:
        from apps.lms.services import learning

        learning.lesson_complete(user=learner, enrolment=enrolment, lesson=lesson)
    first = submit(enrolment, homework)
    _grade(instructor, first, 40)  # below the pass mark: the lesson stays open, no certificate
    assert not Certificate.objects.exists()
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
    _grade(instructor, submit(enrolment, homework), 85)
    certificate = Certificate.objects.get()
    assert certificate.grade == Decimal("85.00")


def test_completing_a_graded_course_without_a_passing_grade_issues_no_certificate_until_an_override(
    weighted, enrolment, learner, instructor
):
    complete_all(learner, weighted)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None and not Certificate.objects.exists()
    gradebook.grade_override(actor=instructor, enrolment=enrolment, grade="40", reason="Project missing")
    assert not Certificate.objects.exists()
    gradebook.grade_override(actor=instructor, enrolment=enrolment, grade="75", reason="Project received")
    assert Certificate.objects.get().grade == Decimal("75.00")


def test_a_course_without_categories_still_certifies_on_completion(course, enrolment, learner):
    complete_all(learner, course)
    assert Certificate.objects.get().grade is None


# --- The page, the CSV and the API ---------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_who_opens_the_gradebook_and_its_csv(client_for, people, weighted, who):
    expected = {"owner": 200, "co_instructor": 200, "admin": 200, "anonymous": 302}.get(who, 404)
    client = client_for(people[who])
    assert client.get(f"/courses/manage/{weighted.pk}/gradebook/").status_code == expected
    assert client.get(f"/courses/manage/{weighted.pk}/gradebook/export.csv").status_code == expected


@pytest.mark.parametrize("who", WHO)
def test_who_overrides_a_grade_and_adds_a_category_on_the_page(client_for, people, course, enrolment, who):
    client = client_for(people[who])
    allowed = who in ("owner", "co_instructor", "admin")
    added = client.post(
        f"/courses/manage/{course.pk}/gradebook/categories/", {"name": "Work", "weight": 1, "source": "assignments"}
    )
    assert added.status_code == (302 if allowed or who == "anonymous" else 404)
    assert GradeCategory.objects.exists() == allowed
    GradeCategory.objects.get_or_create(course=course, source="quizzes", defaults={"name": "Quizzes", "weight": 1})
    response = client.post(
        f"/courses/manage/{course.pk}/gradebook/overrides/", {"enrolment": enrolment.pk, "grade": 70, "reason": "Oral"}
    )
    assert response.status_code == (302 if allowed or who == "anonymous" else 404)
    assert GradeOverride.objects.exists() == allowed


def test_an_override_in_a_course_that_gives_no_grade_is_refused(course, enrolment, instructor):
    with pytest.raises(ValidationError) as refused:
        gradebook.grade_override(actor=instructor, enrolment=enrolment, grade=80, reason="Oral")
    assert refused.value.code == "no_grade" and not GradeOverride.objects.exists()


def test_the_page_shows_grades_pass_and_fail_and_the_audit_trail(
    client_for, weighted, enrolment, assignment, instructor, user_with_role
):
    _grade(instructor, submit(enrolment, assignment), 90)
    other = enrol(user_with_role("student", display_name="Fay Failing"), weighted)
    _grade(instructor, submit(other, assignment), 20)
    gradebook.grade_override(actor=instructor, enrolment=other, grade="30", reason="Partial credit")
    page = client_for(instructor).get(f"/courses/manage/{weighted.pk}/gradebook/").content.decode()
    assert "Lea Learner" in page and "90%" in page and "Pass" in page
    assert "Fay Failing" in page and "Fail" in page and "(overridden)" in page
    assert "from 20% to 30%: “Partial credit”" in page and "Ines Instructor set" in page


def test_the_page_costs_the_same_however_many_learners(
    client_for, weighted, assignment, instructor, user_with_role, quiz_scores, django_assert_max_num_queries
):
    client = client_for(instructor)
    url = f"/courses/manage/{weighted.pk}/gradebook/"
    first = enrol(user_with_role("student"), weighted)
    _grade(instructor, submit(first, assignment), 50)
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for n in range(6):
        enrolment = enrol(user_with_role("student", display_name=f"L{n}"), weighted)
        quiz_scores[enrolment.pk] = {1: Decimal(n * 10)}
        _grade(instructor, submit(enrolment, assignment), n * 10)
        gradebook.grade_override(actor=instructor, enrolment=enrolment, grade=n, reason="Because")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_csv_has_a_row_per_learner_a_column_per_category_and_is_formula_safe(
    client_for, weighted, enrolment, assignment, instructor, user_with_role, quiz_scores
):
    _grade(instructor, submit(enrolment, assignment), 90)
    quiz_scores[enrolment.pk] = {1: Decimal("70")}
    enrol(user_with_role("student", display_name='=HYPERLINK("http://x")'), weighted)
    response = client_for(instructor).get(f"/courses/manage/{weighted.pk}/gradebook/export.csv")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "Learner,Email,Quizzes (40),Assignments (60),Computed,Override,Final,Passed"
    assert len(lines) == 3
    learner_line = next(line for line in lines if line.startswith("Lea Learner"))
    assert learner_line.endswith(",70.00,90.00,82.00,,82.00,yes")
    assert any(line.startswith("\"'=HYPERLINK(") for line in lines)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(text):
    assert csv_cell(text) == f"'{text}"
    assert csv_cell("Ann") == "Ann" and csv_cell(None) == "" and csv_cell(Decimal("5.50")) == "5.50"


@pytest.mark.parametrize("who", WHO)
def test_who_removes_a_category(client_for, people, weighted, who):
    category = reads.categories_of(weighted)[0]
    response = client_for(people[who]).post(f"/courses/manage/{weighted.pk}/gradebook/categories/{category.pk}/delete/")
    allowed = who in ("owner", "co_instructor", "admin")
    assert response.status_code == (302 if allowed or who == "anonymous" else 404)
    assert GradeCategory.objects.filter(pk=category.pk).exists() != allowed


def test_the_gradebooks_writes_answer_405_to_a_get(client_for, weighted, instructor):
    client = client_for(instructor)
    assert client.get(f"/courses/manage/{weighted.pk}/gradebook/overrides/").status_code == 405
    assert client.get(f"/courses/manage/{weighted.pk}/gradebook/categories/").status_code == 405


def test_the_quizzes_feed_the_gradebook_through_their_registered_source():
    from apps.lms import selectors_quizzes

    assert grading.source_of("quizzes") is selectors_quizzes.quiz_best_scores
    assert grading.source_of("assignments") is not None
