"""GET /api/v1/social/presence/?ids=1,2,3: the online status of these people, as the caller may
see it (core's presence service with the social network's policy). People whose status is hidden
from the caller, or who do not exist, are simply absent from ``results``: the answer says nothing
about them, not even "offline"."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import ID_MAX, ErrorOutput
from apps.core.platform import presence

# A page shows a few dozen people; the socket's watch list allows as many.
IDS_MAX = 200


class PresenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["online", "away", "offline"])
    last_seen = serializers.DateTimeField(allow_null=True, help_text="The last heartbeat or goodbye of any tab.")


class PresenceListOutput(serializers.Serializer):
    results = PresenceOutput(many=True)


def parse_ids(raw: str | None) -> list[int]:
    """``"1,2,3"`` -> ``[1, 2, 3]`` (each once, in order); a 400 naming ``ids`` otherwise."""
    parts = [part.strip() for part in (raw or "").split(",") if part.strip()]
    if not parts:
        raise serializers.ValidationError({"ids": ["Give one or more user ids, separated by commas."]})
    if len(parts) > IDS_MAX:
        raise serializers.ValidationError({"ids": [f"At most {IDS_MAX} ids at a time."]})
    if not all(part.isascii() and part.isdigit() and 0 < len(part) <= 19 and 0 < int(part) <= ID_MAX for part in parts):
        raise serializers.ValidationError({"ids": ["Each id is a whole number from 1."]})
    return list(dict.fromkeys(int(part) for part in parts))


class PresenceListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Read people's online status",
        parameters=[
            OpenApiParameter("ids", str, required=True, description=f"User ids, comma-separated; at most {IDS_MAX}")
        ],
        responses={
            200: PresenceListOutput,
            400: OpenApiResponse(ErrorOutput, description="No ids, too many, or one that is no id (fields.ids)."),
            401: OpenApiResponse(ErrorOutput, description="Not signed in."),
        },
        tags=["social"],
    )
    def get(self, request: Request) -> Response:
        ids = parse_ids(request.query_params.get("ids"))
        # Only people who exist (and are active): an unknown id is absent, not "offline".
        people = set(get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
        found = presence.statuses(request.user, [uid for uid in ids if uid in people])
        field = serializers.DateTimeField()
        results = [
            {
                "id": uid,
                "state": found[uid].state,
                "last_seen": field.to_representation(found[uid].last_seen) if found[uid].last_seen else None,
            }
            for uid in ids
            if uid in found
        ]
        return Response({"results": results})


urlpatterns = [
    # Mounted by the hook at /api/v1/social/presence/ (or included from apps/social/api/urls.py).
    path("", PresenceListView.as_view(), name="api-social-presence"),
]
