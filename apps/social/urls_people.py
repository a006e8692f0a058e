"""People's own addresses, /@<handle>/ and beneath it (namespace "people")."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "people"

urlpatterns: list[URLPattern] = []
