"""The social network's pages under /social/: each part's routes, in one namespace."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from apps.social.views import messages as dm
from apps.social.views import people as people_views
from apps.social.views import posts as post_views
from apps.social.views import search as search_views
from apps.social.views import timelines as timeline_views

app_name = "social"

# Each part of the network adds its own list here (posts, relations, messages, timelines).
urlpatterns: list[URLPattern | URLResolver] = []

# Relations (views/people.py).
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


# Direct messages (views/messages.py).
urlpatterns += [
    path("messages/", dm.inbox, name="messages"),
    path("messages/new/", dm.conversation_new, name="message-new"),
    path("messages/<id:conversation_id>/", dm.thread, name="message-thread"),
    path("messages/<id:conversation_id>/send/", dm.message_send, name="message-send"),
    path("messages/<id:conversation_id>/read/", dm.mark_read, name="message-read"),
    path("messages/<id:conversation_id>/accept/", dm.request_accept, name="message-accept"),
    path("messages/<id:conversation_id>/decline/", dm.request_decline, name="message-decline"),
    path("messages/<id:conversation_id>/leave/", dm.conversation_leave, name="message-leave"),
    path("messages/<id:conversation_id>/m/<id:message_id>/", dm.message_fragment, name="message-fragment"),
    path("messages/<id:conversation_id>/m/<id:message_id>/edit/", dm.message_edit, name="message-edit"),
    path("messages/<id:conversation_id>/m/<id:message_id>/delete/", dm.message_delete, name="message-delete"),
]

# Timelines (views/timelines.py).
urlpatterns += [
    path("", timeline_views.home, name="home"),
    path("public/", timeline_views.public, name="public"),
    path("tags/<str:name>/", timeline_views.hashtag, name="hashtag"),
    path("trending/", timeline_views.trending, name="trending"),
]

# Search (views/search.py).
urlpatterns += [
    path("search/", search_views.search_page, name="search"),
]

# Posts (views/posts.py).
urlpatterns += [
    path("posts/", post_views.compose, name="compose"),
    path("posts/<id:pk>/", post_views.post_detail, name="post"),
    path("posts/<id:pk>/edit/", post_views.post_edit, name="post-edit"),
    path("posts/<id:pk>/history/", post_views.post_history, name="post-history"),
    path("posts/<id:pk>/delete/", post_views.post_delete, name="post-delete"),
    path("posts/<id:pk>/like/", post_views.post_like, name="post-like"),
    path("posts/<id:pk>/repost/", post_views.post_repost, name="post-repost"),
    path("posts/<id:pk>/bookmark/", post_views.post_bookmark, name="post-bookmark"),
    path("bookmarks/", post_views.bookmarks, name="bookmarks"),
]
