"""Reads of the blog, for its pages, its API and its consumers alike: what visitors see (live
posts, cached), and what editors work on.

Visitors' reads (lists, a post with its related posts, feeds, categories and tags with counts,
the API's answers) are fragments of the page cache (``apps.core.platform.pagecache.cached`` in the
``blog`` namespace): every publish or unpublish through the engine and every profile change
makes all of them stale at once (both clear the site namespace, which every namespace depends
on), and so does ``forget_live_reads()`` (for changes visitors see that are not publications,
e.g. comments). With the cache down they are read straight from SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from apps.blog.comments import POST_KIND
from apps.blog.models import Category, Post, Tag
from apps.core.comments import Comment, comment_list_published
from apps.core.models import User
from apps.core.platform import pagecache
from apps.core.publishing import selectors as publishing

T = TypeVar("T")
NAMESPACE = "blog"
PAGE_SIZE = 10
RELATED_LIMIT = 3
FEED_LIMIT = 20
# Lists never need a post's body or review fields; leaving them out keeps cached lists small.
_LIST_DEFERRED = ("body", "review_note", "seo_description")
# What the API's list shows of a post and its author: never the body, review notes or schedule.
_COMPACT_FIELDS = (
    "id",
    "title",
    "slug",
    "excerpt",
    "cover",
    "cover_alt",
    "reading_time",
    "live",
    "first_published_at",
    "last_published_at",
    "author",
    "author__id",
    "author__display_name",
)
_COMPACT_DETAIL_FIELDS = (*_COMPACT_FIELDS, "body", "seo_description", "live_revision")


# --- Caching ------------------------------------------------------------------------------------


def cached_live(name: str, load: Callable[[], T], *, max_seconds: int | None = None) -> T:
    """``load()`` kept until the next publish, unpublish, profile change (core clears the site
    namespace, which every namespace depends on) or ``forget_live_reads()``, at most
    PAGE_CACHE_SECONDS (or ``max_seconds``); one cache round trip when warm. None is not kept
    (a guessed address must not fill the cache)."""
    return pagecache.cached(NAMESPACE, name, load, max_seconds=max_seconds)


def forget_live_reads() -> None:
    """Make every cached read and page of the blog stale (now, and again on commit)."""
    pagecache.invalidate(NAMESPACE)


# --- Live posts ---------------------------------------------------------------------------------


def _categories_by_name() -> Prefetch:
    return Prefetch("categories", queryset=Category.objects.order_by("name"))


def _tags_by_name() -> Prefetch:
    return Prefetch("tags", queryset=Tag.objects.order_by("name"))


def live_posts_matching(
    *, category: str | None = None, tag: str | None = None, author_id: int | None = None, q: str = ""
) -> QuerySet[Post]:
    """Live posts narrowed to a category or tag slug, an author, or posts whose title or excerpt
    holds every word of ``q`` (the first eight): the filtering the pages and the API share."""
    posts = Post.objects.filter(live=True)
    if category:
        posts = posts.filter(categories__slug=category)
    if tag:
        posts = posts.filter(tags__slug=tag)
    if author_id is not None:
        posts = posts.filter(author_id=author_id)
    for word in q.split()[:8]:
        posts = posts.filter(Q(title__icontains=word) | Q(excerpt__icontains=word))
    return posts


def post_list_live(
    *, category: str | None = None, tag: str | None = None, author_id: int | None = None, q: str = ""
) -> QuerySet[Post]:
    """Live posts, newest first, with author, categories and tags loaded (three queries for any
    number of posts), optionally narrowed as ``live_posts_matching`` does."""
    posts = live_posts_matching(category=category, tag=tag, author_id=author_id, q=q)
    return (
        posts.select_related("author")
        .prefetch_related(_categories_by_name(), _tags_by_name())
        .defer(*_LIST_DEFERRED)
        .order_by("-first_published_at", "-pk")
    )


@dataclass
class PostPage:
    """One page of a list of posts: plain values, so it can be cached."""

    posts: list[Post]
    number: int
    num_pages: int
    count: int
    filters: dict[str, Any] = field(default_factory=dict)
    key: str = ""  # its cache name; "" when it must not be cached (searches, deep pages)
    cards: str = ""  # its posts rendered (apps/blog/fragments.py)

    @property
    def paginator(self) -> Paginator:
        """A paginator with as many pages (one number a page), for components/pagination.html,
        which reads ``page.paginator``; the posts themselves are not kept."""
        return Paginator(range(self.num_pages), 1)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _words(q: str) -> str:
    return " ".join(q.split())[:100]


def post_page_key(
    *,
    page: Any = 1,
    category: str | None = None,
    tag: str | None = None,
    author_id: int | None = None,
    q: str = "",
    per_page: int = PAGE_SIZE,
) -> str:
    """The name a page of live posts is cached under, or "" for searches and deep pages, whose
    variety would let crawlers fill the cache."""
    number = page if isinstance(page, int) else (int(page) if str(page).isdigit() else 1)
    if _words(q) or number > 50:
        return ""
    return f"list:{category or ''}:{tag or ''}:{author_id or ''}:{number}:{per_page}"


def post_page_live(
    *,
    page: Any = 1,
    category: str | None = None,
    tag: str | None = None,
    author_id: int | None = None,
    q: str = "",
    per_page: int = PAGE_SIZE,
) -> PostPage:
    """A page of ``post_list_live`` (a bad page number gives the nearest page); uncached
    (fragments.post_list_page caches it with its rendered cards)."""
    name = post_page_key(page=page, category=category, tag=tag, author_id=author_id, q=q, per_page=per_page)
    q = _words(q)
    paginator = Paginator(post_list_live(category=category, tag=tag, author_id=author_id, q=q), per_page)
    current = paginator.get_page(page)
    filters = {"category": category, "tag": tag, "author_id": author_id, "q": q}
    return PostPage(list(current.object_list), current.number, paginator.num_pages, paginator.count, filters, name)


def post_get_live(*, slug: str) -> Post | None:
    """The live post at ``slug`` with its author, categories and tags; None for anything else."""
    return (
        Post.objects.filter(live=True, slug=slug)
        .select_related("author")
        .prefetch_related(_categories_by_name(), _tags_by_name())
        .first()
    )


def _terms_as_lists() -> list[Prefetch]:
    # Plain lists (to_attr): reading them builds no related manager per post.
    return [
        Prefetch(
            "categories",
            queryset=Category.objects.only("id", "name", "slug").order_by("name"),
            to_attr="live_categories",
        ),
        Prefetch("tags", queryset=Tag.objects.only("id", "name", "slug").order_by("name"), to_attr="live_tags"),
    ]


def post_list_live_compact(
    *, category: str | None = None, tag: str | None = None, author_id: int | None = None, q: str = ""
) -> QuerySet[Post]:
    """``post_list_live`` as the API shows it: only the fields a list shows, the terms as the
    lists ``live_categories`` and ``live_tags`` (three queries for any number of posts)."""
    posts = live_posts_matching(category=category, tag=tag, author_id=author_id, q=q)
    return (
        posts.select_related("author")
        .prefetch_related(*_terms_as_lists())
        .only(*_COMPACT_FIELDS)
        .order_by("-first_published_at", "-pk")
    )


def post_get_live_compact(*, slug: str) -> Post | None:
    """The live post at ``slug`` as the API shows it (terms as lists); None for anything else."""
    return (
        Post.objects.filter(live=True, slug=slug)
        .select_related("author")
        .prefetch_related(*_terms_as_lists())
        .only(*_COMPACT_DETAIL_FIELDS)
        .first()
    )


def post_id_live(*, slug: str) -> int | None:
    """The id of the live post at ``slug``, or None."""
    return Post.objects.filter(live=True, slug=slug).values_list("pk", flat=True).first()


def post_list_related(post: Post, *, limit: int = RELATED_LIMIT) -> list[Post]:
    """Other live posts sharing the most tags, then categories, with ``post`` (newest first among
    equals); one query. Reads ``post``'s own tags and categories from its prefetch."""
    tag_ids = [tag.pk for tag in post.tags.all()]
    category_ids = [category.pk for category in post.categories.all()]
    if not tag_ids and not category_ids:
        return []
    through_tags, through_categories = Post.tags.through.objects, Post.categories.through.objects
    sharing = Q(pk__in=through_tags.filter(tag_id__in=tag_ids).values("post_id")) | Q(
        pk__in=through_categories.filter(category_id__in=category_ids).values("post_id")
    )
    return list(
        Post.objects.filter(sharing, live=True)
        .exclude(pk=post.pk)
        .annotate(
            shared_tags=Count("tags", filter=Q(tags__in=tag_ids), distinct=True),
            shared_categories=Count("categories", filter=Q(categories__in=category_ids), distinct=True),
        )
        .select_related("author")
        .defer(*_LIST_DEFERRED)
        .order_by("-shared_tags", "-shared_categories", "-first_published_at", "-pk")[:limit]
    )


@dataclass
class PostDetail:
    """What a post's page shows: the post and its related posts."""

    post: Post
    related: list[Post]


def post_detail_live(*, slug: str) -> PostDetail | None:
    """A live post and its related posts (uncached: fragments.post_view_live caches the page made
    of them)."""
    post = post_get_live(slug=slug)
    return PostDetail(post, post_list_related(post)) if post is not None else None


def post_list_recent(*, limit: int = 3) -> list[Post]:
    """The newest live posts (the ``latest_posts`` slot, which keeps its rendered cards)."""
    return list(post_list_live()[:limit])


def post_list_for_feed(*, category: str | None = None, tag: str | None = None) -> list[Post]:
    """The newest live posts of the blog, a category or a tag, for RSS and Atom; cached."""
    return cached_live(
        f"feed:{category or ''}:{tag or ''}",
        lambda: list(post_list_live(category=category, tag=tag)[:FEED_LIMIT]),
    )


# --- Categories, tags, authors -------------------------------------------------------------------


def category_get(*, slug: str) -> Category | None:
    return cached_live(f"category:{slug}", lambda: Category.objects.filter(slug=slug).first())


def tag_get(*, slug: str) -> Tag | None:
    return cached_live(f"tag:{slug}", lambda: Tag.objects.filter(slug=slug).first())


def category_list_with_counts() -> list[Category]:
    """Categories that have live posts, each with ``live_posts``."""
    return list(
        Category.objects.annotate(live_posts=Count("posts", filter=Q(posts__live=True)))
        .filter(live_posts__gt=0)
        .order_by("name")
    )


def category_list_all_with_counts() -> QuerySet[Category]:
    """Every category by name, each with the number of its live posts as ``post_count`` (one query)."""
    return Category.objects.annotate(post_count=Count("posts", filter=Q(posts__live=True))).order_by("name", "pk")


def tag_list_live() -> QuerySet[Tag]:
    """Tags of live posts by name, with ``post_count``. Tags used only by drafts are left out: an
    author's labels must not reveal what they are writing."""
    return (
        Tag.objects.annotate(post_count=Count("posts", filter=Q(posts__live=True)))
        .filter(post_count__gt=0)
        .order_by("name", "pk")
    )


def comment_list_approved(*, post_id: int) -> QuerySet[Comment]:
    """The approved comments of a post, oldest first, flat (replies name their parent), with
    their authors' names."""
    return comment_list_published(kind=POST_KIND, target_id=post_id).only(
        "id", "parent", "body", "created_at", "author", "author__id", "author__display_name"
    )


def category_list() -> QuerySet[Category]:
    """Every category (editors choose from them)."""
    return Category.objects.order_by("name")


def tag_list_with_counts(*, limit: int = 30) -> list[Tag]:
    """The most used tags of live posts, each with ``live_posts``, by name."""
    top = (
        Tag.objects.annotate(live_posts=Count("posts", filter=Q(posts__live=True)))
        .filter(live_posts__gt=0)
        .order_by("-live_posts", "name")[:limit]
    )
    return sorted(top, key=lambda tag: tag.name.lower())


def terms_with_counts() -> dict[str, list[Any]]:
    """The side column of the lists: categories and tags with their live posts; one cache entry."""
    return cached_live("terms", lambda: {"categories": category_list_with_counts(), "tags": tag_list_with_counts()})


def author_get_with_live_posts(*, pk: int) -> User | None:
    """An author who has live posts; anyone else does not exist here (the blog does not list
    accounts)."""
    return cached_live(
        f"author:{pk}",
        lambda: User.objects.filter(pk=pk, is_active=True, blog_posts__live=True).distinct().first(),
    )


# --- Editors ------------------------------------------------------------------------------------


def post_get_for_editor(*, pk: int) -> Post | None:
    """Any post whatever its state, with its author (editors then prove their access)."""
    return Post.objects.select_related("author").filter(pk=pk).first()


def post_queryset_any() -> QuerySet[Post]:
    """Every post whatever its state, with its author (previews find theirs in it, then prove
    their access)."""
    return Post.objects.select_related("author")


@dataclass(frozen=True)
class Draft:
    """A post with the content of its newest revision (what its editors work on)."""

    post: Post
    content: dict[str, Any]


def drafts_of(posts: Iterable[Post]) -> list[Draft]:
    """Each post with its newest revision's content (the row's own content before any revision):
    one document query for all of them."""
    posts = list(posts)
    latest = publishing.draft_contents(posts)
    return [Draft(post, latest[post.pk] if post.pk in latest else post.content_of()) for post in posts]


def draft_of(post: Post) -> Draft:
    return drafts_of([post])[0]


def post_draft_content(post: Post) -> dict[str, Any]:
    """The newest revision's content: what the editor opens (the row's own content before any)."""
    return draft_of(post).content


@dataclass
class DraftRow:
    """A post as its editors see it: the row (published state) and its newest draft's content."""

    post: Post
    draft: dict[str, Any]
    can_submit: bool = False  # filled in by views, which know who is asking

    @property
    def title(self) -> str:
        return self.draft.get("title") or self.post.title


def _with_drafts(posts: QuerySet[Post]) -> list[DraftRow]:
    rows = list(posts)
    latest = publishing.draft_contents(rows)
    return [DraftRow(post, latest.get(post.pk) or {}) for post in rows]


def post_queryset_of_author(*, author: User) -> QuerySet[Post]:
    """Every post ``author`` wrote, whatever its state, newest first (the API pages it)."""
    return Post.objects.filter(author=author).select_related("author").order_by("-created_at", "-pk")


def post_queryset_submitted() -> QuerySet[Post]:
    """Posts waiting for review, longest waiting first (the API pages it)."""
    return (
        Post.objects.filter(review_state=Post.ReviewState.SUBMITTED)
        .select_related("author")
        .order_by("submitted_at", "pk")
    )


def post_list_for_author(*, user: User) -> list[DraftRow]:
    """Every post ``user`` wrote, newest first, with each newest draft's content
    (one SQL and one document query)."""
    return _with_drafts(post_queryset_of_author(author=user).defer("body"))


def post_list_submitted() -> list[DraftRow]:
    """The review queue: posts waiting for a blog admin, oldest submission first."""
    return _with_drafts(post_queryset_submitted().defer("body"))


def post_list_scheduled() -> list[DraftRow]:
    """Posts with a publication time ahead, soonest first."""
    posts = (
        Post.objects.filter(go_live_at__isnull=False, scheduled_revision__isnull=False)
        .select_related("author")
        .defer("body")
        .order_by("go_live_at", "pk")
    )
    return _with_drafts(posts)


def review_summary() -> dict[str, int]:
    """Counts for the blog admin's dashboard, in one query."""
    return Post.objects.aggregate(
        submitted=Count("pk", filter=Q(review_state=Post.ReviewState.SUBMITTED)),
        scheduled=Count("pk", filter=Q(go_live_at__isnull=False, scheduled_revision__isnull=False)),
        live=Count("pk", filter=Q(live=True)),
    )
