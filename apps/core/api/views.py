from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from apps.core.api.errors import json_error
from apps.core.api.serializers import ActivityFilterInput, ActivityOutput, ApiRootOutput
from apps.core.platform import documents, events
from apps.core.platform.hooks import registry


class ApiRootView(APIView):
    """Where the API starts: its version and links to the schema, the docs and each area."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ApiRootOutput, tags=["platform"])
    def get(self, request: Request) -> Response:
        links = {
            "schema": reverse("api-schema", request=request),
            "docs": reverse("api-docs", request=request),
            "activity": reverse("api-activity", request=request),
            "token": reverse("api-token", request=request),
            "token_refresh": reverse("api-token-refresh", request=request),
            "logout": reverse("api-logout", request=request),
            "me": reverse("api-me", request=request),
            "notifications": reverse("api-notifications", request=request),
            "site_pages": reverse("api-site-pages", request=request),
            "site_components": reverse("api-site-components", request=request),
            "site_theme": reverse("api-site-theme", request=request),
        }
        # Each domain's areas, as its app hook names them.
        links.update({key: reverse(name, request=request) for key, name in registry().api_links.items()})
        return Response({"name": f"{settings.SITE_NAME} API", "version": "v1", "links": links})


class ActivityListView(ListAPIView):
    """The activity log of domain events, newest first. Staff only."""

    permission_classes = [IsAdminUser]
    serializer_class = ActivityOutput

    def get_queryset(self) -> documents.DocumentQuery:
        filters = ActivityFilterInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return events.activity_query(
            name=filters.validated_data.get("name"), actor_id=filters.validated_data.get("actor")
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("name", OpenApiTypes.STR, description="Only events of this name, e.g. core.role_granted"),
            OpenApiParameter("actor", OpenApiTypes.INT, description="Only events caused by this user id"),
        ],
        tags=["platform"],
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


@csrf_exempt  # it changes nothing, and a refused token must not hide the 404
def api_not_found(request: HttpRequest) -> HttpResponse:
    """Every address under /api/ that names nothing: the JSON 404, with DEBUG on as well (Django's
    debug 404 page is HTML, and a client reads the error shape). Being a match, it takes over
    APPEND_SLASH's redirect for API addresses written without their trailing slash."""
    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            match = resolve(f"{request.path_info}/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{request.path}/" + (f"?{query}" if query else ""))
    return json_error(404)
