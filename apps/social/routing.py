"""The social network's websockets (its hook's ``websockets``; config/routing.py collects them)."""

from __future__ import annotations

from django.urls import path

from apps.social.consumers import ConversationConsumer

websocket_urlpatterns = [
    # realtime.conversation_socket_path() builds this address for pages.
    path("ws/social/messages/<id:conversation_id>/", ConversationConsumer.as_asgi()),
]
