"""People's own addresses, /@<handle>/ and beneath it (namespace "people")."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "people"

urlpatterns: list[URLPattern] = []

# --- Relations (the people part): apps/social/views/people.py ---
from django.urls import re_path  # noqa: E402

from apps.social.views import people as people_views  # noqa: E402

_HANDLE = r"(?P<handle>[A-Za-z0-9_]{1,30})"
urlpatterns += [
    re_path(rf"^{_HANDLE}/followers/$", people_views.connections, {"which": "followers"}, name="followers"),
    re_path(rf"^{_HANDLE}/following/$", people_views.connections, {"which": "following"}, name="following"),
    re_path(
        rf"^{_HANDLE}/(?P<action>follow|unfollow|block|unblock|mute|unmute)/$",
        people_views.relationship,
        name="relationship",
    ),
]
