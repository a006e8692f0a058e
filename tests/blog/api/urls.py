"""The site's URLs plus a stand-in ``blog:post`` route, for as long as this branch runs without
the blog's pages (apps/blog/urls.py, merged separately): Post.get_absolute_url reverses it, and
the API's canonical URLs come from there. conftest.py uses this module only when ``blog:post``
does not resolve, so once the pages are merged the real route is tested and this goes unused."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from config import urls as site_urls


def post_page(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse(status=501)


blog_patterns = ([path("<slug:slug>/", post_page, name="post")], "blog")

urlpatterns = [path("blog/", include(blog_patterns)), *site_urls.urlpatterns]

handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500
