from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_cookie

from apps.core.blocks import render_blocks
from apps.core.models import SitePage
from apps.core.platform.pagecache import SITE, cache_public_page
from apps.core.publishing.http import as_draft, live_or_preview
from apps.core.site import selectors


@require_GET
@cache_public_page(SITE)
@vary_on_cookie
def page_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A free page as visitors see it, or a draft for its editor (a preview link, or their site
    preview, where a page's draft answers at its draft's address)."""
    shown = live_or_preview(
        request, model=SitePage, lookup={"slug": slug}, live=lambda: selectors.site_page_get_live(slug=slug)
    )
    page = shown.obj
    context = {"page": page, "body": render_blocks(page.body, request=request)}
    if shown.preview_revision is None:
        return render(request, "core/page.html", context)
    context["preview_revision"] = shown.preview_revision
    return as_draft(render(request, "core/page.html", context))
