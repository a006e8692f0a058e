"""People and their relations: a public profile, followers and following (cursor pages), the
follow, block and mute switches (POST to turn on, DELETE to turn off, both idempotent), the
follow requests waiting for a locked account, and one's own profile settings (me/profile/).

Every view is thin over apps/social/services/relations.py, services/profile_settings.py,
selectors_people.py and permissions.py. Somebody who blocked the caller, or whom the caller
blocked, is not there for them (404), except on block/ itself, which reaches past the block so
it can be lifted.

Idempotency: every POST, PATCH and DELETE takes the platform's ``Idempotency-Key`` header (its
middleware); the writes are idempotent anyway (following twice is one follow)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import parsers
from apps.core.models import User
from apps.social import permissions, relations
from apps.social import selectors_people as people
from apps.social.api.common import (
    BAD_INPUT,
    NOBODY,
    NOT_SIGNED_IN,
    REFUSED,
    TAGS,
    Cursor,
    error,
    file_url,
    person,
    service_errors,
    visible_person,
)
from apps.social.handles import profile_for
from apps.social.models import Profile
from apps.social.services import relations as writes
from apps.social.services.profile_settings import (
    HEADER_MAX_BYTES,
    LINK_LABEL_MAX,
    LINK_URL_MAX,
    LINKS_MAX,
    Settings,
    profile_settings_save,
)

# --- Output ------------------------------------------------------------------------------------


class RelationOutput(serializers.Serializer):
    self = serializers.BooleanField(help_text="This is the caller.")
    follow = serializers.CharField(allow_null=True, help_text="accepted: the caller follows them; pending: asked to.")
    follows_you = serializers.BooleanField()
    blocking = serializers.BooleanField(help_text="The caller blocked them.")
    muting = serializers.BooleanField(help_text="The caller muted them.")


class LinkOutput(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.URLField()


class PersonOutput(serializers.Serializer):
    """One person in a list: who they are and how the caller stands to them."""

    handle = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.URLField(allow_null=True)
    locked = serializers.BooleanField()
    relation = RelationOutput()


class CountsOutput(serializers.Serializer):
    followers = serializers.IntegerField()
    following = serializers.IntegerField()


class ProfileOutput(PersonOutput):
    bio = serializers.CharField()
    header_url = serializers.URLField(allow_null=True)
    links = LinkOutput(many=True)
    joined_at = serializers.DateTimeField()
    counts = CountsOutput()


class FollowOutput(serializers.Serializer):
    handle = serializers.CharField()
    state = serializers.CharField(help_text="accepted, or pending: a request to a locked account")


class SwitchOutput(serializers.Serializer):
    handle = serializers.CharField()
    on = serializers.BooleanField(help_text="Blocked (or muted) now.")


class FollowRequestOutput(serializers.Serializer):
    person = PersonOutput()
    requested_at = serializers.DateTimeField()


class MyProfileOutput(serializers.Serializer):
    handle = serializers.CharField()
    links = LinkOutput(many=True)
    locked = serializers.BooleanField()
    presence_audience = serializers.ChoiceField(choices=Profile.Presence.values)
    header_url = serializers.URLField(allow_null=True)


def _relation(relation: people.Relation) -> dict[str, Any]:
    return {
        "self": relation.self,
        "follow": relation.follow,
        "follows_you": relation.follows_you,
        "blocking": relation.blocking,
        "muting": relation.muting,
    }


def person_data(user: Any, relation: people.Relation) -> dict[str, Any]:
    """A person as lists show them (``user`` with its ``social_profile``)."""
    profile = user.social_profile
    return {
        "handle": profile.handle,
        "display_name": user.display_name or profile.handle,
        "avatar_url": file_url(user.avatar),
        "locked": profile.locked,
        "relation": _relation(relation),
    }


def people_data(viewer: Any, users: list[Any]) -> list[dict[str, Any]]:
    """People as lists show them, their relations read in three queries for the whole page."""
    found = people.relations_for(viewer, [user.pk for user in users])
    return [person_data(user, found[user.pk]) for user in users]


def _my_profile(profile: Profile) -> dict[str, Any]:
    return {
        "handle": profile.handle,
        "links": profile.links,
        "locked": profile.locked,
        "presence_audience": profile.presence_audience,
        "header_url": file_url(profile.header),
    }


# --- Profiles and their lists ------------------------------------------------------------------


class ProfileView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Read a person's profile",
        responses={200: ProfileOutput, 404: NOBODY},
        tags=TAGS,
    )
    def get(self, request: Request, handle: str) -> Response:
        profile = visible_person(request.user, handle)
        data = person_data(profile.user, people.relation_for(request.user, profile.user))
        data.update(
            bio=profile.user.bio,
            header_url=file_url(profile.header),
            links=profile.links,
            joined_at=serializers.DateTimeField().to_representation(profile.user.date_joined),
            counts=people.connection_counts(profile),
        )
        return Response(data)


class ConnectionsCursor(Cursor):
    ordering = ("-since", "-pk")


class _ConnectionsView(GenericAPIView):
    """Who follows a person, or whom they follow: anyone for an open account; a locked one's
    only for itself and its accepted followers (others 403)."""

    permission_classes = [AllowAny]
    pagination_class = ConnectionsCursor
    serializer_class = PersonOutput
    which = "followers"

    queryset = User.objects.none()  # for the schema only: get() reads the person's list

    def get(self, request: Request, handle: str) -> Response:
        profile = visible_person(request.user, handle)
        if not permissions.can_see_connections(request.user, profile):
            raise PermissionDenied("This account is locked: only its approved followers see its connections.")
        select = people.followers_of if self.which == "followers" else people.following_of
        page = self.paginate_queryset(select(profile, viewer=request.user))
        return self.get_paginated_response(people_data(request.user, page))


LOCKED_LIST = error("The account is locked and the caller is neither its owner nor an approved follower.")


class FollowersView(_ConnectionsView):
    which = "followers"

    @extend_schema(
        summary="List a person's followers",
        operation_id="social_profiles_followers_list",
        responses={200: PersonOutput(many=True), 403: LOCKED_LIST, 404: NOBODY},
        tags=TAGS,
    )
    def get(self, request: Request, handle: str) -> Response:
        return super().get(request, handle)


class FollowingView(_ConnectionsView):
    which = "following"

    @extend_schema(
        summary="List whom a person follows",
        operation_id="social_profiles_following_list",
        responses={200: PersonOutput(many=True), 403: LOCKED_LIST, 404: NOBODY},
        tags=TAGS,
    )
    def get(self, request: Request, handle: str) -> Response:
        return super().get(request, handle)


# --- Switches ----------------------------------------------------------------------------------


class FollowView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Follow a person (or ask to, if their account is locked)",
        request=None,
        responses={
            200: OpenApiResponse(FollowOutput, description="Already following (or asked to): nothing changed."),
            201: OpenApiResponse(FollowOutput, description="Now following, or asked to (state pending)."),
            401: NOT_SIGNED_IN,
            403: REFUSED,
            404: NOBODY,
            409: error("That is you."),
        },
        tags=TAGS,
    )
    def post(self, request: Request, handle: str) -> Response:
        profile = visible_person(request.user, handle)
        profile_for(request.user)  # the caller shows in the lists this changes under their handle
        before = relations.follow_state(request.user, profile.user)
        with service_errors():
            follow = writes.follow_create(follower=request.user, followee=profile.user)
        code = status.HTTP_200_OK if before is not None else status.HTTP_201_CREATED
        return Response({"handle": profile.handle, "state": follow.state}, status=code)

    @extend_schema(
        summary="Stop following a person (or withdraw the request)",
        request=None,
        responses={204: None, 401: NOT_SIGNED_IN, 404: NOBODY},
        tags=TAGS,
    )
    def delete(self, request: Request, handle: str) -> Response:
        profile = visible_person(request.user, handle)
        writes.follow_delete(follower=request.user, followee=profile.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _SwitchView(APIView):
    """A relation one turns on (POST: 201, or 200 when it was on) and off (DELETE: 204)."""

    permission_classes = [IsAuthenticated]
    reach_past_blocks = False

    def _person(self, request: Request, handle: str) -> Profile:
        return person(handle) if self.reach_past_blocks else visible_person(request.user, handle)

    def is_on(self, viewer: Any, other: Any) -> bool:
        raise NotImplementedError

    def turn_on(self, viewer: Any, other: Any) -> None:
        raise NotImplementedError

    def turn_off(self, viewer: Any, other: Any) -> None:
        raise NotImplementedError

    def post(self, request: Request, handle: str) -> Response:
        profile = self._person(request, handle)
        was_on = self.is_on(request.user, profile.user)
        with service_errors():
            self.turn_on(request.user, profile.user)
        code = status.HTTP_200_OK if was_on else status.HTTP_201_CREATED
        return Response({"handle": profile.handle, "on": True}, status=code)

    def delete(self, request: Request, handle: str) -> Response:
        profile = self._person(request, handle)
        self.turn_off(request.user, profile.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _switch_schema(verb: str, what: str) -> dict[str, Any]:
    on = extend_schema(
        summary=f"{verb} a person",
        request=None,
        responses={
            200: OpenApiResponse(SwitchOutput, description=f"Already {what}: nothing changed."),
            201: OpenApiResponse(SwitchOutput, description=f"Now {what}."),
            401: NOT_SIGNED_IN,
            404: NOBODY,
            409: error("That is you."),
        },
        tags=TAGS,
    )
    off = extend_schema(
        summary=f"Un{verb.lower()} a person",
        request=None,
        responses={204: None, 401: NOT_SIGNED_IN, 404: NOBODY},
        tags=TAGS,
    )
    return {"post": on, "delete": off}


class BlockView(_SwitchView):
    # Blocking reaches past a block the other made, and unblocking past one's own.
    reach_past_blocks = True

    def is_on(self, viewer: Any, other: Any) -> bool:
        return people.relation_for(viewer, other).blocking

    def turn_on(self, viewer: Any, other: Any) -> None:
        writes.block_create(blocker=viewer, blocked=other)

    def turn_off(self, viewer: Any, other: Any) -> None:
        writes.block_delete(blocker=viewer, blocked=other)

    @_switch_schema("Block", "blocked")["post"]
    def post(self, request: Request, handle: str) -> Response:
        return super().post(request, handle)

    @_switch_schema("Block", "blocked")["delete"]
    def delete(self, request: Request, handle: str) -> Response:
        return super().delete(request, handle)


class MuteView(_SwitchView):
    def is_on(self, viewer: Any, other: Any) -> bool:
        return people.relation_for(viewer, other).muting

    def turn_on(self, viewer: Any, other: Any) -> None:
        writes.mute_create(muter=viewer, muted=other)

    def turn_off(self, viewer: Any, other: Any) -> None:
        writes.mute_delete(muter=viewer, muted=other)

    @_switch_schema("Mute", "muted")["post"]
    def post(self, request: Request, handle: str) -> Response:
        return super().post(request, handle)

    @_switch_schema("Mute", "muted")["delete"]
    def delete(self, request: Request, handle: str) -> Response:
        return super().delete(request, handle)


# --- Follow requests ---------------------------------------------------------------------------


class RequestsCursor(Cursor):
    ordering = ("created_at", "pk")


class FollowRequestListView(GenericAPIView):
    """The requests waiting for the caller's approval, the oldest first."""

    permission_classes = [IsAuthenticated]
    pagination_class = RequestsCursor
    serializer_class = FollowRequestOutput

    def get_queryset(self) -> Any:
        return people.requests_for(self.request.user)

    @extend_schema(
        summary="List the follow requests waiting for you",
        operation_id="social_follow_requests_list",
        responses={200: FollowRequestOutput(many=True), 401: NOT_SIGNED_IN},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        users = [row.follower for row in page]
        data = people_data(request.user, users)
        field = serializers.DateTimeField()
        results = [
            {"person": item, "requested_at": field.to_representation(row.created_at)}
            for item, row in zip(data, page, strict=True)
        ]
        return self.get_paginated_response(results)


class FollowRequestApproveView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Approve a follow request",
        request=None,
        responses={
            200: FollowOutput,
            401: NOT_SIGNED_IN,
            404: NOBODY,
            409: error("There is no request from this person (no_request)."),
        },
        tags=TAGS,
    )
    def post(self, request: Request, handle: str) -> Response:
        profile = visible_person(request.user, handle)
        with service_errors():
            follow = writes.follow_request_approve(owner=request.user, follower=profile.user)
        return Response({"handle": profile.handle, "state": follow.state})


class FollowRequestRejectView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Reject a follow request (nothing happens when there is none)",
        request=None,
        responses={204: None, 401: NOT_SIGNED_IN, 404: NOBODY},
        tags=TAGS,
    )
    def post(self, request: Request, handle: str) -> Response:
        profile = visible_person(request.user, handle)
        writes.follow_request_reject(owner=request.user, follower=profile.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- One's own profile -------------------------------------------------------------------------


class LinkInput(serializers.Serializer):
    label = serializers.CharField(max_length=LINK_LABEL_MAX, allow_blank=True, required=False, default="")
    url = serializers.CharField(max_length=LINK_URL_MAX)


class MyProfileInput(serializers.Serializer):
    """What PATCH changes; fields left out keep their values. The header image comes as
    multipart/form-data (``links`` then cannot be sent in the same request: send it as JSON)."""

    handle = serializers.CharField(max_length=40, required=False)
    links = LinkInput(many=True, required=False, max_length=LINKS_MAX)
    locked = serializers.BooleanField(required=False)
    presence_audience = serializers.ChoiceField(choices=Profile.Presence.values, required=False)
    header = serializers.ImageField(
        required=False, help_text=f"A JPEG, PNG, GIF or WebP image of at most {HEADER_MAX_BYTES // 2**20} MB."
    )
    remove_header = serializers.BooleanField(required=False, default=False)


class MyProfileView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser]

    @extend_schema(
        summary="Read your profile settings", responses={200: MyProfileOutput, 401: NOT_SIGNED_IN}, tags=TAGS
    )
    def get(self, request: Request) -> Response:
        return Response(_my_profile(profile_for(request.user)))

    @extend_schema(
        summary="Change your profile settings",
        request={"application/json": MyProfileInput, "multipart/form-data": MyProfileInput},
        responses={200: MyProfileOutput, 400: BAD_INPUT, 401: NOT_SIGNED_IN},
        tags=TAGS,
    )
    def patch(self, request: Request) -> Response:
        given = MyProfileInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        profile = profile_for(request.user)
        settings = Settings(
            handle=data.get("handle", profile.handle),
            locked=data.get("locked", profile.locked),
            presence_audience=data.get("presence_audience", profile.presence_audience),
            links=[dict(link) for link in data["links"]] if "links" in data else list(profile.links),
            header=data.get("header"),
            remove_header=data.get("remove_header", False),
        )
        with service_errors():
            profile = profile_settings_save(profile=profile, settings=settings)
        return Response(_my_profile(profile))
