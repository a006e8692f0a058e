"""Comment addresses for every kind, and the platform's moderation queue (apps/core/urls.py
mounts them at the site's root, namespace ``comments``)."""

from django.urls import path

from apps.core.comments import views

app_name = "comments"

urlpatterns = [
    path("moderation/", views.moderation_queue, name="moderation"),
    path("comments/on/<str:kind>/<int:target_id>/", views.comment_create, name="create"),
    path("comments/<int:pk>/", views.comment_detail, name="detail"),
    path("comments/<int:pk>/reply/", views.comment_reply, name="reply"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="delete"),
    path("comments/<int:pk>/flag/", views.comment_flag, name="flag"),
    path("comments/<int:pk>/approve/", views.comment_moderate, {"decision": "approve"}, name="approve"),
    path("comments/<int:pk>/reject/", views.comment_moderate, {"decision": "reject"}, name="reject"),
    path("comments/<int:pk>/remove/", views.comment_moderate, {"decision": "remove"}, name="remove"),
    path("comments/<int:pk>/ban-author/", views.comment_ban_author, name="ban-author"),
    path("comments/bans/<int:user_id>/unban/", views.commenter_unban, name="unban"),
]
