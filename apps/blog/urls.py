"""The blog's pages (on this branch, only the stand-in post page the comments hang from)."""

from django.urls import path

from apps.blog.views import reading

app_name = "blog"

urlpatterns = [
    path("<slug:slug>/", reading.post_detail, name="post"),
]
