from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class HookedSitemap(Sitemap):
    def items(self) -> list[str]:
        return ["hookapp:index"]

    def location(self, item: str) -> str:
        return reverse(item)
