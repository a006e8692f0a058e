"""Comment addresses for every kind, and the platform's moderation queue (apps/core/urls.py
mounts them at the site's root, namespace ``comments``)."""

from django.urls import path

from apps.core.comments import views

app_name = "comments"

# One comment's addresses. A domain that links its comments under its own prefix
# (/<domain>/comments/<id>/...) mounts these same routes in its urlconf rather than copying them.
COMMENT_ROUTES = [
    path("comments/<id:pk>/", views.comment_detail, name="detail"),
    path("comments/<id:pk>/reply/", views.comment_reply, name="reply"),
    path("comments/<id:pk>/edit/", views.comment_edit, name="edit"),
    path("comments/<id:pk>/delete/", views.comment_delete, name="delete"),
    path("comments/<id:pk>/flag/", views.comment_flag, name="flag"),
    path("comments/<id:pk>/approve/", views.comment_moderate, {"decision": "approve"}, name="approve"),
    path("comments/<id:pk>/reject/", views.comment_moderate, {"decision": "reject"}, name="reject"),
    path("comments/<id:pk>/remove/", views.comment_moderate, {"decision": "remove"}, name="remove"),
    path("comments/<id:pk>/ban-author/", views.comment_ban_author, name="ban-author"),
    path("comments/bans/<id:user_id>/unban/", views.commenter_unban, name="unban"),
]

urlpatterns = [
    path("moderation/", views.moderation_queue, name="moderation"),
    path("comments/on/<str:kind>/<id:target_id>/", views.comment_create, name="create"),
    *COMMENT_ROUTES,
]
