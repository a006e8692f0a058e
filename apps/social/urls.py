"""The social network's pages under /social/: each part's routes, in one namespace."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "social"

# Each part of the network adds its own list here (posts, relations, messages, timelines).
urlpatterns: list[URLPattern] = []

# --- Posts (apps/social/views/posts.py) ---------------------------------------------------------
from django.urls import path  # noqa: E402

from apps.social.views import posts as post_views  # noqa: E402
from apps.social.views import profiles as profile_views  # noqa: E402

urlpatterns += [
    path("posts/", post_views.compose, name="compose"),
    path("posts/<int:pk>/", post_views.post_detail, name="post"),
    path("posts/<int:pk>/edit/", post_views.post_edit, name="post-edit"),
    path("posts/<int:pk>/history/", post_views.post_history, name="post-history"),
    path("posts/<int:pk>/delete/", post_views.post_delete, name="post-delete"),
    path("posts/<int:pk>/like/", post_views.post_like, name="post-like"),
    path("posts/<int:pk>/repost/", post_views.post_repost, name="post-repost"),
    path("posts/<int:pk>/bookmark/", post_views.post_bookmark, name="post-bookmark"),
    path("bookmarks/", post_views.bookmarks, name="bookmarks"),
    path("profile/", profile_views.profile_edit, name="profile-edit"),
    # A stand-in until the hashtag pages' part is merged (it owns "social:hashtag"): drop this line then.
    path("tags/<str:name>/", post_views.hashtag, name="hashtag"),
]
