"""What search engines and link previews read of the shop's pages: schema.org structured data
(Product with its Offers) as JSON-LD, written so no value can close the script element."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from apps.commerce.models import Product, ProductVariant

_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
IN_STOCK = "https://schema.org/InStock"
OUT_OF_STOCK = "https://schema.org/OutOfStock"


def json_ld(data: dict[str, Any]) -> SafeString:
    """``data`` as a JSON-LD script element; <, > and & escaped (as json_script does)."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 (escaped above)


def _offer(variant: ProductVariant, url: str) -> dict[str, Any]:
    return {
        "@type": "Offer",
        "sku": variant.sku,
        "price": f"{variant.price.amount:.2f}",
        "priceCurrency": str(variant.price.currency),
        "url": url,
    }


def with_availability(data: dict[str, Any], in_stock: Mapping[str, bool]) -> dict[str, Any]:
    """``data`` (from ``product_data``) with each offer saying whether its SKU is in stock now
    (a copy: ``data`` is kept with the product, stock is not)."""
    offers = [
        {**offer, "availability": IN_STOCK if in_stock.get(offer["sku"]) else OUT_OF_STOCK}
        for offer in data.get("offers", [])
    ]
    return {**data, "offers": offers}


def product_data(product: Product, *, url: str, image_urls: list[str], description: str) -> dict[str, Any]:
    """schema.org Product of a loaded product (``product_get_for_user``): every active variant an
    Offer (without its availability, which ``with_availability`` adds), the shop as brand, the
    average rating when there are reviews."""
    variants = product.active_variants
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "url": url,
        "brand": {"@type": "Brand", "name": product.shop.name},
        "offers": [_offer(variant, url) for variant in variants],
    }
    if description:
        data["description"] = description
    if image_urls:
        data["image"] = image_urls
    if variants:
        data["sku"] = variants[0].sku
    if product.category_id:
        data["category"] = product.category.name
    if product.rating_count and product.rating_average is not None:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": f"{product.rating_average:.2f}",
            "reviewCount": product.rating_count,
        }
    return data
