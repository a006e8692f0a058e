"""Invitations into a course, for who teaches it (``manage/courses/<id>/invitations/``): the
list, and sending new ones (apps/lms/services/invitations.py). As every management endpoint:
anonymous 401, neither instructor nor admin 403, a course one does not teach 404."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from apps.lms import selectors
from apps.lms.api.common import (
    BAD_INPUT,
    MANAGE_TAGS,
    NOT_AN_INSTRUCTOR,
    NOT_SIGNED_IN,
    InstructorView,
    error,
    managed_course,
    service_errors,
)
from apps.lms.models import Invitation
from apps.lms.services import invitations

NOT_TAUGHT = error("No such course among those you teach.")


class InvitationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(choices=["enrolled", "sent", "expired"])


class InvitationsInput(serializers.Serializer):
    emails = serializers.ListField(child=serializers.CharField(max_length=254), min_length=1, max_length=50)


class InvitedOutput(serializers.Serializer):
    enrolled = serializers.ListField(child=serializers.EmailField(), help_text="Accounts given a place now.")
    already = serializers.ListField(child=serializers.EmailField(), help_text="Accounts already in the course.")
    emailed = serializers.ListField(child=serializers.EmailField(), help_text="Unknown addresses sent a link.")


def invitation_data(invitation: Invitation) -> dict[str, Any]:
    state = "enrolled" if invitation.accepted_at else "sent" if invitation.is_open else "expired"
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "accepted_at": invitation.accepted_at,
        "state": state,
    }


class InvitationListView(InstructorView, GenericAPIView):
    """A course's invitations (newest first, the latest 200, paginated) and sending new ones."""

    @extend_schema(
        summary="List the invitations into a course you teach",
        responses={200: InvitationOutput(many=True), 401: NOT_SIGNED_IN, 403: NOT_AN_INSTRUCTOR, 404: NOT_TAUGHT},
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        course = managed_course(request.user, pk)
        page = self.paginate_queryset(selectors.invitations_of(course))
        return self.get_paginated_response(InvitationOutput([invitation_data(i) for i in page], many=True).data)

    @extend_schema(
        summary="Invite people into a course you teach",
        description="Accounts with these addresses are enrolled at once (source invitation) and notified; "
        "other addresses are emailed a link that works once, for 14 days. All or nothing.",
        request=InvitationsInput,
        responses={201: InvitedOutput, 400: BAD_INPUT, 401: NOT_SIGNED_IN, 403: NOT_AN_INSTRUCTOR, 404: NOT_TAUGHT},
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        course = managed_course(request.user, pk)
        data = InvitationsInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            done = invitations.invitations_send(actor=request.user, course=course, emails=data.validated_data["emails"])
        body = {"enrolled": done.enrolled, "already": done.already, "emailed": done.emailed}
        return Response(InvitedOutput(body).data, status=status.HTTP_201_CREATED)
