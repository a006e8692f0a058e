"""Blog factories. Posts are made through the engine's services, as the editor makes them, so
their revisions exist in the document store: ``PostFactory(author=..., live=True)``."""

from __future__ import annotations

from typing import Any

import factory
from django.utils.text import slugify

from apps.blog.models import Category, Post, Tag
from apps.blog.services import PostInput, post_create, post_publish
from apps.core.models import User
from tests.core.factories import UserFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    description = ""


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"tag {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


def paragraph(text: str, block_id: str = "p1") -> dict[str, Any]:
    return {"type": "rich_text", "id": block_id, "html": f"<p>{text}</p>"}


_counter = iter(range(1, 10**9))


def make_post(
    *,
    author: User | None = None,
    live: bool = False,
    publisher: User | None = None,
    categories: list[Category] = (),  # type: ignore[assignment]
    tags: list[Tag] = (),  # type: ignore[assignment]
    **fields: Any,
) -> Post:
    """A post drafted by ``author`` (a new blog author by default); published when ``live``
    (by ``publisher``, a new blog admin by default)."""
    number = next(_counter)
    author = author or UserFactory(roles=["blog_author"])
    data = PostInput(
        title=fields.pop("title", f"Post number {number}"),
        slug=fields.pop("slug", f"post-number-{number}"),
        body=fields.pop("body", [paragraph(f"Words of post {number}.")]),
        excerpt=fields.pop("excerpt", f"The excerpt of post {number}."),
        seo_description=fields.pop("seo_description", ""),
        cover_alt=fields.pop("cover_alt", ""),
        category_ids=tuple(c.pk for c in categories),
        tag_names=tuple(t.name for t in tags),
    )
    assert not fields, f"unknown fields {fields}"
    post = post_create(author=author, data=data)
    if live:
        post_publish(post=post, publisher=publisher or UserFactory(roles=["blog_admin"]))
        post.refresh_from_db()
    return post


class PostFactory(factory.Factory):
    """``PostFactory(live=True, author=..., categories=[...], tags=[...], title=...)``."""

    class Meta:
        model = Post

    @classmethod
    def _create(cls, model_class: type[Post], *args: Any, **kwargs: Any) -> Post:
        return make_post(**kwargs)
