"""Core's platform room: the machinery every room and domain app stands on and which knows no
room: the app hooks (``hooks``), domain events (``events``), the document store (``documents``,
``docserver``), the page cache (``pagecache``), health and system checks, the content security
policy, realtime notifications (``realtime``, ``consumers``), presence (``presence``), URL
converters, image uploads, PDF text and the benchmark's bare view.

This face names what other apps may use; everything else here is core's own.
"""

from apps.core.platform.faces import lazy_face

_EXPORTS = {
    # app hooks: what a domain app contributes (apps/<app>/platform.py)
    "AppHook": "apps.core.platform.hooks",
    "Audience": "apps.core.platform.hooks",
    "DemoAccount": "apps.core.platform.hooks",
    "Mount": "apps.core.platform.hooks",
    "NavLink": "apps.core.platform.hooks",
    "SellableKind": "apps.core.platform.hooks",
    "Periodic": "apps.core.platform.hooks",
    "ProfileSection": "apps.core.platform.hooks",
    "ProfileSectionContent": "apps.core.platform.hooks",
    # reportable kinds for core's moderation queue (apps/core/reports/registry.py)
    "Reportable": "apps.core.reports.registry",
    "ReportAction": "apps.core.reports.registry",
    "registry": "apps.core.platform.hooks",
    # idempotent requests: a view a rendered form posts again and again by design
    "idempotency_exempt": "apps.core.platform.idempotency",
    # page cache
    "cache_public_page": "apps.core.platform.pagecache",
    # degraded.degraded(name, exc): an accelerator (the cache) failed and was gone without (/readyz counts it)
    "degraded": "apps.core.platform.degraded",
    # uploads
    "validate_image": "apps.core.platform.uploads",
    "open_upright": "apps.core.platform.uploads",
    "encode_clean": "apps.core.platform.uploads",
    # PDFs (fpdf2): latin1(text) for its built-in fonts
    "latin1": "apps.core.platform.pdf",
    # background work: the worker bootstep that reports each worker alive (config/celery.py)
    "HeartbeatStep": "apps.core.platform.workers",
    # public modules, used as namespaces: events.publish / events.subscribe / events.DomainEvent,
    # pagecache.cached / pagecache.invalidate,
    # bench_views.hello (config/urls.py mounts it in bench mode)
    "events": "apps.core.platform.events",
    # the document store: documents.collection(name), documents.register_indexes(...)
    "documents": "apps.core.platform.documents",
    # mail.send_later: email on the queue, after the transaction commits
    "mail": "apps.core.platform.mail",
    "pagecache": "apps.core.platform.pagecache",
    # presence: presence.statuses(viewer, users) / presence.status(viewer, user) / presence.online_ids(ids),
    # presence.place_counts(places) (a stream's viewers), presence.service() (heartbeats, places),
    # presence.Status; who is online, away or offline (docs/architecture.md, "Presence")
    "presence": "apps.core.platform.presence",
    "bench_views": "apps.core.platform.bench_views",
    # full-text search: search.SearchIndex, search.CreateSearchIndex (migrations),
    # search.matching(queryset, index, q), search.clean_query(q) (docs/architecture.md, "Search")
    "search": "apps.core.platform.search",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_face(__name__, _EXPORTS)
