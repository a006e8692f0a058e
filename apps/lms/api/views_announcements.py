"""Announcements: a course's, for its active learners and who teaches it, and posting one, for
who teaches it (apps/lms/services/announcements.py; the notification centre sends it)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.lms import permissions, selectors
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
    service_errors,
    visible_course,
)
from apps.lms.models import Announcement
from apps.lms.services import announcements
from apps.lms.services.announcements import BODY_MAX, TITLE_MAX


class AnnouncementOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField(help_text="Plain text; line breaks are the author's.")
    author = serializers.CharField(allow_null=True, help_text="The author's display name (null: account deleted).")
    created_at = serializers.DateTimeField()
    sent_to = serializers.IntegerField(allow_null=True, help_text="Learners it was sent to (null: still sending).")


class AnnouncementInput(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX)
    body = serializers.CharField(max_length=BODY_MAX)


def announcement_data(item: Announcement) -> dict[str, Any]:
    return {
        "id": item.pk,
        "title": item.title,
        "body": item.body,
        "author": item.author.get_short_name() if item.author else None,
        "created_at": serializers.DateTimeField().to_representation(item.created_at),
        "sent_to": item.sent_to,
    }


class CourseAnnouncementListView(GenericAPIView):
    """A course's announcements, newest first: its active learners and who teaches it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="List a course's announcements",
        responses={
            200: AnnouncementOutput(many=True),
            401: NOT_SIGNED_IN,
            403: error("Only the course's learners and instructors read its announcements."),
            404: error("No such course, or no such page."),
        },
        tags=LEARNING_TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        course = visible_course(request.user, slug)
        enrolment = selectors.enrolment_get(user=request.user, course=course)
        if not permissions.can_read_announcements(request.user, course, enrolment=enrolment):
            raise exceptions.PermissionDenied("Only the course's learners and instructors read its announcements.")
        page = self.paginate_queryset(selectors.announcements_of(course))
        return self.get_paginated_response([announcement_data(item) for item in page])


class ManagedAnnouncementView(InstructorView, GenericAPIView):
    """A course's announcements for who teaches it, and posting a new one."""

    @extend_schema(
        summary="List the announcements of a course you teach",
        responses={200: AnnouncementOutput(many=True), 401: NOT_SIGNED_IN, 403: NOT_AN_INSTRUCTOR, 404: NO_PAGE},
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        course = managed_course(request.user, pk)
        page = self.paginate_queryset(selectors.announcements_of(course))
        return self.get_paginated_response([announcement_data(item) for item in page])

    @extend_schema(
        summary="Post an announcement to a course's learners",
        request=AnnouncementInput,
        responses={
            201: AnnouncementOutput,
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: NOT_AN_INSTRUCTOR,
            404: error("No such course among those you teach."),
            409: error("The course is a draft (not_live), or had its day's announcements already (too_many)."),
        },
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        course = managed_course(request.user, pk)
        data = AnnouncementInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors({"not_live": 409, "too_many": 409}):
            item = announcements.announcement_post(actor=request.user, course=course, **data.validated_data)
        return Response(announcement_data(item), status=status.HTTP_201_CREATED)
