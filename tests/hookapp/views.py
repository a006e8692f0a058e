from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

THINGS = ["hook", "line", "sinker"]


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "hookapp/index.html", {"things": THINGS})


class ThingListView(APIView):
    """The hooked things."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer("HookedThings", {"things": serializers.ListField(child=serializers.CharField())}),
        tags=["hookapp"],
    )
    def get(self, request: Request) -> Response:
        return Response({"things": THINGS})
