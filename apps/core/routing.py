from django.urls import path

from apps.core.comments.consumers import ThreadConsumer
from apps.core.notifications.consumers import BellConsumer

websocket_urlpatterns = [
    # The notification stream, with the bell's unread count (apps/core/notifications/consumers.py).
    path("ws/notifications/", BellConsumer.as_asgi()),
    # comments.realtime.thread_socket_path() builds this address for pages.
    path("ws/comments/<str:kind>/<id:target_id>/", ThreadConsumer.as_asgi()),
]
