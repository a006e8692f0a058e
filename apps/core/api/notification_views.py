"""The notification centre for API clients: one's own notifications (``?domain=``, ``?unread=``),
the unread count, mark read, mark all read, and the per-kind preferences. Thin views over
apps/core/notifications' selectors and services, in the API's error shape."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.auth_serializers import ErrorOutput
from apps.core.notifications import selectors, services
from apps.core.notifications.models import Notification
from apps.core.notifications.registry import Email, kind_of

TAGS = ["notifications"]


class NotificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="<domain>.<noun>, e.g. the kinds the installed apps register")
    domain = serializers.CharField()
    text = serializers.SerializerMethodField(help_text="The grouped sentence: “Ana and 3 others replied …”")
    actor = serializers.SerializerMethodField(help_text="The newest actor's name, or null")
    actor_count = serializers.SerializerMethodField()
    count = serializers.IntegerField(help_text="How many events this notification groups")
    target_url = serializers.CharField(help_text="A path on this site")
    target_label = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_text(self, obj: Notification) -> str:
        return selectors.notification_text(obj)

    def get_actor(self, obj: Notification) -> str | None:
        return obj.actor.get_short_name() if obj.actor is not None else None

    def get_actor_count(self, obj: Notification) -> int:
        return len(obj.actor_ids or [])


class NotificationFilterInput(serializers.Serializer):
    domain = serializers.RegexField(r"^[a-z][a-z0-9_]*$", max_length=32, required=False)
    unread = serializers.BooleanField(required=False, default=False)


class UnreadCountOutput(serializers.Serializer):
    unread = serializers.IntegerField()


class ReadAllInput(serializers.Serializer):
    domain = serializers.RegexField(r"^[a-z][a-z0-9_]*$", max_length=32, required=False, default="")


class ReadAllOutput(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread")
    unread = serializers.IntegerField(help_text="How many are unread now")


class PreferenceOutput(serializers.Serializer):
    kind = serializers.CharField(source="kind.name")
    domain = serializers.CharField(source="kind.domain")
    label = serializers.CharField(source="kind.label")
    description = serializers.CharField(source="kind.description")
    in_app = serializers.BooleanField()
    email = serializers.ChoiceField(choices=Email.CHOICES)
    is_default = serializers.BooleanField(help_text="True while the kind's defaults hold")


class PreferenceInput(serializers.Serializer):
    kind = serializers.CharField(max_length=64)
    in_app = serializers.BooleanField(required=False)
    email = serializers.ChoiceField(choices=Email.CHOICES, required=False)

    def validate_kind(self, value: str) -> str:
        if kind_of(value) is None:
            raise serializers.ValidationError("There is no kind of notification by that name.")
        return value


class PreferencesInput(serializers.Serializer):
    preferences = PreferenceInput(many=True, max_length=100, help_text="Only the kinds to change")


def _not_found() -> OpenApiResponse:
    return OpenApiResponse(ErrorOutput, description="Not one of your notifications.")


class NotificationListView(ListAPIView):
    """Your notifications, newest change first."""

    serializer_class = NotificationOutput

    def get_queryset(self) -> QuerySet[Notification]:
        filters = NotificationFilterInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.notification_list_for_user(self.request.user, **filters.validated_data)

    @extend_schema(parameters=[NotificationFilterInput], tags=TAGS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class UnreadCountView(APIView):
    """How many of your notifications are unread (the bell)."""

    @extend_schema(responses=UnreadCountOutput, tags=TAGS)
    def get(self, request: Request) -> Response:
        return Response({"unread": selectors.notification_unread_count(request.user)})


class NotificationReadView(APIView):
    """Mark one of your notifications read (again: no change)."""

    @extend_schema(request=None, responses={200: NotificationOutput, 404: _not_found()}, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        notification = selectors.notification_get_for_user(request.user, pk)
        if notification is None:
            raise Http404
        notification = services.notification_mark_read(user=request.user, notification=notification)
        return Response(NotificationOutput(notification).data)


class NotificationReadAllView(APIView):
    """Mark all your unread notifications read (of one domain, if given)."""

    @extend_schema(request=ReadAllInput, responses=ReadAllOutput, tags=TAGS)
    def post(self, request: Request) -> Response:
        data = ReadAllInput(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notification_mark_all_read(user=request.user, domain=data.validated_data["domain"])
        return Response({"marked": marked, "unread": selectors.notification_unread_count(request.user)})


class PreferencesView(APIView):
    """Your channels for every kind of notification: in the app, and email (off, instant, daily or
    weekly digest). PATCH changes only the kinds it names; a field left out keeps its value."""

    def _answer(self, request: Request) -> Response:
        return Response(PreferenceOutput(selectors.preference_list_for_user(request.user), many=True).data)

    @extend_schema(responses=PreferenceOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        return self._answer(request)

    @extend_schema(request=PreferencesInput, responses=PreferenceOutput(many=True), tags=TAGS)
    def patch(self, request: Request) -> Response:
        data = PreferencesInput(data=request.data)
        data.is_valid(raise_exception=True)
        current = {choice.kind.name: choice for choice in selectors.preference_list_for_user(request.user)}
        for index, item in enumerate(data.validated_data["preferences"]):
            if item["kind"] not in current:  # a kind for others (the moderators' kinds, say)
                raise exceptions.ValidationError(
                    {f"preferences.{index}.kind": ["This kind of notification is not sent to you."]}
                )
        try:
            with transaction.atomic():
                for item in data.validated_data["preferences"]:
                    choice = current[item["kind"]]
                    services.preference_set(
                        user=request.user,
                        kind=item["kind"],
                        in_app=item.get("in_app", choice.in_app),
                        email=item.get("email", choice.email),
                    )
        except DjangoValidationError as refusal:
            raise exceptions.ValidationError({"preferences": refusal.messages}) from None
        return self._answer(request)
