"""Core's site room: the site itself. Free pages, themes, the header, home and footer
components, the site and theme editors, home, status and robots pages, sitemaps, the site
chrome (``context_processors``), the admin site, and the site's reads and writes
(``selectors``, ``services``) with the handlers that drop their caches.

This face names what other apps (and config/urls.py) may use; everything else is core's own.
"""

from apps.core.platform.faces import lazy_face

_EXPORTS = {
    # the pages config/urls.py mounts at the site's root
    "home": "apps.core.site.views",
    "status_page": "apps.core.site.views",
    "healthz": "apps.core.site.views",
    "readyz": "apps.core.site.views",
    "robots_txt": "apps.core.site.views",
    "theme_css": "apps.core.site.views",
    "page_detail": "apps.core.site.page_views",
    "SITEMAPS": "apps.core.site.sitemaps",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_face(__name__, _EXPORTS)
