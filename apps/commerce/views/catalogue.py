"""What visitors browse: the catalogue (with its category, collection and shop pages) and a
product's page.

Lists are one GET form and one template: a filter or sort change submits the form, which htmx
sends to the same address and swaps in only the results (``catalogue.html#results``) while the
address follows (hx-push-url); without JavaScript the form reloads the page. Visitors without
cookies get whole pages from the page cache (namespace "commerce", cleared by every catalogue
write). A draft is shown only to whoever manages its shop, never cached nor indexed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from apps.commerce import fragments
from apps.commerce.forms.catalogue import CatalogueFilterForm
from apps.commerce.selectors import catalogue as selectors
from apps.commerce.selectors.catalogue import NAMESPACE, SORT_LABELS
from apps.core.platform import cache_public_page
from apps.core.publishing import as_draft

public = cache_public_page(NAMESPACE)
LIST_VARY = ("HX-Request", "HX-History-Restore-Request", "Cookie")


def _query_without_page(request: HttpRequest) -> str:
    pairs = [(key, value) for key, values in request.GET.lists() if key != "page" for value in values if value]
    return urlencode(pairs)


def _list_page(
    request: HttpRequest, *, heading: str, base_url: str, description: str = "", extra: dict | None = None, **fixed: str
) -> HttpResponse:
    form = CatalogueFilterForm(request.GET)
    filters = form.filters(**fixed)
    result = selectors.product_list(user=request.user, filters=filters)
    query = _query_without_page(request)
    context = {
        "result": result,
        "page": result.page,
        "form": form,
        "filters": filters,
        "heading": heading,
        "description": description,
        "base_url": base_url,
        "query": query,
        "sorts": SORT_LABELS,
        "categories": selectors.categories_for_nav() if "category" not in fixed else [],
        # Filtered, searched or sorted lists are the same products again: only the plain list is indexed.
        "indexable": not query or query == f"page={result.page.number}",
        **(extra or {}),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    return render(request, "commerce/catalogue.html#results" if partial else "commerce/catalogue.html", context)


@require_GET
@public
@vary_on_headers(*LIST_VARY)
def catalogue(request: HttpRequest) -> HttpResponse:
    """Every live product; the filter form narrows, searches and sorts it."""
    return _list_page(request, heading="Shop", base_url=reverse("commerce:catalogue"))


@require_GET
@public
@vary_on_headers(*LIST_VARY)
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A category's products, its sub-categories' included."""
    category = selectors.category_get(slug=slug)
    if category is None:
        raise Http404("No such category.")
    return _list_page(
        request,
        heading=category.name,
        description=category.description,
        base_url=category.get_absolute_url(),
        extra={"category": category},
        category=category.slug,
    )


@require_GET
@public
@vary_on_headers(*LIST_VARY)
def collection_detail(request: HttpRequest, slug: str) -> HttpResponse:
    collection = selectors.collection_get(slug=slug)
    if collection is None:
        raise Http404("No such collection.")
    return _list_page(
        request,
        heading=collection.name,
        description=collection.description,
        base_url=collection.get_absolute_url(),
        collection=collection.slug,
    )


@require_GET
@public
@vary_on_headers(*LIST_VARY)
def shop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A shop's home: its logo, description, policies and contact over its products."""
    shop = selectors.shop_get_public(slug=slug)
    if shop is None:
        raise Http404("No such shop.")
    return _list_page(
        request,
        heading=shop.name,
        description=shop.description,
        base_url=shop.get_absolute_url(),
        extra={"shop": shop},
        shop=shop.slug,
    )


@require_GET
@public
@vary_on_headers("HX-Request", "Cookie")
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A product's page: gallery, variant picker, price, availability, description, and the
    add-to-cart form (commerce:cart-add). htmx's variant picker asks for the buy box alone."""
    page = fragments.product_page_live(slug=slug, request=request)
    if page is None:
        unlisted = selectors.product_get_unlisted_for_user(user=request.user, slug=slug)
        if unlisted is None:
            raise Http404("No such product.")
        page = fragments.product_page(unlisted, request=request)
    left = fragments.stock_left(page)
    variant = fragments.chosen_variant(page, left, request.GET.get("variant", ""))
    box = fragments.buy_box(page, variant, left)
    context: dict[str, Any] = {
        "page": page,
        "parts": fragments.parts(page),
        "variant": variant,
        "buy_offer": box.offer,
        "buy_fields": box.fields,
        "json_ld": box.json_ld,
    }
    # A page the shared cache keeps carries no CSRF token: its buy box loads one (htmx) or, without
    # JavaScript, becomes a GET form to ?buy=1, which always renders with a token (and is not kept).
    wants_form = bool(request.htmx) or "buy" in request.GET
    if wants_form:
        get_token(request)
    context["shared"] = getattr(request, "page_cache", None) is not None and not wants_form
    template = "commerce/product_detail.html#buy-box" if request.htmx else "commerce/product_detail.html"
    response = render(request, template, context)
    return response if page.listed else as_draft(response)
