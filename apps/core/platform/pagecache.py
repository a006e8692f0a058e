"""A whole-response cache for anonymous visitors, which public pages opt into.

    @require_GET
    @cache_public_page("shop")
    def product_detail(request, slug): ...

A GET that carries no cookie and no Authorization header is someone without a session: it
is answered from the cache when the page is there. Any cookie bypasses the cache, as Varnish
does by default, so signed-in people and anyone with a session always get a fresh page.
What is stored is decided on the finished response (``PageCacheMiddleware``, outside the
session, CSRF and message middleware): only a 200, not streamed, without Set-Cookie, not
``private``/``no-store``/``no-cache``, and varying on nothing but headers the key includes.
So drafts and previews (``as_draft``: ``private, no-store``) and pages that hand out a CSRF
cookie are never stored.

Invalidation is by version: each namespace has a version key, and every page also depends on
the site-wide one (``SITE``: header, footer, theme and pages show on every page). A page is
served only if it was rendered under the versions current now, so ``invalidate(namespace)``
makes every page of that namespace (or of the whole site) stale at once, in every process
sharing the cache. Core bumps ``SITE`` on every publish, unpublish and theme change
(apps/core/site/handlers.py); an app bumps its own namespace when something else a visitor sees
changes (a comment approved). Versions are read before the view renders, so a page rendered
while an edit commits is stored under the old version and never served.

Responses say ``X-Page-Cache: hit``, ``miss`` or ``bypass`` (a cookie was sent).
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import cc_delim_re

from apps.core.platform.degraded import degraded

SITE = "site"
HEADER = "X-Page-Cache"
# Request headers that are part of a page's key. A response that varies on any other header
# (Cookie aside: a cached request has none) is not stored.
# (An htmx history restore asks for the whole page with HX-Request set: it has a key of its own.)
KEYED_HEADERS = ("HTTP_ACCEPT", "HTTP_HX_REQUEST", "HTTP_HX_HISTORY_RESTORE_REQUEST")
_VARY_KEYED = frozenset({"cookie", "accept", "hx-request", "hx-history-restore-request"})
_UNCACHEABLE_DIRECTIVES = frozenset({"private", "no-store", "no-cache"})
_PREFIX = "pagecache"

View = Callable[..., HttpResponseBase]
T = TypeVar("T")


@dataclass(frozen=True)
class Pending:
    """A page looked up and missed: the middleware stores the response under these versions."""

    key: str
    versions: tuple[str, ...]


def _cache() -> Any:
    return caches[settings.PAGE_CACHE_ALIAS]


def _version_key(namespace: str) -> str:
    return f"{_PREFIX}:v:{namespace}"


def _namespaces(namespace: str) -> tuple[str, ...]:
    return (SITE,) if namespace == SITE else (SITE, namespace)


def is_public_request(request: HttpRequest) -> bool:
    """A GET from someone with no cookie at all and no credentials: it can share a cached page."""
    meta = request.META
    return request.method == "GET" and not meta.get("HTTP_COOKIE") and not meta.get("HTTP_AUTHORIZATION")


def _page_key(namespace: str, request: HttpRequest) -> str:
    parts = [request.build_absolute_uri(), *(request.META.get(name, "") for name in KEYED_HEADERS)]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    return f"{_PREFIX}:p:{namespace}:{digest}"


def _new_version() -> str:
    # Random, not a counter: a version key evicted and created again never matches old pages.
    return uuid.uuid4().hex[:12]


def _is_current(stored: tuple[str, ...], version_keys: list[str], found: dict[str, Any]) -> bool:
    """Whether an entry was made under the versions in force now (none is, if one was lost)."""
    return all(k in found for k in version_keys) and stored == tuple(found[k] for k in version_keys)


def _current_versions(keys: list[str], found: dict[str, Any]) -> tuple[str, ...]:
    missing = [key for key in keys if key not in found]
    if missing:
        cache = _cache()
        for key in missing:
            cache.add(key, _new_version(), timeout=None)
        found = {**found, **cache.get_many(missing)}
    return tuple(found[key] for key in keys)


def lookup(namespace: str, request: HttpRequest) -> HttpResponse | Pending:
    """The cached page for this request, or what the middleware needs to store it (one round trip
    to the cache on a hit)."""
    version_keys = [_version_key(name) for name in _namespaces(namespace)]
    key = _page_key(namespace, request)
    found = _cache().get_many([*version_keys, key])
    entry = found.get(key)
    if entry is not None and _is_current(entry[0], version_keys, found):
        _, status, headers, content = entry
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        response[HEADER] = "hit"
        return response
    return Pending(key=key, versions=_current_versions(version_keys, found))


def storable(response: HttpResponseBase) -> bool:
    """Whether a finished response may be shared with every anonymous visitor."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = {
        directive.split("=", 1)[0].strip().lower(): directive.partition("=")[2].strip()
        for directive in cc_delim_re.split(response.get("Cache-Control", ""))
        if directive.strip()
    }
    if _UNCACHEABLE_DIRECTIVES & cache_control.keys() or cache_control.get("max-age") == "0":
        return False
    vary = {header.strip().lower() for header in cc_delim_re.split(response.get("Vary", "")) if header.strip()}
    return vary <= _VARY_KEYED


def store(pending: Pending, response: HttpResponseBase) -> bool:
    """Keep ``response`` for later visitors if it may be shared; whether it was stored."""
    if not storable(response):
        return False
    headers = [(name, value) for name, value in response.items() if name.lower() != HEADER.lower()]
    entry = (pending.versions, response.status_code, headers, response.content)
    _cache().set(pending.key, entry, timeout=settings.PAGE_CACHE_SECONDS)
    return True


def cached(namespace: str, name: str, load: Callable[[], T], *, max_seconds: int | None = None) -> T:
    """A fragment cache that edits clear at once: ``load()``, kept until ``invalidate(namespace)``
    or a site-wide invalidation (or PAGE_CACHE_SECONDS, or ``max_seconds`` if shorter). One
    round trip to the cache when warm.

    For what every view of a page reads (a post by its slug, a rendered sidebar, an API answer):
    unlike whole pages, this serves visitors with cookies and tokens too. ``None`` is not kept, so
    looking up addresses that do not exist cannot fill the cache. Straight from ``load()`` when
    the cache is down. ``max_seconds`` bounds values that go stale on their own (signed URLs)."""
    if not settings.PAGE_CACHE_SECONDS:
        return load()
    timeout = settings.PAGE_CACHE_SECONDS if max_seconds is None else min(settings.PAGE_CACHE_SECONDS, max_seconds)
    version_keys = [_version_key(ns) for ns in _namespaces(namespace)]
    key = f"{_PREFIX}:f:{namespace}:{name}"
    try:
        found = _cache().get_many([*version_keys, key])
        entry = found.get(key)
        if entry is not None and _is_current(entry[0], version_keys, found):
            return entry[1]
        versions = _current_versions(version_keys, found)
    except Exception as exc:
        degraded("fragment_cache", exc)
        return load()
    value = load()
    if value is not None:
        with contextlib.suppress(Exception):
            _cache().set(key, (versions, value), timeout=timeout)
    return value


def invalidate(namespace: str = SITE) -> None:
    """Every cached page of ``namespace`` (of the whole site for ``SITE``) is stale from now on.

    Inside a transaction it takes effect again when the transaction commits, so a page rendered
    from the data before the commit is not kept either."""
    _bump(namespace)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _bump(namespace), robust=True)


def _bump(namespace: str) -> None:
    try:
        _cache().set(_version_key(namespace), _new_version(), timeout=None)
    except Exception as exc:
        # Often after commit, where raising would turn an acknowledged write into a 500. A cache
        # that is down serves no pages either; one that lost its keys (a restart) makes new versions.
        # One that only dropped this connection may keep serving what it had: say so (rate-limited).
        degraded("page_cache_invalidate", exc)


def cache_public_page(namespace: str = SITE) -> Callable[[View], View]:
    """Serve this view to anonymous visitors from the page cache (see the module's docstring).

    ``namespace`` names what the page shows beyond the site's chrome, so ``invalidate(namespace)``
    reaches it (and only pages of that namespace, plus everything on a site-wide change)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not settings.PAGE_CACHE_SECONDS:
                return view(request, *args, **kwargs)
            if not is_public_request(request):
                response = view(request, *args, **kwargs)
                response[HEADER] = "bypass"
                return response
            try:
                found = lookup(namespace, request)
            except Exception as exc:
                degraded("page_cache", exc)
                return view(request, *args, **kwargs)
            if isinstance(found, HttpResponse):
                return found
            # Marks the request: the middleware stores the finished response, and templates
            # leave out what must not be shared (base.html's CSRF token header).
            request.page_cache = found  # type: ignore[attr-defined]
            response = view(request, *args, **kwargs)
            response[HEADER] = "miss"
            return response

        return wrapper

    return decorator


class PageCacheMiddleware:
    """Stores what ``cache_public_page`` missed, once every inner middleware has had its say
    (so a Set-Cookie added by the session or CSRF middleware keeps the page out). Sits above
    the session middleware; costs one attribute lookup on every other request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        pending = getattr(request, "page_cache", None)
        if pending is not None:
            try:
                store(pending, response)
            except Exception as exc:
                degraded("page_cache", exc)
        return response
