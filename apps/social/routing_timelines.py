"""The timelines' websocket routes (merged with the network's other routes into routing.py)."""

from django.urls import re_path

from apps.social.consumers_timelines import TimelineConsumer

websocket_urlpatterns = [
    # The live "N new posts" bar of the home and public timelines (consumers_timelines.py).
    re_path(r"^ws/social/timeline/(?P<stream>home|public)/$", TimelineConsumer.as_asgi()),
]
