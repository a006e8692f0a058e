"""Direct messages: the caller's conversations (``?folder=requests``: the message requests
waiting for them), starting one (a one-to-one conversation is reused), a conversation, its
messages newest first, sending (text, an optional image as multipart), editing and deleting
one's own message, and reading, accepting, declining and leaving.

Every view is thin over apps/social/services/messages.py and selectors_messages.py: a
conversation the caller is not in (or left) is 404; the services' refusals are 403 (not an
accepted participant, a block), 409 (past the edit window, a deleted message, not a request) and
429 (sending too fast). Every POST, PATCH and DELETE takes the platform's ``Idempotency-Key``."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import IdField, parsers
from apps.social import selectors_messages as selectors
from apps.social.api.common import (
    BAD_INPUT,
    NO_CONVERSATION,
    NOT_SIGNED_IN,
    REFUSED,
    Cursor,
    error,
    file_url,
    service_errors,
)
from apps.social.models import Message, Participant
from apps.social.models.messages import GROUP_MAX, MESSAGE_MAX_CHARS, TITLE_MAX
from apps.social.services import messages as services

MESSAGES_TAGS = ["social messages"]
TOO_FAST = error("Sending too fast (rate_limited): retry after retry_after seconds.")

# --- Output ------------------------------------------------------------------------------------


class MemberOutput(serializers.Serializer):
    handle = serializers.CharField(allow_null=True)
    display_name = serializers.CharField()
    avatar_url = serializers.URLField(allow_null=True)
    state = serializers.CharField(help_text="accepted, or request: not accepted yet")


class MessageOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sender = serializers.CharField(allow_null=True, help_text="The sender's handle (null: an account gone).")
    mine = serializers.BooleanField()
    text = serializers.CharField(allow_blank=True)
    image_url = serializers.URLField(allow_null=True)
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.BooleanField()


class ConversationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    is_group = serializers.BooleanField()
    title = serializers.CharField(allow_blank=True)
    state = serializers.CharField(help_text="The caller's: accepted, or request")
    people = MemberOutput(many=True, help_text="Everyone still in it, the caller included.")
    last_message = MessageOutput(allow_null=True)
    last_activity_at = serializers.DateTimeField()
    unread = serializers.IntegerField(help_text="Messages of others the caller has not read.")
    blocked = serializers.BooleanField(help_text="A block stands between the two of a one-to-one conversation.")


def _dt(moment: Any) -> str | None:
    return serializers.DateTimeField().to_representation(moment) if moment is not None else None


def _handle(user: Any) -> str | None:
    profile = getattr(user, "social_profile", None) if user is not None else None
    return profile.handle if profile is not None else None


def message_data(message: Message, viewer: Any) -> dict[str, Any]:
    return {
        "id": message.pk,
        "sender": _handle(message.sender),
        "mine": message.sender_id == viewer.pk,
        "text": message.body,
        "image_url": file_url(message.image),
        "created_at": _dt(message.created_at),
        "edited_at": _dt(message.edited_at),
        "deleted": message.is_deleted,
    }


def conversation_data(
    me: Participant, members: list[Participant], viewer: Any, *, unread: int, blocked: bool = False
) -> dict[str, Any]:
    """One conversation as the caller sees it (inbox rows are never blocked: the selector leaves
    those out; a conversation's own answer asks)."""
    conversation = me.conversation
    last = conversation.last_message
    return {
        "id": conversation.pk,
        "is_group": conversation.is_group,
        "title": conversation.title,
        "state": me.state,
        "people": [
            {
                "handle": _handle(row.user),
                "display_name": row.user.display_name or _handle(row.user) or "",
                "avatar_url": file_url(row.user.avatar),
                "state": row.state,
            }
            for row in members
        ],
        "last_message": message_data(last, viewer) if last is not None else None,
        "last_activity_at": _dt(conversation.last_activity_at),
        "unread": unread,
        "blocked": blocked,
    }


def participation(request: Request, conversation_id: int) -> Participant:
    me = selectors.participation_get(user=request.user, conversation_id=conversation_id)
    if me is None:
        raise exceptions.NotFound("No such conversation among yours.")
    return me


def _detail(request: Request, me: Participant) -> dict[str, Any]:
    row = selectors.inbox_for_user(user=request.user, requests=me.state == Participant.State.REQUEST)
    found = row.filter(pk=me.pk).first()
    unread = found.unread if found is not None else 0
    conversation = found.conversation if found is not None else me.conversation
    me.conversation = conversation
    blocked = services.conversation_blocked(conversation, request.user)
    return conversation_data(me, selectors.people_of(conversation.pk), request.user, unread=unread, blocked=blocked)


# --- Conversations -----------------------------------------------------------------------------


class InboxCursor(Cursor):
    ordering = ("-activity", "-conversation_id")


class StartInput(serializers.Serializer):
    handles = serializers.ListField(
        child=serializers.CharField(max_length=40), min_length=1, max_length=GROUP_MAX - 1, help_text="Whom to write to"
    )
    text = serializers.CharField(max_length=MESSAGE_MAX_CHARS, required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=TITLE_MAX, required=False, allow_blank=True, default="")


class ConversationListView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = InboxCursor
    serializer_class = ConversationOutput

    def get_queryset(self) -> Any:
        requests = self.request.query_params.get("folder") == "requests"
        return selectors.inbox_for_user(user=self.request.user, requests=requests).annotate(
            activity=F("conversation__last_activity_at")
        )

    @extend_schema(
        summary="List your conversations, newest activity first",
        operation_id="social_conversations_list",
        parameters=[
            OpenApiParameter(
                "folder", str, enum=["inbox", "requests"], description="requests: the message requests waiting for you"
            )
        ],
        responses={200: ConversationOutput(many=True), 400: error("An unknown folder."), 401: NOT_SIGNED_IN},
        tags=MESSAGES_TAGS,
    )
    def get(self, request: Request) -> Response:
        if request.query_params.get("folder", "inbox") not in ("inbox", "requests"):
            raise exceptions.ValidationError({"folder": ["Choose inbox or requests."]})
        page = self.paginate_queryset(self.get_queryset())
        results = [conversation_data(row, row.conversation.people, request.user, unread=row.unread) for row in page]
        return self.get_paginated_response(results)

    @extend_schema(
        summary="Start a conversation (one person: your conversation with them, reused)",
        request=StartInput,
        responses={
            200: OpenApiResponse(ConversationOutput, description="Your existing conversation with this person."),
            201: OpenApiResponse(ConversationOutput, description="A new conversation."),
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: error("A block stands between you and one of them."),
            429: TOO_FAST,
        },
        tags=MESSAGES_TAGS,
    )
    def post(self, request: Request) -> Response:
        given = StartInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        found, missing = selectors.people_by_handles([h.strip().removeprefix("@") for h in data["handles"]])
        if missing:
            raise exceptions.ValidationError({"handles": [f"Nobody has the handle @{missing[0]}."]})
        others = [user for user in found if user.pk != request.user.pk]
        existing = selectors.pair_conversation_id(user=request.user, other=others[0]) if len(others) == 1 else None
        with service_errors(renames={"to": "handles", "body": "text"}):
            conversation = services.conversation_start(starter=request.user, others=found, title=data["title"])
            if data["text"].strip():
                services.message_send(sender=request.user, conversation=conversation, body=data["text"])
        me = participation(request, conversation.pk)
        code = status.HTTP_200_OK if existing == conversation.pk else status.HTTP_201_CREATED
        return Response(_detail(request, me), status=code)


class ConversationView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Read a conversation",
        responses={200: ConversationOutput, 401: NOT_SIGNED_IN, 404: NO_CONVERSATION},
        tags=MESSAGES_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, participation(request, pk)))


# --- Messages ----------------------------------------------------------------------------------


class ThreadCursor(Cursor):
    ordering = ("-pk",)


class SendInput(serializers.Serializer):
    text = serializers.CharField(max_length=MESSAGE_MAX_CHARS, required=False, allow_blank=True, default="")
    image = serializers.ImageField(required=False, help_text="An image (multipart/form-data).")


class EditInput(serializers.Serializer):
    text = serializers.CharField(max_length=MESSAGE_MAX_CHARS, allow_blank=True)


class MessageListView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = ThreadCursor
    serializer_class = MessageOutput
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser]
    queryset = Message.objects.none()  # for the schema: get() reads the conversation's messages

    @extend_schema(
        summary="List a conversation's messages, newest first",
        operation_id="social_conversations_messages_list",
        responses={200: MessageOutput(many=True), 401: NOT_SIGNED_IN, 404: NO_CONVERSATION},
        tags=MESSAGES_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        me = participation(request, pk)
        rows = Message.objects.filter(conversation_id=me.conversation_id).select_related("sender__social_profile")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([message_data(message, request.user) for message in page])

    @extend_schema(
        summary="Send a message",
        request={"application/json": SendInput, "multipart/form-data": SendInput},
        responses={
            201: MessageOutput,
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: REFUSED,
            404: NO_CONVERSATION,
            429: TOO_FAST,
        },
        tags=MESSAGES_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        me = participation(request, pk)
        given = SendInput(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors(renames={"body": "text"}):
            message = services.message_send(
                sender=request.user,
                conversation=me.conversation,
                body=given.validated_data["text"],
                image=given.validated_data.get("image"),
            )
        return Response(message_data(message, request.user), status=status.HTTP_201_CREATED)


class MessageView(APIView):
    permission_classes = [IsAuthenticated]

    def _message(self, request: Request, pk: int, message_pk: int) -> Message:
        message = selectors.message_get_for_user(user=request.user, conversation_id=pk, message_id=message_pk)
        if message is None:
            raise exceptions.NotFound("No such message in your conversations.")
        return message

    @extend_schema(
        summary="Correct your message (within 15 minutes of sending it)",
        request=EditInput,
        responses={
            200: MessageOutput,
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: error("Only its sender changes a message, and not across a block."),
            404: NO_CONVERSATION,
            409: error("Past the edit window (edit_window), or deleted (deleted)."),
        },
        tags=MESSAGES_TAGS,
    )
    def patch(self, request: Request, pk: int, message_pk: int) -> Response:
        message = self._message(request, pk, message_pk)
        given = EditInput(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors(renames={"body": "text"}):
            message = services.message_edit(actor=request.user, message=message, body=given.validated_data["text"])
        return Response(message_data(message, request.user))

    @extend_schema(
        summary="Delete your message (it stays as “message deleted”)",
        request=None,
        responses={
            204: None,
            401: NOT_SIGNED_IN,
            403: error("Only its sender deletes a message."),
            404: NO_CONVERSATION,
            409: error("Already deleted (deleted)."),
        },
        tags=MESSAGES_TAGS,
    )
    def delete(self, request: Request, pk: int, message_pk: int) -> Response:
        message = self._message(request, pk, message_pk)
        if message.is_deleted and message.sender_id == request.user.pk:
            return Response(status=status.HTTP_204_NO_CONTENT)  # idempotent: deleting again is done
        with service_errors():
            services.message_delete(actor=request.user, message=message)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Reading, requests, leaving ----------------------------------------------------------------


class ReadInput(serializers.Serializer):
    message_id = IdField(required=False, help_text="Read up to this message (default: the newest).")


class ReadOutput(serializers.Serializer):
    last_read_message_id = serializers.IntegerField()


class ReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Mark a conversation read (up to a message, or all of it)",
        request=ReadInput,
        responses={200: ReadOutput, 400: BAD_INPUT, 401: NOT_SIGNED_IN, 403: REFUSED, 404: NO_CONVERSATION},
        tags=MESSAGES_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        me = participation(request, pk)
        given = ReadInput(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            upto = services.conversation_mark_read(
                user=request.user, conversation=me.conversation, message_id=given.validated_data.get("message_id")
            )
        return Response({"last_read_message_id": upto})


class AcceptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Accept a message request (it joins your inbox)",
        request=None,
        responses={
            200: ConversationOutput,
            401: NOT_SIGNED_IN,
            403: error("A block stands between you."),
            404: NO_CONVERSATION,
        },
        tags=MESSAGES_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        me = participation(request, pk)
        with service_errors():
            services.request_accept(user=request.user, conversation=me.conversation)
        return Response(_detail(request, participation(request, pk)))


class DeclineView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Decline a message request (you leave the conversation)",
        request=None,
        responses={
            204: None,
            401: NOT_SIGNED_IN,
            404: NO_CONVERSATION,
            409: error("This conversation is not a request (not_a_request)."),
        },
        tags=MESSAGES_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        me = participation(request, pk)
        with service_errors():
            services.request_decline(user=request.user, conversation=me.conversation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LeaveView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Leave a conversation",
        request=None,
        responses={204: None, 401: NOT_SIGNED_IN, 404: NO_CONVERSATION},
        tags=MESSAGES_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        me = participation(request, pk)
        with service_errors():
            services.conversation_leave(user=request.user, conversation=me.conversation)
        return Response(status=status.HTTP_204_NO_CONTENT)
