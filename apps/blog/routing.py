from django.urls import path

from apps.blog.consumers import PostCommentsConsumer
from apps.core import converters  # noqa: F401 (registers <id:...>)

# realtime.post_comments_socket_path() builds this address for pages.
websocket_urlpatterns = [
    path("ws/blog/posts/<id:post_id>/comments/", PostCommentsConsumer.as_asgi()),
]
