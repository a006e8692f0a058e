"""People's own addresses, /@<handle>/ and beneath it (namespace "people")."""

from __future__ import annotations

from django.urls import URLPattern, re_path

from apps.social import selectors_profile
from apps.social.views import moderation as moderation_views
from apps.social.views import people as people_views
from apps.social.views import profiles as profile_views

app_name = "people"

_HANDLE = r"(?P<handle>[A-Za-z0-9_]{1,30})"

urlpatterns: list[URLPattern] = [
    # The profile with its tabs (views/profiles.py); a handle in another case redirects.
    re_path(rf"^{_HANDLE}/$", profile_views.profile, name="profile"),
    re_path(rf"^{_HANDLE}/(?P<tab>replies|media)/$", profile_views.profile, name="profile-tab"),
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
    # The tabs other apps fill through their hook's profile_sections (/@ada/blog/), after every
    # address of the profile's own: selectors_profile refuses a section key that one of them takes.
    re_path(rf"^{_HANDLE}/(?P<tab>[a-z][a-z0-9-]{{0,29}})/$", profile_views.profile, name="profile-section"),
]

selectors_profile.profile_sections()  # a section shadowing one of the addresses above stops start-up
