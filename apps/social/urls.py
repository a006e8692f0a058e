"""The social network's pages under /social/: each part's routes, in one namespace."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "social"

# Each part of the network adds its own list here (posts, relations, messages, timelines).
urlpatterns: list[URLPattern] = []

# --- Relations (the people part): apps/social/views/people.py ---
from django.urls import path, re_path  # noqa: E402

from apps.social.views import people as people_views  # noqa: E402

urlpatterns += [
    path("requests/", people_views.requests_page, name="requests"),
    re_path(
        r"^requests/(?P<handle>[A-Za-z0-9_]{1,30})/(?P<decision>approve|reject)/$",
        people_views.request_decide,
        name="request-decide",
    ),
    path("settings/profile/", people_views.settings_profile, name="settings-profile"),
    path("settings/blocked/", people_views.settings_blocked, name="settings-blocked"),
]
