"""/api/v1/social/: the social network's API, one mount from the hook (apps/social/platform.py).

People and relations (apps/social/api/people.py) go by handle, conversations and their
messages (apps/social/api/messages.py) by id; presence is apps/social/api/presence.py. A handle
is matched as ``str``: an address that is no handle simply names nobody (404). Parts that come
later add their own module and their patterns here. Posts (apps/social/api/posts.py) go by id,
their timelines (apps/social/api/timelines.py) by name; search is apps/social/api/search.py."""

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
from apps.social.api import messages, people, posts, presence, search, timelines
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
        "posts": "api-social-posts",
        "bookmarks": "api-social-bookmarks",
        "home": "api-social-timeline-home",
        "public": "api-social-timeline-public",
        "trends": "api-social-trends",
        "suggestions": "api-social-suggestions",
    }

    @extend_schema(summary="The social network API's endpoints", responses=ApiRootOutput, tags=TAGS)
    def get(self, request: Request) -> Response:
        links = {key: reverse(name, request=request) for key, name in self.LINKS.items()}
        return Response({"name": f"{settings.SITE_NAME} social API", "version": "v1", "links": links})


PROFILE = "profiles/<str:handle>/"
CONVERSATION = "conversations/<id:pk>/"
POST = "posts/<id:pk>/"

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
    # Posts, what people do with them, and timelines.
    path("posts/", posts.PostCreateView.as_view(), name="api-social-posts"),
    path(POST, posts.PostView.as_view(), name="api-social-post"),
    path(f"{POST}history/", posts.PostHistoryView.as_view(), name="api-social-post-history"),
    path(f"{POST}replies/", posts.RepliesView.as_view(), name="api-social-post-replies"),
    path(f"{POST}likes/", posts.LikersView.as_view(), name="api-social-post-likes"),
    path(f"{POST}reposts/", posts.RepostersView.as_view(), name="api-social-post-reposts"),
    path(f"{POST}like/", posts.LikeView.as_view(), name="api-social-post-like"),
    path(f"{POST}repost/", posts.RepostView.as_view(), name="api-social-post-repost"),
    path(f"{POST}bookmark/", posts.BookmarkView.as_view(), name="api-social-post-bookmark"),
    path("bookmarks/", posts.BookmarksView.as_view(), name="api-social-bookmarks"),
    path(f"{PROFILE}posts/", posts.PersonPostsView.as_view(), name="api-social-profile-posts"),
    path("timelines/home/", timelines.HomeTimelineView.as_view(), name="api-social-timeline-home"),
    path("timelines/public/", timelines.PublicTimelineView.as_view(), name="api-social-timeline-public"),
    path("timelines/tag/<str:name>/", timelines.HashtagTimelineView.as_view(), name="api-social-timeline-tag"),
    path("trends/", timelines.TrendsView.as_view(), name="api-social-trends"),
    path("suggestions/", timelines.SuggestionsView.as_view(), name="api-social-suggestions"),
]
