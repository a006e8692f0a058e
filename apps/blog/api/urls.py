"""/api/v1/blog/: public reads by slug (a post's address), writing and review by id (stable while
the draft's title and address change). ``mine`` and ``review`` are reserved post addresses, so
they never shadow a post. See docs/blog-api.md."""

from django.urls import path

from apps.blog.api import views

urlpatterns = [
    path("", views.BlogApiRootView.as_view(), name="api-blog-root"),
    path("posts/", views.PostListView.as_view(), name="api-blog-posts"),
    path("posts/mine/", views.MyPostListView.as_view(), name="api-blog-posts-mine"),
    path("posts/review/", views.ReviewQueueView.as_view(), name="api-blog-posts-review"),
    path("posts/<id:pk>/draft/", views.PostDraftView.as_view(), name="api-blog-post-draft"),
    path("posts/<id:pk>/submit/", views.PostSubmitView.as_view(), name="api-blog-post-submit"),
    path("posts/<id:pk>/publish/", views.PostPublishView.as_view(), name="api-blog-post-publish"),
    path(
        "posts/<id:pk>/request-changes/",
        views.PostRequestChangesView.as_view(),
        name="api-blog-post-request-changes",
    ),
    path("posts/<id:pk>/schedule/", views.PostScheduleView.as_view(), name="api-blog-post-schedule"),
    path("posts/<id:pk>/unpublish/", views.PostUnpublishView.as_view(), name="api-blog-post-unpublish"),
    path("posts/<slug:slug>/", views.PostDetailView.as_view(), name="api-blog-post"),
    path("posts/<slug:slug>/comments/", views.PostCommentListView.as_view(), name="api-blog-post-comments"),
    path("categories/", views.CategoryListView.as_view(), name="api-blog-categories"),
    path("tags/", views.TagListView.as_view(), name="api-blog-tags"),
]
