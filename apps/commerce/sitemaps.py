"""The shop's part of /sitemap.xml: the catalogue, live products of active shops, and the
categories, collections and shops that have any."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from apps.commerce.models import Category, Collection, Product, Shop


class CatalogueSitemap(Sitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["commerce:catalogue"]

    def location(self, item: str) -> str:
        return reverse(item)


class ProductSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self) -> QuerySet[Product]:
        return (
            Product.objects.filter(live=True, shop__is_active=True)
            .only("slug", "last_published_at")
            .order_by("-first_published_at", "-pk")
        )

    def lastmod(self, item: Product) -> datetime | None:
        return item.last_published_at


class ShopCategorySitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet[Category]:
        return Category.objects.filter(products__live=True).distinct().only("slug").order_by("slug")


class CollectionSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet[Collection]:
        return (
            Collection.objects.filter(is_published=True, products__live=True).distinct().only("slug").order_by("slug")
        )


class ShopSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet[Shop]:
        return Shop.objects.filter(is_active=True, products__live=True).distinct().only("slug").order_by("slug")


SITEMAPS = {
    "shop": CatalogueSitemap,
    "shop-products": ProductSitemap,
    "shop-categories": ShopCategorySitemap,
    "shop-collections": CollectionSitemap,
    "shops": ShopSitemap,
}
