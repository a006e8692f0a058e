"""The blog's hook: everything it contributes to the platform (see apps/core/platform/hooks.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apps.blog import bench, demo, permissions
from apps.blog.comments import post_comments
from apps.blog.comments.demo import seed_comment_threads
from apps.blog.notifications import KINDS as NOTIFICATION_KINDS
from apps.blog.panels import PANELS
from apps.blog.profile_section import author_posts
from apps.blog.roles import BLOG_ADMIN, BLOG_AUTHOR, ROLES
from apps.blog.sitemaps import SITEMAPS
from apps.blog.slots import latest_posts
from apps.core.accounts import Dashboard, Tool
from apps.core.blocks import Slot
from apps.core.platform import AppHook, DemoAccount, Mount, NavLink, ProfileSection


def seed_demo(*, write: Callable[[str], Any] = print) -> None:
    """The demo categories and posts, then the comment threads on them."""
    demo.seed_blog(write=write)
    seed_comment_threads(write=write)


hook = AppHook(
    pages=(
        # Comments first: their addresses sit under /blog/comments/, which no post may take.
        Mount("blog/", "apps.blog.comments.urls"),
        Mount("blog/", "apps.blog.urls"),
    ),
    api=(Mount("blog/", "apps.blog.api.urls"),),
    api_links={"blog_posts": "api-blog-posts", "blog_categories": "api-blog-categories", "blog_tags": "api-blog-tags"},
    sitemaps=SITEMAPS,
    nav=(NavLink("Blog", "blog:post-list"),),
    panels=PANELS,
    tools=(
        Tool("The blog", "blog:post-list", "The newest posts, and their comments."),
        Tool("Write a post", "blog:write", "Start a new draft.", show=permissions.can_create_post),
        Tool("Your posts", "blog:mine", "Drafts, scheduled and published.", show=permissions.can_create_post),
        Tool("Review queue", "blog:review", "Posts authors submitted for review.", show=permissions.can_review),
    ),
    dashboards=(Dashboard("blog", "Blog admin", BLOG_ADMIN),),
    roles=ROLES,
    demo_accounts=(
        DemoAccount(demo.BLOG_ADMIN_EMAIL, "BlogAdmin123!", BLOG_ADMIN, "Bea Blogadmin"),
        DemoAccount(demo.AUTHOR_EMAIL, "BlogAuthor123!", BLOG_AUTHOR, "Art Author"),
    ),
    demo_home=(
        {"type": "heading", "text": "From the blog", "level": 2},
        {"type": "slot", "name": "latest_posts", "options": {"limit": 3}},
    ),
    home_intro="A blog to read, with comments readers write under each post.",
    home_actions=(
        NavLink("Read the blog", "blog:post-list"),
        NavLink("Write a post", "blog:write", show=permissions.can_create_post),
    ),
    demo_seed=seed_demo,
    bench_seed=bench.seed,
    # Writing and review pages, and every address by a post's id (edit, preview, ...).
    robots_disallow=("/blog/write/", "/blog/mine/", "/blog/review/", "/blog/posts/"),
    slots=(Slot("latest_posts", latest_posts, "The newest published blog posts."),),
    commentables=(post_comments(),),
    notification_kinds=NOTIFICATION_KINDS,
    # A tab of people's profiles: their live posts (/@<handle>/blog/).
    profile_sections=(ProfileSection("blog", "Blog", author_posts, order=10),),
)
