"""The social network's pages under /social/: each part's routes, in one namespace."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "social"

# Each part of the network adds its own list here (posts, relations, messages, timelines).
urlpatterns: list[URLPattern] = []
