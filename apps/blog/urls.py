from django.urls import path
from django.views.decorators.http import require_GET

from apps.blog import feeds
from apps.blog.selectors import NAMESPACE
from apps.blog.views import editing, reading
from apps.core.platform import cache_public_page

app_name = "blog"
# Feed readers come without cookies: they get the whole feed from the page cache.
public = cache_public_page(NAMESPACE)

urlpatterns = [
    path("", reading.post_list, name="post-list"),
    path("feed/rss/", require_GET(public(feeds.PostsRssFeed())), name="feed-rss"),
    path("feed/atom/", require_GET(public(feeds.PostsAtomFeed())), name="feed-atom"),
    path("category/<slug:slug>/", reading.category_detail, name="category"),
    path("category/<slug:slug>/feed/rss/", require_GET(public(feeds.CategoryRssFeed())), name="category-feed-rss"),
    path("category/<slug:slug>/feed/atom/", require_GET(public(feeds.CategoryAtomFeed())), name="category-feed-atom"),
    path("tag/<slug:slug>/", reading.tag_detail, name="tag"),
    path("tag/<slug:slug>/feed/rss/", require_GET(public(feeds.TagRssFeed())), name="tag-feed-rss"),
    path("tag/<slug:slug>/feed/atom/", require_GET(public(feeds.TagAtomFeed())), name="tag-feed-atom"),
    path("author/<id:pk>/", reading.author_detail, name="author"),
    # Writing and reviewing
    path("write/", editing.post_write, name="write"),
    path("write/autosave/", editing.post_autosave_new, name="autosave-new"),
    path("mine/", editing.post_mine, name="mine"),
    path("review/", editing.review_queue, name="review"),
    path("review/categories/", editing.category_create, name="category-create"),
    path("posts/<id:pk>/edit/", editing.post_edit, name="edit"),
    path("posts/<id:pk>/autosave/", editing.post_autosave, name="autosave"),
    path("posts/<id:pk>/preview/", editing.post_preview, name="preview"),
    path("posts/<id:pk>/submit/", editing.post_submit, name="submit"),
    path("posts/<id:pk>/publish/", editing.post_publish, name="publish"),
    path("posts/<id:pk>/schedule/", editing.post_schedule, name="schedule"),
    path("posts/<id:pk>/unschedule/", editing.post_unschedule, name="unschedule"),
    path("posts/<id:pk>/unpublish/", editing.post_unpublish, name="unpublish"),
    path("posts/<id:pk>/request-changes/", editing.post_request_changes, name="request-changes"),
    # Last: a post's own address.
    path("<slug:slug>/", reading.post_detail, name="post"),
]
