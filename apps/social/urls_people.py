"""People's own addresses, /@<handle>/ and beneath it (namespace "people")."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "people"

urlpatterns: list[URLPattern] = []

# --- Profiles (apps/social/views/profiles.py) ---------------------------------------------------
from django.urls import path  # noqa: E402

from apps.social.views import profiles as profile_views  # noqa: E402

urlpatterns += [path("<str:handle>/", profile_views.profile, name="profile")]
