"""The shop's tab on people's profiles (the hook's ``profile_sections``): the active shops a
person owns, with how many live products each offers."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from apps.commerce.models import Shop
from apps.core.platform import ProfileSectionContent


def shops_owned(person: Any, viewer: Any, limit: int) -> ProfileSectionContent | None:
    """The active shops ``person`` owns, by name, each with ``product_count`` (its live products),
    the first ``limit`` (``limit=0``: the count alone, one query). A closed shop never shows,
    whoever looks; None when they own no active shop."""
    shops = Shop.objects.filter(owner_id=person.pk, is_active=True)
    count = shops.count()
    if count == 0:
        return None
    items = []
    if limit:
        live = Q(products__live=True)
        items = list(shops.annotate(product_count=Count("products", filter=live)).order_by("name", "pk")[:limit])
        for shop in items:
            shop.products_label = f"{shop.product_count} product{'' if shop.product_count == 1 else 's'}"
    more_url = items[0].get_absolute_url() if count == 1 and items else ""
    return ProfileSectionContent(count=count, template="commerce/_profile_section.html", items=items, more_url=more_url)
