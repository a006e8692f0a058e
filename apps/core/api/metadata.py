"""What OPTIONS answers on every API view (REST_FRAMEWORK's DEFAULT_METADATA_CLASS)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request

if TYPE_CHECKING:
    from rest_framework.views import APIView


def _declares_serializer(view: APIView) -> bool:
    # Imported here: DRF reads this module's class while it defines APIView itself.
    from rest_framework.generics import GenericAPIView

    if getattr(view, "serializer_class", None) is not None:
        return True
    get_serializer_class = getattr(type(view), "get_serializer_class", None)
    return get_serializer_class is not None and get_serializer_class is not GenericAPIView.get_serializer_class


class ApiMetadata(SimpleMetadata):
    """DRF's metadata (name, description, renders, parses and, where a view declares its
    serializer, the fields of its writes). DRF's own asks every GenericAPIView for a serializer;
    ours pick theirs per method (an Input serializer for each write, in the method), so asking
    failed with an AssertionError (a 500). Their fields are described by the OpenAPI schema."""

    def determine_actions(self, request: Request, view: APIView) -> dict[str, Any]:
        if not _declares_serializer(view):
            return {}
        return super().determine_actions(request, view)
