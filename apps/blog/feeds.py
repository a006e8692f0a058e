"""RSS 2.0 and Atom feeds of the blog, of each category and of each tag (live posts only).

Titles and excerpts are plain text. RSS readers commonly treat a title as HTML, so RSS titles
are escaped once more (Django's default); Atom says a title is text unless marked otherwise, so
Atom titles are not. Descriptions are HTML in both formats: the excerpt's Markdown, rendered and
sanitised as on the site (apps.core.blocks.markdown), so its raw HTML is text there too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from apps.blog import selectors
from apps.blog.models import Category, Post, Tag
from apps.core.blocks import prose_markdown


class PostsRssFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Category | Tag | None:
        return None

    def title(self, obj: Category | Tag | None) -> str:
        return f"{settings.SITE_NAME} blog" + (f": {obj.name}" if obj is not None else "")

    def link(self, obj: Category | Tag | None) -> str:
        return obj.get_absolute_url() if obj is not None else reverse("blog:post-list")

    def description(self, obj: Category | Tag | None) -> str:
        return getattr(obj, "description", "") or f"The newest posts of the {settings.SITE_NAME} blog."

    def items(self, obj: Category | Tag | None) -> list[Post]:
        return selectors.post_list_for_feed()

    def item_title(self, item: Post) -> str:
        return escape(item.title)

    def item_description(self, item: Post) -> str:
        return prose_markdown(item.excerpt)

    def item_link(self, item: Post) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Post) -> str:
        return str(item.author)

    def item_pubdate(self, item: Post) -> datetime | None:
        return item.first_published_at

    def item_updateddate(self, item: Post) -> datetime | None:
        return item.last_published_at

    def item_categories(self, item: Post) -> list[str]:
        return [category.name for category in item.categories.all()] + [tag.name for tag in item.tags.all()]


class PostsAtomFeed(PostsRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: Category | Tag | None) -> str:
        return self.description(obj)

    def item_title(self, item: Post) -> str:
        return item.title


class _CategoryFeed:
    def get_object(self, request: HttpRequest, slug: str) -> Category:
        category = selectors.category_get(slug=slug)
        if category is None:
            raise Http404("No such category.")
        return category

    def items(self, obj: Category) -> list[Post]:
        return selectors.post_list_for_feed(category=obj.slug)


class _TagFeed:
    def get_object(self, request: HttpRequest, slug: str) -> Tag:
        tag = selectors.tag_get(slug=slug)
        if tag is None:
            raise Http404("No such tag.")
        return tag

    def items(self, obj: Tag) -> list[Post]:
        return selectors.post_list_for_feed(tag=obj.slug)


class CategoryRssFeed(_CategoryFeed, PostsRssFeed):
    pass


class CategoryAtomFeed(_CategoryFeed, PostsAtomFeed):
    pass


class TagRssFeed(_TagFeed, PostsRssFeed):
    pass


class TagAtomFeed(_TagFeed, PostsAtomFeed):
    pass
