"""Assignments and the gradebook through the API: a learner hands one in and reads their tries
(by the lesson's address); who teaches reads the grading queue, grades a submission, reads a
course's gradebook and overrides a learner's grade (by id, under manage/).

A submission one may not grade is a 404 (it does not exist for them); a grade given meanwhile by
another grader is a 409 naming it (send the version you read as ``based_on``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.lms import selectors
from apps.lms import selectors_assignments as reads
from apps.lms import selectors_gradebook as gradebook_reads
from apps.lms.api.common import (
    BAD_INPUT,
    LEARNING_TAGS,
    MANAGE_TAGS,
    NO_PAGE,
    NOT_AN_INSTRUCTOR,
    NOT_SIGNED_IN,
    InstructorView,
    error,
    managed_course,
    managed_lesson,
    service_errors,
    visible_course,
    visible_lesson,
)
from apps.lms.api.serializers_grading import (
    AssignmentSettingsSerializer,
    GradebookRowOutput,
    GradeInput,
    GradingSubmissionOutput,
    OverrideInput,
    SubmissionInput,
    SubmissionOutput,
    assignment_settings_data,
    gradebook_row_data,
)
from apps.lms.api.serializers_grading import submission_data as data_of
from apps.lms.models import Lesson, Submission
from apps.lms.services import assignments, gradebook

NO_ASSIGNMENT = error("No such course or lesson, or the lesson takes no submissions.")
NO_SUBMISSION = error("No such submission among the courses you teach.")
SUBMIT_REFUSED = error("Not enrolled (or no longer), or the lesson is closed to you (lesson_locked): why.")
SUBMIT_BAD = error(
    "Invalid fields: a bad file (its extension, size or content), text where none is taken, or nothing handed in."
)
SUBMIT_CONFLICT = error("Handed in already (already_submitted) or past its due date (past_due).")
GRADE_CONFLICT = error("Graded by someone else since the version you read, or a newer try exists (grade_conflict).")


def _assignment_lesson(request: Request, slug: str, lesson_slug: str):  # type: ignore[no-untyped-def]
    course = visible_course(request.user, slug)
    lesson = visible_lesson(request.user, course, lesson_slug)
    assignment = reads.assignment_of(lesson)
    if assignment is None:
        raise exceptions.NotFound("This lesson takes no submissions.")
    return course, lesson, assignment


class SubmissionListCreateView(GenericAPIView):
    """The signed-in learner's tries at a lesson's assignment, and handing in another."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    pagination_class = None

    @extend_schema(
        summary="List your submissions of an assignment",
        responses={200: SubmissionOutput(many=True), 401: NOT_SIGNED_IN, 404: NO_ASSIGNMENT},
        tags=LEARNING_TAGS,
    )
    def get(self, request: Request, slug: str, lesson_slug: str) -> Response:
        course, lesson, assignment = _assignment_lesson(request, slug, lesson_slug)
        enrolment = selectors.enrolment_get(user=request.user, course=course)
        rows = reads.submissions_of(enrolment, assignment)
        for row in rows:
            row.assignment, row.enrolment = assignment, enrolment
            enrolment.user = request.user
        return Response([data_of(row) for row in rows])

    @extend_schema(
        summary="Hand in an assignment",
        request={"multipart/form-data": SubmissionInput, "application/json": SubmissionInput},
        responses={
            201: SubmissionOutput,
            400: SUBMIT_BAD,
            401: NOT_SIGNED_IN,
            403: SUBMIT_REFUSED,
            404: NO_ASSIGNMENT,
            409: SUBMIT_CONFLICT,
        },
        tags=LEARNING_TAGS,
    )
    def post(self, request: Request, slug: str, lesson_slug: str) -> Response:
        course, lesson, assignment = _assignment_lesson(request, slug, lesson_slug)
        data = SubmissionInput(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = selectors.enrolment_get(user=request.user, course=course)
        with service_errors({"already_submitted": 409, "past_due": 409, "lesson_closed": 403}):
            submission = assignments.submission_create(
                user=request.user,
                enrolment=enrolment,
                lesson=lesson,
                text=data.validated_data["text"],
                file=data.validated_data["file"],
            )
        submission.assignment, submission.enrolment = assignment, enrolment
        enrolment.user = request.user
        return Response(data_of(submission), status=status.HTTP_201_CREATED)


class GradingQueueView(InstructorView, GenericAPIView):
    """The submissions waiting for a grade in the courses one teaches (staff: all), oldest first."""

    @extend_schema(
        summary="List the submissions waiting for your grade",
        responses={
            200: SubmissionOutput(many=True),
            401: NOT_SIGNED_IN,
            403: NOT_AN_INSTRUCTOR,
            404: NO_PAGE,
        },
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(reads.grading_queue(request.user))
        return self.get_paginated_response([data_of(row) for row in page])


def _graded(request: Request, pk: int) -> Submission:
    submission = reads.submission_get_for_grader(user=request.user, pk=pk)
    if submission is None:
        raise exceptions.NotFound("No such submission among the courses you teach.")
    return submission


class SubmissionGradeView(InstructorView):
    """One submission for its graders (with the rubric), and its grade."""

    @extend_schema(
        summary="Read a submission to grade",
        responses={200: GradingSubmissionOutput, 401: NOT_SIGNED_IN, 403: NOT_AN_INSTRUCTOR, 404: NO_SUBMISSION},
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(data_of(_graded(request, pk), grading=True))

    @extend_schema(
        summary="Grade a submission (or return it for another try)",
        request=GradeInput,
        responses={
            200: GradingSubmissionOutput,
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: NOT_AN_INSTRUCTOR,
            404: NO_SUBMISSION,
            409: GRADE_CONFLICT,
        },
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        submission = _graded(request, pk)
        data = GradeInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors({"grade_conflict": 409}):
            assignments.submission_grade(
                actor=request.user, submission=submission, data=assignments.GradeInput(**data.validated_data)
            )
        return Response(data_of(reads.submission_get(submission.pk), grading=True))


# --- The gradebook ------------------------------------------------------------------------------

NO_COURSE = error("No such course among those you teach, or no such page.")


class GradebookView(InstructorView, GenericAPIView):
    """A course's gradebook: each active learner's category averages, computed grade, override
    and final grade with pass or fail, a page of learners at a time."""

    @extend_schema(
        summary="Read the gradebook of a course you teach",
        responses={200: GradebookRowOutput(many=True), 401: NOT_SIGNED_IN, 403: NOT_AN_INSTRUCTOR, 404: NO_COURSE},
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        course = managed_course(request.user, pk)
        categories = gradebook_reads.categories_of(course)
        page = self.paginate_queryset(gradebook_reads.gradebook_enrolments(course))
        rows = gradebook_reads.grade_rows(course, list(page), categories)
        return self.get_paginated_response([gradebook_row_data(row, categories) for row in rows])


class GradeOverrideView(InstructorView):
    """Override one learner's course grade, saying why (a new line of its audit trail)."""

    @extend_schema(
        summary="Override a learner's course grade",
        request=OverrideInput,
        responses={
            200: GradebookRowOutput,
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: NOT_AN_INSTRUCTOR,
            404: error("No such learner in the courses you teach."),
        },
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        enrolment = selectors.enrolment_get_for_teacher(user=request.user, pk=pk)
        if enrolment is None:
            raise exceptions.NotFound("No such learner in the courses you teach.")
        data = OverrideInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors({"not_learning": 400, "no_grade": 400}):
            gradebook.grade_override(actor=request.user, enrolment=enrolment, **data.validated_data)
        categories = gradebook_reads.categories_of(enrolment.course)
        row = gradebook_reads.grade_rows(enrolment.course, [enrolment], categories)[0]
        return Response(gradebook_row_data(row, categories))


# --- An assignment's settings ---------------------------------------------------------------------

NO_ASSIGNMENT_LESSON = error("No such assignment lesson among the courses you teach (or not set up yet, on GET).")


def _assignment_lesson_managed(request: Request, pk: int) -> Lesson:
    lesson = managed_lesson(request.user, pk)
    if lesson.kind != Lesson.Kind.ASSIGNMENT:
        raise exceptions.NotFound("That lesson is not an assignment.")
    return lesson


class AssignmentSettingsView(InstructorView):
    """An assignment lesson's settings and rubric, for who teaches the course."""

    @extend_schema(
        summary="Read an assignment's settings and rubric",
        responses={
            200: AssignmentSettingsSerializer,
            401: NOT_SIGNED_IN,
            403: NOT_AN_INSTRUCTOR,
            404: NO_ASSIGNMENT_LESSON,
        },
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        assignment = reads.assignment_of(_assignment_lesson_managed(request, pk))
        if assignment is None:
            raise exceptions.NotFound("This assignment is not set up yet.")
        return Response(assignment_settings_data(assignment))

    @extend_schema(
        summary="Set an assignment's settings and rubric",
        request=AssignmentSettingsSerializer,
        responses={
            200: AssignmentSettingsSerializer,
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: NOT_AN_INSTRUCTOR,
            404: NO_ASSIGNMENT_LESSON,
        },
        tags=MANAGE_TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        lesson = _assignment_lesson_managed(request, pk)
        data = AssignmentSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        rubric = values.pop("rubric")
        values["allowed_extensions"] = tuple(values["allowed_extensions"])
        with service_errors():
            assignments.assignment_save(
                actor=request.user,
                lesson=lesson,
                settings=assignments.AssignmentSettings(**values),
                criteria=[assignments.CriterionInput(**row) for row in rubric],
            )
        return Response(assignment_settings_data(reads.assignment_of(lesson)))
