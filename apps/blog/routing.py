from django.urls import path

from apps.blog.consumers import PostCommentsConsumer

# realtime.post_comments_socket_path() builds this address for pages.
websocket_urlpatterns = [
    path("ws/blog/posts/<int:post_id>/comments/", PostCommentsConsumer.as_asgi()),
]
