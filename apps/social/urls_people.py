"""People's own addresses, /@<handle>/ and beneath it (namespace "people")."""

from __future__ import annotations

from django.urls import URLPattern, re_path

from apps.social.views import moderation as moderation_views
from apps.social.views import people as people_views
from apps.social.views import profiles as profile_views

app_name = "people"

_HANDLE = r"(?P<handle>[A-Za-z0-9_]{1,30})"

urlpatterns: list[URLPattern] = [
    # The profile with its tabs (views/profiles.py); a handle in another case redirects.
    re_path(rf"^{_HANDLE}/$", profile_views.profile, name="profile"),
    # Relations (views/people.py).
    re_path(rf"^{_HANDLE}/followers/$", people_views.connections, {"which": "followers"}, name="followers"),
    re_path(rf"^{_HANDLE}/following/$", people_views.connections, {"which": "following"}, name="following"),
    re_path(
        rf"^{_HANDLE}/(?P<action>follow|unfollow|block|unblock|mute|unmute)/$",
        people_views.relationship,
        name="relationship",
    ),
    # Staff's account controls (views/moderation.py).
    re_path(
        rf"^{_HANDLE}/moderate/(?P<action>silence|unsilence|suspend|unsuspend)/$",
        moderation_views.account_moderate,
        name="moderate",
    ),
]
