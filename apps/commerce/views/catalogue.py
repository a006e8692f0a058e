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

from apps.commerce import reviews, seo
from apps.commerce.forms.catalogue import CatalogueFilterForm
from apps.commerce.models import Product, ProductVariant
from apps.commerce.selectors import catalogue as selectors
from apps.commerce.selectors.catalogue import NAMESPACE, SORT_LABELS
from apps.core.blocks import render_blocks, text_of
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


def _left(variant: ProductVariant) -> int:
    # A variant without a stock row (made in the admin) has none.
    row = getattr(variant, "stock", None)
    return row.available if row is not None else 0


def _chosen_variant(request: HttpRequest, product: Product) -> ProductVariant | None:
    variants = product.active_variants
    wanted = request.GET.get("variant", "")
    for variant in variants:
        if wanted == str(variant.pk):
            return variant
    # The first one that is available, else the first.
    return next((v for v in variants if _left(v) > 0), variants[0] if variants else None)


LOW_STOCK_SHOWN = 5


def availability(variant: ProductVariant | None) -> tuple[str, str]:
    """What the buy box says of a variant's stock, and the badge's tone."""
    left = _left(variant) if variant is not None else 0
    if left < 1:
        return "Out of stock", "neutral"
    if left <= LOW_STOCK_SHOWN:
        return f"Only {left} left", "warning"
    return "In stock", "success"


def _product_context(request: HttpRequest, product: Product) -> dict[str, Any]:
    url = request.build_absolute_uri(product.get_absolute_url())
    images = product.image_list
    description = product.seo_description or text_of(product.description)[:300]
    image_urls = [request.build_absolute_uri(image.large_url) for image in images[:4] if image.large_url]
    data = seo.product_data(product, url=url, image_urls=image_urls, description=description)
    variant = _chosen_variant(request, product)
    return {
        "product": product,
        "images": images,
        "variant": variant,
        "availability": availability(variant),
        "variants": product.active_variants,
        "description_html": render_blocks(product.description, request=request),
        "meta_description": description,
        "canonical": url,
        "og_image": image_urls[0] if image_urls else "",
        "json_ld": seo.json_ld(data),
        "attributes": sorted(product.attribute_list, key=lambda v: (v.attribute.name, v.position)),
        # Approved reviews, from the document store (kept with the page; a decision drops it).
        "reviews": reviews.reviews_for_product(product_id=product.pk, limit=10),
    }


@require_GET
@public
@vary_on_headers("HX-Request", "Cookie")
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A product's page: gallery, variant picker, price, availability, description, and the
    add-to-cart form (commerce:cart-add). htmx's variant picker asks for the buy box alone."""
    product = selectors.product_get_for_user(user=request.user, slug=slug)
    if product is None:
        raise Http404("No such product.")
    context = _product_context(request, product)
    # A page the shared cache keeps carries no CSRF token: its buy box loads one (htmx) or, without
    # JavaScript, becomes a GET form to ?buy=1, which always renders with a token (and is not kept).
    wants_form = bool(request.htmx) or "buy" in request.GET
    if wants_form:
        get_token(request)
    context["shared"] = getattr(request, "page_cache", None) is not None and not wants_form
    template = "commerce/product_detail.html#buy-box" if request.htmx else "commerce/product_detail.html"
    response = render(request, template, context)
    return response if product.live and product.shop.is_active else as_draft(response)
