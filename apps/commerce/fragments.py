"""A product's page as its view reads it: plain data and rendered parts, cached.

A product's gallery, heading, attributes, description, reviews and head tags read the same for
every visitor until the next catalogue write or review decision (both clear the "commerce"
namespace), so a live product's page is rendered once per host into a ``ProductPage``: its
parts' HTML and the little the rest of the page needs (names, the variants' prices as text,
schema.org data), without model instances, so it is small to keep and quick to read back, as
the blog keeps its posts (apps/blog/fragments.py).

Stock is never kept with it. Each view reads the variants' counts through ``stock.shown``
(the cache, which every stock change clears, else one query), and the buy box (price,
availability, the form's fields) and the JSON-LD offers are kept per product, variant and
counts, so a sale makes a new entry rather than a stale one. The form tag and its tokens, and
the site's chrome, render per request.

A draft (seen only by its shop's managers) and a description that places a slot (which renders
per reader) have their parts rendered each time, from the same partials.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from apps.commerce import reviews, seo, stock
from apps.commerce.models import Product
from apps.commerce.selectors.catalogue import (
    NAMESPACE,
    PRODUCT_CACHE_SECONDS,
    product_get_live,
    product_load_live,
)
from apps.core.blocks import has_slot, render_blocks, text_of
from apps.core.platform import pagecache

PARTS = ("head", "crumbs", "gallery", "heading", "attributes", "below")
LOW_STOCK_SHOWN = 5  # at or below, the buy box says how many are left
REVIEWS_SHOWN = 10
DESCRIPTION_CHARS = 300


@dataclass(frozen=True)
class VariantView:
    """What the buy box and the price tags show of an active variant."""

    pk: int
    sku: str
    label: str  # its name, else its SKU
    amount: str  # the price as "30.00", for machines (meta tags)
    currency: str
    price_label: str  # the price as people read it ("€30.00")
    compare_label: str  # the price before a sale, or ""


@dataclass
class ProductPage:
    """A product's page without its stock: see the module's note."""

    pk: int
    slug: str
    name: str
    shop_name: str
    path: str
    live: bool  # published (else its managers see a draft banner)
    listed: bool  # live and of an active shop: what visitors may see, and search engines index
    canonical: str
    variants: list[VariantView]
    seo: dict[str, Any]  # schema.org Product; its offers' availability is added per view
    parts: dict[str, str] = field(default_factory=dict)
    # Read with the product when it is not cached (a draft's stock comes with it); else None.
    left: dict[int, int] | None = None


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")[:-1]


def _variant_view(variant: Any) -> VariantView:
    return VariantView(
        pk=variant.pk,
        sku=variant.sku,
        label=variant.name or variant.sku,
        amount=f"{variant.price.amount:.2f}",
        currency=str(variant.price.currency),
        price_label=str(variant.price),
        compare_label=str(variant.compare_at_price) if variant.compare_at_price else "",
    )


def _page(product: Product, *, base: str, request: HttpRequest | None, with_stock: bool) -> ProductPage:
    """Render ``product``'s parts (``request`` for a description with slots; None renders it
    for anyone) and gather what its page reads. ``with_stock``: its variants' stock rows were
    loaded with it (a draft, or a live product through ``product_get_live``), so its counts
    come along."""
    canonical = base + product.get_absolute_url()
    description = product.seo_description or text_of(product.description)[:DESCRIPTION_CHARS]
    image_urls = [
        url if url.startswith(("http://", "https://")) else base + url
        for url in (image.large_url for image in product.image_list[:4])
        if url
    ]
    context: dict[str, Any] = {
        "product": product,
        "images": product.image_list,
        "attributes": sorted(product.attribute_list, key=lambda v: (v.attribute.name, v.position)),
        "description_html": render_blocks(product.description, request=request),
        "meta_description": description,
        "canonical": canonical,
        "og_image": image_urls[0] if image_urls else "",
        # Approved reviews, from the document store: a moderation decision clears this page.
        "reviews": reviews.reviews_for_product(product_id=product.pk, limit=REVIEWS_SHOWN),
    }
    variants = product.active_variants
    left = None
    if with_stock:
        left = {v.pk: row.available for v in variants if (row := getattr(v, "stock", None)) is not None}
    return ProductPage(
        pk=product.pk,
        slug=product.slug,
        name=product.name,
        shop_name=product.shop.name,
        path=product.get_absolute_url(),
        live=product.live,
        listed=product.live and product.shop.is_active,
        canonical=canonical,
        variants=[_variant_view(v) for v in variants],
        seo=seo.product_data(product, url=canonical, image_urls=image_urls, description=description),
        parts={name: render_to_string(f"commerce/_product_parts.html#{name}", context) for name in PARTS},
        left=left,
    )


def product_page(product: Product, *, request: HttpRequest) -> ProductPage:
    """The page of a product no visitor sees (a draft, or an inactive shop's), loaded with its
    stock by ``selectors.product_get_unlisted_for_user``, rendered now."""
    return _page(product, base=_base(request), request=request, with_stock=True)


def product_page_live(*, slug: str, request: HttpRequest) -> ProductPage | None:
    """A live product's page, kept in one cache entry per address and host until the next
    catalogue write (at most PRODUCT_CACHE_SECONDS: rendition URLs may be signed). None when no
    live product of an active shop has this address."""
    base = _base(request)

    def load() -> ProductPage | tuple[str] | None:
        product = product_load_live(slug=slug)
        if product is None:
            return None
        # A description with a slot renders per reader: remember only that, render each time.
        return (
            ("slots",) if has_slot(product.description) else _page(product, base=base, request=None, with_stock=False)
        )

    page = pagecache.cached(NAMESPACE, f"product-page:{slug}:{base}", load, max_seconds=PRODUCT_CACHE_SECONDS)
    if isinstance(page, tuple):
        # The product itself is kept (product_get_live, with the counts pages show): only its
        # parts are rendered again, for this reader.
        product = product_get_live(slug=slug)
        return _page(product, base=base, request=request, with_stock=True) if product is not None else None
    return page


# --- The buy box --------------------------------------------------------------------------------


def stock_left(page: ProductPage) -> dict[int, int]:
    """How many of each variant are available now, as the page shows them (0 without a row)."""
    if page.left is not None:
        return page.left
    return stock.shown_available([variant.pk for variant in page.variants])


def chosen_variant(page: ProductPage, left: dict[int, int], wanted: str) -> VariantView | None:
    """The variant the buy box shows: the one asked for (``?variant=<id>``), else the first
    that is available, else the first; None for a product with no active variant."""
    variants = page.variants
    for variant in variants:
        if wanted == str(variant.pk):
            return variant
    return next((v for v in variants if left.get(v.pk, 0) > 0), variants[0] if variants else None)


def availability(left: int) -> tuple[str, str]:
    """What the buy box says of a variant's stock, and the badge's tone."""
    if left < 1:
        return "Out of stock", "neutral"
    if left <= LOW_STOCK_SHOWN:
        return f"Only {left} left", "warning"
    return "In stock", "success"


@dataclass(frozen=True)
class BuyBox:
    """The parts of a product page that follow its stock: the offer (price and availability),
    the add-to-cart form's fields, and the JSON-LD (its offers say what is in stock)."""

    offer: SafeString
    fields: SafeString
    json_ld: SafeString


def buy_box(page: ProductPage, variant: VariantView | None, left: dict[int, int]) -> BuyBox:
    """``page``'s buy box for ``variant`` with the counts ``left``. The same for every visitor
    while the product and those counts stay as they are, so a listed product's are kept under
    a key made of both (every count is in it: above LOW_STOCK_SHOWN they differ still in the
    quantity's maximum); a sale makes a new entry, never a stale one."""

    def render() -> tuple[str, str, str]:
        data = seo.with_availability(page.seo, {v.sku: left.get(v.pk, 0) > 0 for v in page.variants})
        if variant is None:
            return "", "", seo.json_ld(data)
        n = left.get(variant.pk, 0)
        context = {
            "path": page.path,
            "variant": variant,
            "left": n,
            "options": [(v, left.get(v.pk, 0)) for v in page.variants],
            "availability": availability(n),
            "low_stock": LOW_STOCK_SHOWN,
        }
        return (
            render_to_string("commerce/_buy_box.html#offer", context),
            render_to_string("commerce/_buy_box.html#fields", context),
            seo.json_ld(data),
        )

    if page.listed:
        counts = ",".join(f"{v.pk}:{left.get(v.pk, 0)}" for v in page.variants)
        key = f"buy:{page.slug}:{variant.pk if variant else ''}:{counts}:{page.canonical}"
        offer, fields, json_ld = pagecache.cached(NAMESPACE, key, render, max_seconds=PRODUCT_CACHE_SECONDS)
    else:  # seen by its managers only: rendered each time
        offer, fields, json_ld = render()
    # From autoescaped templates and seo.json_ld's escaping; a cache round trip gives plain str.
    return BuyBox(mark_safe(offer), mark_safe(fields), mark_safe(json_ld))  # noqa: S308


def parts(page: ProductPage) -> dict[str, SafeString]:
    """``page``'s parts, safe to insert (autoescaped templates; the cache gives back plain str)."""
    return {name: mark_safe(html) for name, html in page.parts.items()}  # noqa: S308
