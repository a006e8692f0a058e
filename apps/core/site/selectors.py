"""The site's reads: pages, themes and components; site-wide content cached."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

from apps.core.models import SiteComponent, SitePage, Theme
from apps.core.platform.degraded import degraded

T = TypeVar("T")


def site_page_get_live(*, slug: str) -> SitePage | None:
    """The published page at ``slug``; drafts and unpublished pages do not exist for visitors.

    Cached until the next publish or unpublish (``pagecache.cached``): every view of a page reads it."""
    from apps.core.platform import pagecache

    return pagecache.cached(
        pagecache.SITE, f"page:{slug}", lambda: SitePage.objects.filter(live=True, slug=slug).first()
    )


def site_page_get(*, slug: str) -> SitePage | None:
    """Any page at ``slug`` whatever its state (for editors, who then prove their access)."""
    return SitePage.objects.filter(slug=slug).first()


def _cached(key: str, load: Callable[[], T]) -> T:
    """``load()`` kept in the cache for SITE_CACHE_SECONDS; straight from SQL if the cache is down,
    so pages still render during a Redis outage."""
    try:
        return cache.get_or_set(key, load, timeout=settings.SITE_CACHE_SECONDS)
    except Exception as exc:
        degraded("site_cache", exc)
        return load()


FOOTER_PAGES_KEY = "site:footer-pages"


def site_page_list_for_footer() -> list[dict[str, str]]:
    """Title and address of the published pages, cached: every page view renders the footer.

    The cache is cleared when a page is published or taken down (apps/core/site/handlers.py)."""

    def load() -> list[dict[str, str]]:
        pages = SitePage.objects.filter(live=True).order_by("title").values("title", "slug")[:12]
        return [{"title": p["title"], "url": f"/{p['slug']}/"} for p in pages]

    return _cached(FOOTER_PAGES_KEY, load)


ACTIVE_THEME_KEY = "site:active-theme"


def active_theme_stylesheet() -> dict[str, Any] | None:
    """The active theme's published stylesheet and its version, cached for every page view.

    None when no theme is active (site.css's defaults apply). Cleared by theme events."""
    from apps.core.site.themes import render_css

    def load() -> dict[str, Any] | None:
        theme = Theme.objects.filter(is_active=True, live=True).only("pk", "tokens", "live_revision").first()
        if theme is None:
            return None
        return {"version": f"{theme.pk}-{theme.live_revision}", "css": render_css(theme.tokens)}

    return _cached(ACTIVE_THEME_KEY, load)


SITE_COMPONENTS_KEY = "site:components"


def site_components_live() -> dict[str, dict[str, Any]]:
    """The published content of the header, home and footer by key (absent when not live).

    One query, cached for every page view; cleared by their publish events (apps/core/site/handlers.py)."""

    def load() -> dict[str, dict[str, Any]]:
        return dict(SiteComponent.objects.filter(live=True).values_list("key", "content"))

    return _cached(SITE_COMPONENTS_KEY, load)


def site_component_get(*, key: str) -> SiteComponent | None:
    """The component ``key`` whatever its state (for editors, who then prove their access)."""
    return SiteComponent.objects.filter(key=key).first()


def theme_preview_stylesheet(*, token: str, user: Any) -> dict[str, Any]:
    """A theme draft's stylesheet for the editor its preview token was made for.

    Raises PermissionDenied for anyone else, or a forged or expired token."""
    from django.core.exceptions import PermissionDenied

    from apps.core.publishing.services import preview_content, preview_target
    from apps.core.site.themes import render_css

    target = preview_target(token)
    theme = Theme.objects.filter(pk=target[1]).first() if target and target[0] == "core.theme" else None
    if theme is None:
        raise PermissionDenied("This preview link is not valid or has expired.")
    revision, content = preview_content(token=token, obj=theme, user=user)
    return {"revision": revision, "name": content["name"], "css": render_css(content["tokens"])}


def theme_for_request(request: Any) -> dict[str, Any]:
    """Which theme stylesheet a page links: the active theme's, or a draft its editor previews."""
    from urllib.parse import quote

    from django.core.exceptions import PermissionDenied

    override = getattr(request, "theme_override", None)
    if override is not None:
        return override
    drafts = getattr(request, "site_drafts", None)
    previewed = drafts.find("core.theme", lambda theme: True) if drafts else None
    token = request.GET.get("theme_preview")
    if previewed is not None and not token:
        # Already checked by SitePreviewMiddleware for this request: no second look at its revision.
        href = f"/theme.css?preview={quote(previewed.token)}"
        return {"href": href, "preview_revision": previewed.revision, "name": previewed.obj.name}
    if token:
        try:
            preview = theme_preview_stylesheet(token=token, user=request.user)
        except PermissionDenied:
            pass  # not theirs to see: the page shows the published theme
        else:
            return {
                "href": f"/theme.css?preview={quote(token)}",
                "preview_revision": preview["revision"],
                "name": preview["name"],
            }
    sheet = active_theme_stylesheet()
    return {"href": f"/theme.css?v={sheet['version']}"} if sheet else {}
