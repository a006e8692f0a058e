"""Core's part of /sitemap.xml: the home page and the published free pages. Domain apps add
theirs through their app hook (``AppHook.sitemaps``)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from apps.core.models import SitePage


class HomeSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self) -> list[str]:
        return ["home"]

    def location(self, item: str) -> str:
        return reverse(item)


class SitePageSitemap(Sitemap):
    changefreq = "monthly"

    def items(self) -> QuerySet[SitePage]:
        return SitePage.objects.filter(live=True).only("slug", "last_published_at").order_by("slug")

    def lastmod(self, item: SitePage) -> datetime | None:
        return item.last_published_at


SITEMAPS = {"home": HomeSitemap, "pages": SitePageSitemap}
