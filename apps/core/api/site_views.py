"""The site's published content for API clients: free pages, the header/home/footer and the theme.

Only what visitors see: drafts, previews and unpublished pages do not exist here (there is no
preview parameter), whoever asks.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.models import SitePage
from apps.core.site import selectors


class SitePageListOutput(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = SitePage
        fields = ("title", "slug", "url", "seo_description", "first_published_at", "last_published_at")


class SitePageDetailOutput(SitePageListOutput):
    body = serializers.JSONField(help_text="Blocks (docs/blocks.md); rich text is already sanitised.")

    class Meta(SitePageListOutput.Meta):
        fields = (*SitePageListOutput.Meta.fields, "body")


class SiteComponentsOutput(serializers.Serializer):
    header = serializers.JSONField(allow_null=True)
    home = serializers.JSONField(allow_null=True)
    footer = serializers.JSONField(allow_null=True)


class ThemeOutput(serializers.Serializer):
    stylesheet = serializers.CharField(allow_null=True, help_text="The active theme's stylesheet, or null.")


class SitePageListView(ListAPIView):
    """Published free pages, by title."""

    permission_classes = [AllowAny]
    serializer_class = SitePageListOutput

    def get_queryset(self) -> QuerySet[SitePage]:
        return SitePage.objects.filter(live=True).order_by("title", "pk")

    @extend_schema(tags=["site"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class SitePageDetailView(RetrieveAPIView):
    """One published free page with its blocks."""

    permission_classes = [AllowAny]
    serializer_class = SitePageDetailOutput
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[SitePage]:
        return SitePage.objects.filter(live=True)

    @extend_schema(tags=["site"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class SiteComponentsView(APIView):
    """The published header menu, home sections and footer (null where none is published)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=SiteComponentsOutput, tags=["site"])
    def get(self, request: Request) -> Response:
        live = selectors.site_components_live()
        return Response({key: live.get(key) for key in ("header", "home", "footer")})


class ThemeView(APIView):
    """Where the active theme's published stylesheet is."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ThemeOutput, tags=["site"])
    def get(self, request: Request) -> Response:
        sheet = selectors.active_theme_stylesheet()
        href = request.build_absolute_uri(f"/theme.css?v={sheet['version']}") if sheet else None
        return Response({"stylesheet": href})
