"""The blog's data for ``make bench`` (bench/README.md): thirty live posts written and published
through the blog's services, so the post page and the list are measured with realistic content.
Idempotent: posts that exist are kept."""

from __future__ import annotations

from apps.blog import services
from apps.blog.demo import AUTHOR_EMAIL, BLOG_ADMIN_EMAIL, generated_image
from apps.blog.models import Category, Post
from apps.blog.services import PostInput
from apps.core.blocks import block_image_upload
from apps.core.models import User

POSTS = 30
MEASURED = "bench-post-01"
POST_LIST_API = "/api/v1/blog/posts/"
TAGS = ["Django", "htmx", "Performance", "Caching", "Accessibility", "CSS", "Writing", "Architecture"]
_COLOURS = [("#2f5bea", "#0f9d84"), ("#7c3aed", "#f59e0b"), ("#b3261e", "#2f5bea")]


def _body(number: int, image: str) -> list[dict]:
    paragraph = (
        "<p>Every page of this platform is drawn from published revisions, cached where it is read "
        "and cleared when it changes. This post is number {n} of the benchmark's set, with "
        '<a href="/blog/">a link</a>, <strong>strong words</strong> and <em>emphasis</em>.</p>'
    )
    return [
        {"type": "heading", "text": f"Part one of post {number}", "level": 2},
        {"type": "rich_text", "html": paragraph.format(n=number) * 3},
        {"type": "image", "src": image, "alt": "Coloured bands and a circle", "caption": "A generated picture"},
        {"type": "heading", "text": "What to take away", "level": 2},
        {"type": "rich_text", "html": "<ul><li>Read fast</li><li>Write safely</li><li>Publish at once</li></ul>"},
        {"type": "rich_text", "html": paragraph.format(n=number) * 2},
        {"type": "cta", "text": "More posts", "url": "/blog/", "style": "secondary"},
    ]


def seed() -> dict[str, str]:
    """Thirty live posts by the demo author, each with a cover and an image in its body, in the
    demo categories with three tags each; returns the addresses to measure."""
    author = User.objects.get(email=AUTHOR_EMAIL)
    blog_admin = User.objects.get(email=BLOG_ADMIN_EMAIL)
    categories = list(Category.objects.order_by("pk").values_list("pk", flat=True))
    missing = [n for n in range(1, POSTS + 1) if not Post.objects.filter(slug=f"bench-post-{n:02}").exists()]
    if missing:
        # One picture for every body, uploaded as an editor uploads it in the block editor.
        inline = block_image_upload(user=author, file=generated_image(_COLOURS[1], "bench-inline")).key
    for number in missing:
        data = PostInput(
            title=f"Benchmark post {number:02}: how the platform keeps pages fast",
            slug=f"bench-post-{number:02}",
            excerpt="A realistic post for the benchmark: headings, rich text, an image, a call to action.",
            body=_body(number, inline),
            cover_alt="Coloured bands and a circle",
            seo_description="A post written for the benchmark.",
            category_ids=(categories[number % len(categories)],) if categories else (),
            tag_names=tuple(TAGS[(number + k) % len(TAGS)] for k in range(3)),
        )
        cover = generated_image(_COLOURS[number % len(_COLOURS)], f"bench-{number}")
        post = services.post_create(author=author, data=data, cover=cover)
        services.post_submit(post=post, author=author)
        services.post_publish(post=post, publisher=blog_admin)
    return {"post_page": f"/blog/{MEASURED}/", "post_list": "/blog/", "post_list_api": POST_LIST_API}
