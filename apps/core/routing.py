from django.urls import path

from apps.core.comments.consumers import ThreadConsumer
from apps.core.platform.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    # comments.realtime.thread_socket_path() builds this address for pages.
    path("ws/comments/<str:kind>/<id:target_id>/", ThreadConsumer.as_asgi()),
]
