"""Template helpers of the catalogue's pages."""

from __future__ import annotations

import logging

from django import template

from apps.commerce.models import ProductImage

register = template.Library()
logger = logging.getLogger(__name__)
RENDITIONS = frozenset({"thumbnail", "card", "large"})


@register.filter
def rendition(image: ProductImage | str | None, name: str) -> str:
    """The URL of a product image's rendition (made on first use), or "" when there is no image
    or its file cannot be read: one lost file must not take a list of products down."""
    if not isinstance(image, ProductImage) or not image.image or name not in RENDITIONS:
        return ""
    try:
        return getattr(image, name).url
    except (OSError, ValueError) as exc:
        logger.warning("product image %s: no %s rendition (%s)", image.pk, name, exc)
        return ""
