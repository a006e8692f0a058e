"""The social network's websockets (its hook's ``websockets``; config/routing.py collects them)."""

from __future__ import annotations

from django.urls import path, re_path

from apps.social.consumers import ConversationConsumer
from apps.social.consumers_timelines import TimelineConsumer

websocket_urlpatterns = [
    # realtime.conversation_socket_path() builds this address for pages.
    path("ws/social/messages/<id:conversation_id>/", ConversationConsumer.as_asgi()),
    # The live "N new posts" bar of the home and public timelines (consumers_timelines.py).
    re_path(r"^ws/social/timeline/(?P<stream>home|public)/$", TimelineConsumer.as_asgi()),
]
