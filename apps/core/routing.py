from django.urls import path

from apps.core.comments.consumers import ThreadConsumer
from apps.core.notifications.consumers import BellConsumer
from apps.core.platform.presence_consumer import PresenceConsumer

websocket_urlpatterns = [
    # The notification stream, with the bell's unread count (apps/core/notifications/consumers.py).
    path("ws/notifications/", BellConsumer.as_asgi()),
    # comments.realtime.thread_socket_path() builds this address for pages.
    path("ws/comments/<str:kind>/<id:target_id>/", ThreadConsumer.as_asgi()),
    # A signed-in tab's heartbeat and its page's live badges (apps/core/platform/presence_consumer.py).
    path("ws/presence/", PresenceConsumer.as_asgi()),
]
