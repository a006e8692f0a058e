from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_cookie

from apps.core.blocks import render_blocks
from apps.core.platform.pagecache import SITE, cache_public_page
from apps.core.publishing.http import apply_preview, as_draft
from apps.core.publishing.preview import drafts_of
from apps.core.site import selectors


@require_GET
@cache_public_page(SITE)
@vary_on_cookie
def page_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A free page as visitors see it, or a draft revision through its editor's preview link."""
    token = request.GET.get("preview")
    # In a site preview, a page's draft answers at its draft's address (a new slug included).
    draft = drafts_of(request).find("core.sitepage", lambda page: page.slug == slug)
    if draft is not None and token is None:
        context = {"page": draft.obj, "body": render_blocks(draft.obj.body, request=request)}
        return render(request, "core/page.html", context)
    if token is None:
        page = selectors.site_page_get_live(slug=slug)
        if page is None:
            raise Http404("No such page.")
        return render(request, "core/page.html", {"page": page, "body": render_blocks(page.body, request=request)})

    page = selectors.site_page_get(slug=slug)
    if page is None:
        raise Http404("No such page.")
    revision = apply_preview(token=token, obj=page, user=request.user)  # PermissionDenied otherwise
    context = {"page": page, "body": render_blocks(page.body, request=request), "preview_revision": revision}
    return as_draft(render(request, "core/page.html", context))
