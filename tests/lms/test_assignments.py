"""Assignments: settings and rubric, hand-ins (text, files checked by extension, size and
content), due dates and late work, resubmission, and the lesson page's part with its permission
matrix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from apps.core.notifications.models import Notification
from apps.lms.models import Assignment, Enrolment, Lesson, LessonProgress, Submission
from apps.lms.notifications import ASSIGNMENT_SUBMITTED
from apps.lms.services import assignments, learning
from tests.core.factories import UserFactory
from tests.lms.factories import PDF_BYTES, enrol, lessons_of, make_assignment, make_course, png_bytes, submit
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
    return make_assignment(course, submission_type=Assignment.SubmissionType.BOTH, allowed_extensions=["pdf", "png"])


def _lesson(assignment: Assignment) -> Lesson:
    return Lesson.objects.select_related("course").get(pk=assignment.lesson_id)


# --- Settings and rubric --------------------------------------------------------------------------


def test_instructors_set_an_assignment_and_its_rubric_sets_its_points(course, instructor, co_instructor):
    lesson = lessons_of(course)[0]
    Lesson.objects.filter(pk=lesson.pk).update(kind=Lesson.Kind.ASSIGNMENT)
    lesson.refresh_from_db()
    settings = assignments.AssignmentSettings(
        submission_type="file", allowed_extensions=(".PDF", "png"), max_file_mb=5, points=40
    )
    assignment = assignments.assignment_settings_set(actor=instructor, lesson=lesson, settings=settings)
    assert (assignment.allowed_extensions, assignment.points) == (["pdf", "png"], 40)
    criteria = [assignments.CriterionInput("Glaze fit", 10), assignments.CriterionInput("Colour", 15, "Even?")]
    rows = assignments.rubric_set(actor=co_instructor, assignment=assignment, criteria=criteria)
    assert [(row.title, row.max_points, row.position) for row in rows] == [("Glaze fit", 10, 1), ("Colour", 15, 2)]
    assert Assignment.objects.get(pk=assignment.pk).points == 25


def test_only_who_teaches_sets_an_assignment_and_only_on_an_assignment_lesson(course, other_instructor, instructor):
    lesson = lessons_of(course)[0]
    with pytest.raises(PermissionDenied):
        assignments.assignment_settings_set(
            actor=other_instructor, lesson=lesson, settings=assignments.AssignmentSettings()
        )
    with pytest.raises(ValidationError):
        assignments.assignment_settings_set(actor=instructor, lesson=lesson, settings=assignments.AssignmentSettings())
    Lesson.objects.filter(pk=lesson.pk).update(kind=Lesson.Kind.ASSIGNMENT)
    lesson.refresh_from_db()
    with pytest.raises(ValidationError):
        assignments.assignment_settings_set(
            actor=instructor, lesson=lesson, settings=assignments.AssignmentSettings(allowed_extensions=("exe",))
        )
    assert not Assignment.objects.exists()


# --- Hand-ins -----------------------------------------------------------------------------------


def test_a_learner_hands_in_text_and_a_pdf_stored_under_a_random_name(
    enrolment, assignment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit(enrolment, assignment, file=SimpleUploadedFile("../../My tiles.pdf", PDF_BYTES))
    assert (submission.number, submission.is_late, submission.status) == (1, False, "submitted")
    assert submission.file_name == "My tiles.pdf"
    assert "tiles" not in submission.file.name and submission.file.name.endswith(".pdf")
    assert submission.file.read() == PDF_BYTES
    # Who teaches the course hears of it.
    told = set(Notification.objects.filter(kind=ASSIGNMENT_SUBMITTED).values_list("recipient_id", flat=True))
    course = assignment.lesson.course
    assert told == {course.owner_id, *course.co_instructors.values_list("user_id", flat=True)}


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("tiles.exe", b"MZ\x90\x00", "bad_extension"),
        ("tiles.docx", b"PK\x03\x04", "bad_extension"),  # not among this assignment's extensions
        ("tiles.pdf", b"MZ\x90\x00 an executable named as a PDF", "bad_content"),
        ("tiles.png", PDF_BYTES, "bad_content"),
        ("tiles.pdf", b"", "empty_file"),
        ("tiles", PDF_BYTES, "bad_extension"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_stored(enrolment, assignment, name, content, code):
    with pytest.raises(ValidationError) as refused:
        submit(enrolment, assignment, text="", file=SimpleUploadedFile(name, content))
    assert refused.value.error_dict["file"][0].code == code
    assert not Submission.objects.exists()


def test_a_file_larger_than_the_assignment_takes_is_refused(enrolment, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(max_file_mb=1)
    assignment.refresh_from_db()
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError, match="at most 1 MB"):
        submit(enrolment, assignment, text="", file=big)
    assert not Submission.objects.exists()


def test_an_image_is_taken_by_its_content(enrolment, assignment):
    submission = submit(enrolment, assignment, text="", file=SimpleUploadedFile("tile.png", png_bytes()))
    assert submission.file.name.endswith(".png")


def test_text_only_and_file_only_assignments_refuse_the_other(enrolment, course):
    assignment = make_assignment(course, submission_type=Assignment.SubmissionType.TEXT)
    with pytest.raises(ValidationError):
        submit(enrolment, assignment, text="", file=SimpleUploadedFile("a.pdf", PDF_BYTES))
    with pytest.raises(ValidationError):
        submit(enrolment, assignment, text="   ")
    assert not Submission.objects.exists()


def test_work_after_the_due_date_is_marked_late_or_refused_when_the_assignment_says_so(enrolment, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assignment.refresh_from_db()
    assert submit(enrolment, assignment).is_late
    Submission.objects.all().delete()
    Assignment.objects.filter(pk=assignment.pk).update(accept_late=False)
    assignment.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        submit(enrolment, assignment)
    assert refused.value.code == "past_due"
    assert not Submission.objects.exists()


def test_a_due_date_relative_to_enrolment_counts_from_the_learners_enrolment(enrolment, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(due_after_days=3)
    type(enrolment).objects.filter(pk=enrolment.pk).update(enrolled_at=timezone.now() - timedelta(days=4))
    enrolment.refresh_from_db()
    assignment.refresh_from_db()
    assert submit(enrolment, assignment).is_late


def test_a_second_try_needs_resubmission_allowed_or_the_first_returned(enrolment, assignment, instructor):
    first = submit(enrolment, assignment)
    with pytest.raises(ValidationError) as refused:
        submit(enrolment, assignment)
    assert refused.value.code == "already_submitted"
    assignments.submission_grade(
        actor=instructor,
        submission=first,
        data=assignments.GradeInput(scores={}, total=20, feedback="Fire it hotter.", return_it=True),
    )
    second = submit(enrolment, assignment)
    assert second.number == 2 and second.is_latest
    assert not Submission.objects.get(pk=first.pk).is_latest
    Assignment.objects.filter(pk=assignment.pk).update(allow_resubmission=True)
    assignment.refresh_from_db()
    assert submit(enrolment, assignment).number == 3
    assert Submission.objects.filter(is_latest=True).count() == 1


def test_only_an_enrolled_learner_with_the_lesson_open_hands_in(assignment, outsider, instructor, enrolment, course):
    lesson = _lesson(assignment)
    with pytest.raises(PermissionDenied):
        assignments.submission_create(user=outsider, enrolment=None, lesson=lesson, text="Hi")
    with pytest.raises(PermissionDenied):  # a teacher, with someone else's enrolment
        assignments.submission_create(user=instructor, enrolment=enrolment, lesson=lesson, text="Hi")
    Lesson.objects.filter(pk=lesson.pk).update(opens_at=timezone.now() + timedelta(days=2))
    lesson.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        assignments.submission_create(user=enrolment.user, enrolment=enrolment, lesson=lesson, text="Hi")
    assert refused.value.code == "lesson_locked"
    assert not Submission.objects.exists()


def test_an_assignment_lesson_is_not_marked_done_by_its_learner(enrolment, assignment):
    with pytest.raises(ValidationError):
        learning.lesson_complete(user=enrolment.user, enrolment=enrolment, lesson=_lesson(assignment))
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()


# --- The lesson's page ----------------------------------------------------------------------------


def test_the_learner_sees_the_due_date_hands_in_with_htmx_and_sees_the_try(client_for, learner, enrolment, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() + timedelta(days=3))
    client = client_for(learner)
    page = client.get(assignment.lesson.get_absolute_url())
    assert page.status_code == 200
    assert b"Your assignment" in page.content and b"Due " in page.content and b"Mark as done" not in page.content
    url = f"{assignment.lesson.get_absolute_url()}submit/"
    response = client.post(
        url, {"text": "Cone 6, slow cool.", "file": SimpleUploadedFile("t.pdf", PDF_BYTES)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"Handed in" in response.content and b"Try 1" in response.content and b"<html" not in response.content
    assert Submission.objects.get().text == "Cone 6, slow cool."


def test_a_bad_hand_in_answers_422_with_the_form_and_changes_nothing(client_for, learner, enrolment, assignment):
    url = f"{assignment.lesson.get_absolute_url()}submit/"
    response = client_for(learner).post(
        url, {"file": SimpleUploadedFile("t.pdf", b"not a pdf")}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422 and b"content is not a .pdf" in response.content
    assert not Submission.objects.exists()


def test_without_htmx_a_hand_in_redirects_to_the_lesson(client_for, learner, enrolment, assignment):
    response = client_for(learner).post(f"{assignment.lesson.get_absolute_url()}submit/", {"text": "Done."})
    assert response.status_code == 302 and response["Location"] == assignment.lesson.get_absolute_url()


@pytest.mark.parametrize("who", WHO)
def test_handing_in_is_for_the_enrolled_learner_alone(client_for, people, assignment, who):
    response = client_for(people[who]).post(f"{assignment.lesson.get_absolute_url()}submit/", {"text": "Mine."})
    expected = {"learner": 302, "anonymous": 302}.get(who, 403)
    assert response.status_code == expected
    assert Submission.objects.count() == (1 if who == "learner" else 0)


def test_handing_in_answers_405_to_a_get(client_for, learner, enrolment, assignment):
    assert client_for(learner).get(f"{assignment.lesson.get_absolute_url()}submit/").status_code == 405


@pytest.mark.parametrize("who", WHO)
def test_a_submitted_file_is_served_to_its_learner_and_teachers_only(client_for, people, enrolment, assignment, who):
    submission = submit(enrolment, assignment, text="", file=SimpleUploadedFile("mine.pdf", PDF_BYTES))
    response = client_for(people[who]).get(f"/courses/manage/submissions/{submission.pk}/file/")
    expected = {"anonymous": 302, "other_instructor": 404, "outsider": 404}.get(who, 200)
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Type"] == "application/pdf"
        assert 'attachment; filename="mine.pdf"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_the_assignment_part_costs_a_fixed_number_of_queries(
    client_for, learner, enrolment, assignment, instructor, django_assert_max_num_queries
):
    client = client_for(learner)
    client.get(assignment.lesson.get_absolute_url())
    # 20, and the presence policy's two (blocks, audiences) for "instructor online".
    with django_assert_max_num_queries(22) as few:
        client.get(assignment.lesson.get_absolute_url())
    Assignment.objects.filter(pk=assignment.pk).update(allow_resubmission=True)
    for _ in range(4):
        submit(enrolment, assignment)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(assignment.lesson.get_absolute_url()).status_code == 200


# --- The settings page --------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_who_opens_and_saves_an_assignments_settings(client_for, people, course, who):
    lesson = lessons_of(course)[0]
    Lesson.objects.filter(pk=lesson.pk).update(kind=Lesson.Kind.ASSIGNMENT)
    url = f"/courses/manage/lessons/{lesson.pk}/assignment/"
    client = client_for(people[who])
    allowed = who in ("owner", "co_instructor", "admin")
    assert client.get(url).status_code == (200 if allowed else 302 if who == "anonymous" else 404)
    data = {
        "submission_type": "both",
        "allowed_extensions": ["pdf", "png"],
        "max_file_mb": 5,
        "due_after_days": 14,
        "accept_late": "on",
        "points": 100,
        "rubric": "10 | Tiles | Even thickness\n15 | Glaze",
    }
    response = client.post(url, data)
    assert response.status_code == (302 if allowed or who == "anonymous" else 404)
    assert Assignment.objects.exists() == allowed
    if allowed:
        assignment = Assignment.objects.get()
        assert (assignment.points, assignment.due_after_days, assignment.allowed_extensions) == (25, 14, ["pdf", "png"])
        assert [(c.title, c.description) for c in assignment.criteria.order_by("position")] == [
            ("Tiles", "Even thickness"),
            ("Glaze", ""),
        ]
        assert "10 | Tiles | Even thickness" in client.get(url).content.decode()


def test_a_bad_rubric_line_is_a_form_error_and_saves_nothing(client_for, instructor, course):
    lesson = lessons_of(course)[0]
    Lesson.objects.filter(pk=lesson.pk).update(kind=Lesson.Kind.ASSIGNMENT)
    data = {"submission_type": "text", "max_file_mb": 5, "points": 10, "rubric": "lots | Tiles"}
    response = client_for(instructor).post(f"/courses/manage/lessons/{lesson.pk}/assignment/", data)
    assert response.status_code == 422 and "start with the points" in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_lesson_that_is_no_assignment_has_no_settings_page(client_for, instructor, course):
    lesson = lessons_of(course)[0]
    assert client_for(instructor).get(f"/courses/manage/lessons/{lesson.pk}/assignment/").status_code == 404


def test_who_teaches_finds_the_settings_queue_and_gradebook_from_the_lesson(client_for, instructor, assignment):
    page = client_for(instructor).get(assignment.lesson.get_absolute_url()).content.decode()
    assert f"/courses/manage/lessons/{assignment.lesson_id}/assignment/" in page
    assert "/courses/manage/grading/" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the races run on PostgreSQL (CI does)")
@pytest.mark.django_db(transaction=True)
def test_two_hand_ins_at_once_take_two_numbers_and_one_is_the_newest():
    learner = UserFactory(roles=["student"])
    course = make_course(lessons=1)
    assignment = make_assignment(course, allow_resubmission=True)
    enrolment = enrol(learner, course)

    def hand_in(index: int) -> int:
        return submit(Enrolment.objects.get(pk=enrolment.pk), assignment, text=f"Try {index}").number

    results = race(hand_in, times=4)
    assert sorted(results) == [1, 2, 3, 4], results
    assert Submission.objects.filter(is_latest=True).get().number == 4
