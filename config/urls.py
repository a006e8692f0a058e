from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.core.api import api_not_found
from apps.core.platform import registry
from apps.core.site import SITEMAPS as CORE_SITEMAPS
from apps.core.site import healthz, home, page_detail, readyz, robots_txt, status_page, theme_css

urlpatterns = [
    path("", home, name="home"),
    path("status/", status_page, name="status"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("theme.css", theme_css, name="theme-css"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's). The hashed name is
    # looked up when asked for: at import the manifest may not exist yet (`check --deploy` on a
    # fresh checkout, before collectstatic).
    path("favicon.ico", RedirectView.as_view(url=lazy(static_url, str)("favicon.svg"), permanent=True)),
    path("", include("apps.core.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("apps.core.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so the docs need no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Last under /api/: any other address there answers the API's JSON 404, DEBUG or not.
    re_path(r"^api/", api_not_found),
    # Each domain's pages, from its app hook, in INSTALLED_APPS order.
    *(path(mount.prefix, include(mount.urlconf)) for mount in registry().page_mounts),
    path(
        "sitemap.xml",
        require_GET(sitemap),
        {"sitemaps": {**CORE_SITEMAPS, **registry().sitemaps}},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]

if settings.BENCH:
    from apps.core.platform import bench_views

    urlpatterns += [path("bench/hello/", bench_views.hello, name="bench-hello")]

if settings.DEBUG and not settings.AWS_STORAGE_BUCKET_NAME:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Last: free pages live at the top level (/about/), after every route the platform owns.
urlpatterns += [path("<slug:slug>/", page_detail, name="page")]

handler400 = "apps.core.site.views.bad_request"
handler403 = "apps.core.site.views.permission_denied"
handler404 = "apps.core.site.views.page_not_found"
handler500 = "apps.core.site.views.server_error"
