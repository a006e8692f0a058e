"""The search page (/social/search/?q=&type=posts|people|hashtags): the form, and for a query
one tab of results as the searcher may see them (apps/social/selectors_search.py), paged. htmx
(the tabs and the pages, boosted) gets the results partial only. An empty query shows the form
only; input past the bounds shows the form's error with status 400."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from apps.social import selectors, selectors_search
from apps.social.forms_search import SearchForm
from apps.social.views.people import person_rows

PER_PAGE = 20
SEARCHES = {
    "posts": selectors_search.search_posts,
    "people": selectors_search.search_people,
    "hashtags": selectors_search.search_hashtags,
}


def _tabs(q: str, kind: str) -> list[dict[str, Any]]:
    url = reverse("social:search")
    return [
        {"label": label.title(), "url": f"{url}?{urlencode({'q': q, 'type': label})}", "current": label == kind}
        for label in SEARCHES
    ]


@require_GET
@vary_on_headers("HX-Request", "HX-History-Restore-Request", "Cookie")
def search_page(request: HttpRequest) -> HttpResponse:
    """Search people, hashtags and posts."""
    form = SearchForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    if not form.is_bound:
        return render(request, "social/search.html", context)
    if not form.is_valid():
        return render(request, "social/search.html", context, status=400)
    q, kind = form.cleaned_data["q"], form.cleaned_data["type"]
    if not q:
        return render(request, "social/search.html", context)
    page = Paginator(SEARCHES[kind](request.user, q), PER_PAGE).get_page(request.GET.get("page"))
    if kind == "posts":
        selectors.with_viewer_state(page.object_list, request.user)
    elif kind == "people":
        context["rows"] = person_rows(request, list(page.object_list))
    context.update(q=q, kind=kind, page=page, tabs=_tabs(q, kind), query=f"{urlencode({'q': q, 'type': kind})}&")
    template = "social/search.html#results" if request.htmx and not request.htmx.history_restore_request else None
    return render(request, template or "social/search.html", context)
