"""/api/v1/social/: the social network's API, one mount from the hook (apps/social/platform.py).

People and relations (apps/social/api/people.py) go by handle, conversations and their
messages (apps/social/api/messages.py) by id; presence is apps/social/api/presence.py. A handle
is matched as ``str``: an address that is no handle simply names nobody (404). Parts that come
later (posts, timelines) add their own module and their patterns here, as search
(apps/social/api/search.py) did."""

from __future__ import annotations

from django.conf import settings
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from apps.core.api import ApiRootOutput
from apps.social.api import messages, people, presence, search
from apps.social.api.common import TAGS


class SocialApiRootView(APIView):
    """Where the social network's API starts: links to its lists."""

    permission_classes = [AllowAny]
    # Parts that come later add their lists here (name in the answer: URL name).
    LINKS = {
        "conversations": "api-social-conversations",
        "follow_requests": "api-social-follow-requests",
        "my_profile": "api-social-my-profile",
        "presence": "api-social-presence",
        "search": "api-social-search",
    }

    @extend_schema(summary="The social network API's endpoints", responses=ApiRootOutput, tags=TAGS)
    def get(self, request: Request) -> Response:
        links = {key: reverse(name, request=request) for key, name in self.LINKS.items()}
        return Response({"name": f"{settings.SITE_NAME} social API", "version": "v1", "links": links})


PROFILE = "profiles/<str:handle>/"
CONVERSATION = "conversations/<id:pk>/"

urlpatterns = [
    path("", SocialApiRootView.as_view(), name="api-social-root"),
    path("presence/", include(presence.urlpatterns)),
    # People and relations.
    path(PROFILE, people.ProfileView.as_view(), name="api-social-profile"),
    path(f"{PROFILE}followers/", people.FollowersView.as_view(), name="api-social-followers"),
    path(f"{PROFILE}following/", people.FollowingView.as_view(), name="api-social-following"),
    path(f"{PROFILE}follow/", people.FollowView.as_view(), name="api-social-follow"),
    path(f"{PROFILE}block/", people.BlockView.as_view(), name="api-social-block"),
    path(f"{PROFILE}mute/", people.MuteView.as_view(), name="api-social-mute"),
    path("follow-requests/", people.FollowRequestListView.as_view(), name="api-social-follow-requests"),
    path(
        "follow-requests/<str:handle>/approve/",
        people.FollowRequestApproveView.as_view(),
        name="api-social-follow-request-approve",
    ),
    path(
        "follow-requests/<str:handle>/reject/",
        people.FollowRequestRejectView.as_view(),
        name="api-social-follow-request-reject",
    ),
    path("me/profile/", people.MyProfileView.as_view(), name="api-social-my-profile"),
    # Direct messages.
    path("conversations/", messages.ConversationListView.as_view(), name="api-social-conversations"),
    path(CONVERSATION, messages.ConversationView.as_view(), name="api-social-conversation"),
    path(f"{CONVERSATION}messages/", messages.MessageListView.as_view(), name="api-social-messages"),
    path(f"{CONVERSATION}messages/<id:message_pk>/", messages.MessageView.as_view(), name="api-social-message"),
    path(f"{CONVERSATION}read/", messages.ReadView.as_view(), name="api-social-conversation-read"),
    path(f"{CONVERSATION}accept/", messages.AcceptView.as_view(), name="api-social-conversation-accept"),
    path(f"{CONVERSATION}decline/", messages.DeclineView.as_view(), name="api-social-conversation-decline"),
    path(f"{CONVERSATION}leave/", messages.LeaveView.as_view(), name="api-social-conversation-leave"),
    # Search (people, hashtags, posts).
    path("search/", search.SearchView.as_view(), name="api-social-search"),
]
