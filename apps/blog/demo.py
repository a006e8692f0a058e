"""Demo content of the blog, written through the blog's services as its people would write it:
the demo author drafts and submits, the demo blog admin publishes. Called by ``seed_demo``;
safe to run again (what exists is kept)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from apps.blog import services
from apps.blog.models import Category, Post
from apps.blog.services import PostInput
from apps.core.blocks import block_image_upload
from apps.core.models import User

AUTHOR_EMAIL = "author@test.com"
BLOG_ADMIN_EMAIL = "blogadmin@test.com"

DEMO_CATEGORIES: list[dict[str, str]] = [
    {"name": "Engineering", "slug": "engineering", "description": "How the platform is built, and why."},
    {"name": "Design", "slug": "design", "description": "Themes, typography and the look of the site."},
    {"name": "Community", "slug": "community", "description": "News for the people who use the platform."},
]


def _p(*paragraphs: str) -> dict[str, Any]:
    return {"type": "rich_text", "html": "".join(f"<p>{text}</p>" for text in paragraphs)}


def _h(text: str) -> dict[str, Any]:
    return {"type": "heading", "text": text, "level": 2}


# Published posts: by the demo author (submitted, then published by the blog admin) unless "by" says otherwise.
DEMO_POSTS: list[dict[str, Any]] = [
    {
        "title": "Why we run one platform for everything",
        "slug": "one-platform-for-everything",
        "excerpt": "A blog, a shop, courses, a community and live video on one account and one set of permissions.",
        "categories": ["engineering"],
        "tags": ["Django", "Architecture"],
        "cover": ("#2f5bea", "#0f9d84"),
        "body": [
            _p(
                "Most sites grow by bolting products together: a shop here, a forum there, each with its own "
                "sign-in. We went the other way and built every domain on one identity and one permission model."
            ),
            _h("One account, everywhere"),
            _p(
                "A reader who comments on a post can buy a course with the same account, and a blog admin's "
                "rights come from the same role hierarchy as a shop owner's."
            ),
            _h("One publishing engine"),
            _p(
                "Pages, themes, the header and this very post are drafted, previewed and published through the "
                "same engine, with every revision kept."
            ),
        ],
    },
    {
        "title": "Server-rendered pages that feel instant with htmx",
        "slug": "server-rendered-pages-with-htmx",
        "excerpt": "Partial updates without a single-page app: how the blog's filters and pages stay fast.",
        "categories": ["engineering"],
        "tags": ["htmx", "Django", "Performance"],
        "cover": ("#7c3aed", "#f59e0b"),
        "body": [
            _p(
                "Filtering this blog swaps only the list of posts. The same view answers a plain request with "
                "the whole page, so everything still works with JavaScript turned off."
            ),
            _h("Partials, not a second app"),
            _p("One template holds the page and names the part htmx asks for. There is no second codebase to keep."),
        ],
    },
    {
        "title": "Designing a theme with custom properties",
        "slug": "designing-a-theme",
        "excerpt": "Every colour, font and radius on the site is a CSS custom property that the theme editor sets.",
        "categories": ["design"],
        "tags": ["CSS", "Accessibility"],
        "cover": ("#0f9d84", "#e7e9f0"),
        "body": [
            _p(
                "A theme is a set of values, checked before it is saved: colour pairs for light and dark, system "
                "font stacks and bounded lengths. No theme can inject CSS."
            ),
            _h("Light and dark"),
            _p("Each colour is a pair, and the browser picks the one that matches the reader's preference."),
        ],
    },
    {
        "title": "Writing posts everyone can read",
        "slug": "writing-accessible-posts",
        "excerpt": "Headings in order, descriptions for images, links that say where they go.",
        "categories": ["community"],
        "tags": ["Accessibility", "Writing"],
        "cover": None,
        "body": [
            _p("Good structure helps every reader, and some readers cannot do without it."),
            _h("Describe your images"),
            _p("A cover or an image in the body needs a short description, unless it is only decoration."),
            # Uploaded when the post is written (see _body), as the block editor uploads one.
            {
                "type": "image",
                "generate": ("#7c3aed", "#f59e0b"),
                "alt": "A yellow circle above a yellow band on a purple background",
                "caption": "An image in the body, with its description",
            },
            _h("Say where links go"),
            _p("“Read the style guide” beats “click here”: a screen reader's list of links should make sense."),
        ],
    },
    {
        "title": "Keeping pages fast",
        "slug": "keeping-pages-fast",
        "excerpt": "Cached reads cleared by publish events, renditions for every screen, and no query per item.",
        "categories": ["engineering"],
        "tags": ["Performance", "Caching"],
        "cover": ("#b3261e", "#2f5bea"),
        "body": [
            _p(
                "A published post is read far more often than it is written, so its page is built from cached "
                "reads that a publish event retires at once."
            ),
            _h("Images sized for the screen"),
            _p("Each cover is stored in three widths as WebP, and the browser downloads only the one it needs."),
        ],
        "by": BLOG_ADMIN_EMAIL,
    },
]

# Drafted and submitted, waiting in the review queue.
DEMO_SUBMITTED: dict[str, Any] = {
    "title": "What is next for the community",
    "slug": "next-for-the-community",
    "excerpt": "Comment threads, profiles and follows: what we are building this season.",
    "categories": ["community"],
    "tags": ["Roadmap"],
    "cover": None,
    "body": [_p("Here is what we plan to build next, and how you can help shape it.")],
}


def generated_image(colours: tuple[str, str], name: str) -> SimpleUploadedFile:
    # A generated picture (two colour bands and a circle): no files ship with the demo.
    image = Image.new("RGB", (1600, 900), colours[0])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 600, 1600, 900), fill=colours[1])
    draw.ellipse((1050, 150, 1450, 550), fill=colours[1])
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile(f"{name}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _body(spec: dict[str, Any], author: User) -> list[dict[str, Any]]:
    # Image blocks hold the key of an image uploaded to the site's storage: the demo's are
    # generated and uploaded through the block editor's own service.
    body = []
    for number, block in enumerate(spec["body"], start=1):
        if "generate" in block:
            upload = generated_image(block["generate"], f"{spec['slug']}-{number}")
            stored = block_image_upload(user=author, file=upload)
            block = {**{k: v for k, v in block.items() if k != "generate"}, "src": stored.key}
        body.append(block)
    return body


def _write(spec: dict[str, Any], author: User) -> Post:
    categories = dict(Category.objects.values_list("slug", "pk"))
    data = PostInput(
        title=spec["title"],
        slug=spec["slug"],
        excerpt=spec["excerpt"],
        body=_body(spec, author),
        cover_alt="An abstract pattern in the post's colours" if spec["cover"] else "",
        category_ids=tuple(categories[slug] for slug in spec["categories"]),
        tag_names=tuple(spec["tags"]),
    )
    cover = generated_image(spec["cover"], spec["slug"]) if spec["cover"] else None
    return services.post_create(author=author, data=data, cover=cover)


def seed_blog(*, write: Callable[[str], Any] = print) -> None:
    """Categories, five published posts and one waiting for review, by the demo accounts."""
    author = User.objects.get(email=AUTHOR_EMAIL)
    blog_admin = User.objects.get(email=BLOG_ADMIN_EMAIL)
    for spec in DEMO_CATEGORIES:
        if not Category.objects.filter(slug=spec["slug"]).exists():
            services.category_create(actor=blog_admin, **spec)
            write(f"blog category {spec['name']!r} added")
    for spec in DEMO_POSTS:
        if Post.objects.filter(slug=spec["slug"]).exists():
            continue
        by = blog_admin if spec.get("by") == BLOG_ADMIN_EMAIL else author
        post = _write(spec, by)
        if by == author:
            services.post_submit(post=post, author=author)
        services.post_publish(post=post, publisher=blog_admin)
        write(f"blog post /blog/{spec['slug']}/ published")
    if not Post.objects.filter(slug=DEMO_SUBMITTED["slug"]).exists():
        post = _write(DEMO_SUBMITTED, author)
        services.post_submit(post=post, author=author)
        write(f"blog post {DEMO_SUBMITTED['title']!r} submitted for review")
