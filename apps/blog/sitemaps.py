"""The blog's part of /sitemap.xml: its index, live posts, and categories and tags with live posts."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from apps.blog.models import Category, Post, Tag


class BlogIndexSitemap(Sitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["blog:post-list"]

    def location(self, item: str) -> str:
        return reverse(item)


class PostSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self) -> QuerySet[Post]:
        return Post.objects.filter(live=True).only("slug", "last_published_at").order_by("-first_published_at", "-pk")

    def lastmod(self, item: Post) -> datetime | None:
        return item.last_published_at


class CategorySitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet[Category]:
        return Category.objects.filter(posts__live=True).distinct().only("slug").order_by("slug")


class TagSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self) -> QuerySet[Tag]:
        return Tag.objects.filter(posts__live=True).distinct().only("slug").order_by("slug")


SITEMAPS = {
    "blog": BlogIndexSitemap,
    "posts": PostSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
}
