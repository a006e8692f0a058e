"""The social network's pages under /social/: each part's routes, in one namespace."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "social"

# Each part of the network adds its own list here (posts, relations, messages, timelines).
urlpatterns: list[URLPattern] = []

# --- Timelines (apps/social/views/timelines.py) ---------------------------------------------
from django.urls import path  # noqa: E402

from apps.social.views import timelines as timeline_views  # noqa: E402

urlpatterns += [
    path("", timeline_views.home, name="home"),
    path("public/", timeline_views.public, name="public"),
    path("tags/<str:name>/", timeline_views.hashtag, name="hashtag"),
    path("trending/", timeline_views.trending, name="trending"),
]
