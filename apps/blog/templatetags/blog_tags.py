"""Template helpers of the blog: responsive covers and absolute addresses."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.files.storage import default_storage

from apps.blog.covers import renditions

register = template.Library()


def _cover_context(name: str, alt: str, *, sizes: str, hero: bool) -> dict[str, Any]:
    found = renditions(name)
    if not found:
        return {"src": default_storage.url(name) if name else "", "alt": alt, "hero": hero}
    # The src is for browsers without srcset: a middle size.
    fallback = next((r for r in found if r.width >= 960), found[-1])
    return {
        "src": fallback.url,
        "srcset": ", ".join(f"{r.url} {r.width}w" for r in found),
        "sizes": sizes,
        "width": found[-1].width,
        "height": found[-1].height,
        "alt": alt,
        "hero": hero,
    }


@register.inclusion_tag("blog/_cover.html")
def post_cover(post: Any, *, sizes: str = "100vw", hero: bool = False) -> dict[str, Any]:
    """A post's cover as an ``<img>`` with its WebP renditions in ``srcset``, its size given (no
    layout shift) and lazy loading, except for the hero image at the top of a post."""
    return _cover_context(post.cover, post.cover_alt, sizes=sizes, hero=hero)


@register.inclusion_tag("blog/_cover.html")
def cover_image(name: str, alt: str = "", *, sizes: str = "100vw") -> dict[str, Any]:
    """A stored cover by its name (the editor shows the draft's, which is not on the row)."""
    return _cover_context(name, alt, sizes=sizes, hero=False)


@register.simple_tag(takes_context=True)
def absolute_url(context: dict[str, Any], url: str) -> str:
    """``url`` with the scheme and host the request came in with (S3 URLs are absolute already)."""
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


@register.simple_tag
def cover_share_url(post: Any) -> str:
    """The largest rendition of a post's cover (for og:image), or ""."""
    found = renditions(post.cover)
    return found[-1].url if found else ""
