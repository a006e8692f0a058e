"""The platform's one settings module.

Every deploy-varying value comes from the environment through the typed helpers in
``config.env``. Each part (SQL, cache, channel layer, documents, files) has an embedded
default that needs no service, and a production form chosen only by environment
variables, so the same code and the same test suite run on both.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded parts keep their files here

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (it signs sessions and tokens).")
    # Development only; `check --deploy` rejects keys with this prefix.
    SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"  # noqa: S105

# The address this process serves on (`make run HOST=... PORT=...` passes them): the default
# for SITE_URL and one of the default ALLOWED_HOSTS.
SERVE_HOST = env_str("SERVE_HOST", "127.0.0.1")
SERVE_PORT = env_int("SERVE_PORT", 8000, minimum=1)
# `manage.py serve` on SIGTERM: seconds requests in flight get to finish before they are cut
# (apps/core/platform/serving.py). An orchestrator's kill timeout should exceed it by ~10 s.
SHUTDOWN_GRACE_SECONDS = env_int("SHUTDOWN_GRACE_SECONDS", 20, minimum=0)
# Serving on every interface: links name this machine's loopback address, which is among them.
_LINK_HOST = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(SERVE_HOST, SERVE_HOST)  # noqa: S104
_LINK_HOST = f"[{_LINK_HOST}]" if ":" in _LINK_HOST and not _LINK_HOST.startswith("[") else _LINK_HOST
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", list(dict.fromkeys(["localhost", "127.0.0.1", "[::1]", _LINK_HOST])))
# Proxies in front of the app that append to X-Forwarded-For; 0 trusts none of it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = env_str("SITE_NAME", "Platform")
# The home page's hero line under the site's name (the built-in home, before any home sections are published).
SITE_TAGLINE = env_str("SITE_TAGLINE", "Writing worth reading, and a place to talk about it.")
# Where people reach the site; used in links inside emails and the API's `url` fields.
SITE_URL = env_str("SITE_URL") or f"http://{_LINK_HOST}:{SERVE_PORT}"

# Widgets render through the project's template engine, so widget templates live in templates/.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

INSTALLED_APPS = [
    # daphne first: its runserver serves HTTP and websockets from one ASGI process.
    "daphne",
    "apps.core.apps.PlatformAdminConfig",  # django.contrib.admin with the platform's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",  # the built-in widget templates, for the project-wide form renderer below
    "channels",
    "django_htmx",
    "template_partials",
    "guardian",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "djmoney",
    "django_countries",
    "imagekit",
    "apps.core",
    "apps.blog",
    "apps.commerce",
    "apps.lms",
    "apps.social",
    "apps.stream",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above sessions, CSRF and messages: it stores a public page only once they have had their say.
    "apps.core.platform.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.core.publishing.preview.SitePreviewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.core.platform.csp.CSPMiddleware",  # django-csp's, with the site-wide policy built once
    "django_htmx.middleware.HtmxMiddleware",
    # Its process_exception answers an unavailable document store with a 503 (the idempotency
    # middleware below asks it too, for the views it calls itself).
    "apps.core.platform.unavailable.UnavailableMiddleware",
    # Last: its process_view runs after CSRF's and calls the view itself, for requests with a key.
    "apps.core.platform.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        # template_partials replaces APP_DIRS with its own cached, partial-aware loaders.
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.site.context_processors.site",
            ],
            # idempotency: {% idempotency_field %} in every POST form, without a {% load %}
            "builtins": ["template_partials.templatetags.partials", "apps.core.templatetags.idempotency"],
        },
    },
]

# --- SQL ---------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)
    if _db["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// or postgresql:// URL.")
    _db["OPTIONS"] = {
        "connect_timeout": env_int("DB_CONNECT_TIMEOUT", 5, minimum=1),
        # What pg_stat_activity calls these connections (an operator's, or a test's, way to find
        # one deployment's backends among others on the same server).
        "application_name": env_str("DB_APPLICATION_NAME", "platform"),
        # Under ASGI each request runs in its own thread, so Django's per-thread persistent
        # connections (CONN_MAX_AGE) would leak; psycopg's pool keeps connections alive
        # across requests instead, and CONN_HEALTH_CHECKS makes it check each one first.
        "pool": {
            "min_size": env_int("DB_POOL_MIN_SIZE", 1, minimum=0),
            "max_size": env_int("DB_POOL_MAX_SIZE", 10, minimum=1),
            "timeout": env_int("DB_POOL_TIMEOUT", 5, minimum=1),
        },
    }
    DATABASES = {"default": _db}
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend with idle connections pooled (apps/core/platform/sqlite)
            "ENGINE": "apps.core.platform.sqlite",
            # SQLITE_PATH: another file (the fault tests point a production-mode process at the
            # test database this way).
            "NAME": Path(env_str("SQLITE_PATH") or VAR_DIR / "db.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on the
                # busy timeout instead of failing with "database is locked" mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "pool": env_bool("SQLITE_POOL", default=True),
            },
            # A file, not memory: the browser tests' live server is another process.
            "TEST": {"NAME": str(VAR_DIR / "test-db.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# --- Cache, sessions, channel layer --------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Seconds the channel layer waits on a Redis read: past channels_redis's 5 s blocking pop.
CHANNEL_LAYER_SOCKET_TIMEOUT = env_int("CHANNEL_LAYER_SOCKET_TIMEOUT", 15, minimum=6)
if REDIS_URL:
    _redis_options = {
        "SOCKET_CONNECT_TIMEOUT": env_int("REDIS_CONNECT_TIMEOUT", 2, minimum=1),
        "SOCKET_TIMEOUT": env_int("REDIS_TIMEOUT", 2, minimum=1),
    }
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_PREFIX", "platform"),
            "OPTIONS": _redis_options,
        },
        # Sessions are cached_db: this alias swallows Redis errors so an outage falls back to
        # the database and logs nobody out. The default alias raises, so /readyz sees it.
        "sessions": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_PREFIX", "platform") + ":s",
            "OPTIONS": {**_redis_options, "IGNORE_EXCEPTIONS": True, "LOG_IGNORED_EXCEPTIONS": True},
        },
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # channels_redis receives with 5 s blocking pops: a read timeout no longer than
                # that (redis-py's default here) closed every socket idle for ~6 s with 1011.
                # Keepalive and health checks still find a dead connection.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": CHANNEL_LAYER_SOCKET_TIMEOUT,
                        "socket_connect_timeout": env_int("REDIS_CONNECT_TIMEOUT", 2, minimum=1),
                        "socket_keepalive": True,
                        "health_check_interval": 30,
                    }
                ],
                "prefix": env_str("CACHE_PREFIX", "platform") + ":asgi",
            },
        }
    }
else:
    CACHES = {
        # Django's local-memory default keeps 300 entries and then drops a third of them on the
        # next write: whole pages, fragments and their version keys, throttles and per-visitor
        # counters share this one, so a burst of new visitors (a shop's add-to-cart) emptied the
        # page cache for everyone. 5,000 entries of pages of ~20 KB stay near 100 MB at worst.
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "default",
            "OPTIONS": {"MAX_ENTRIES": env_int("LOCAL_CACHE_MAX_ENTRIES", 5000, minimum=300)},
        },
        "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sessions"},
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Site-wide reads cached for every page view (active theme, footer pages). Publish events clear
# them at once in a shared cache (Redis); with the local-memory cache another process's change
# (a cron command) shows after at most this many seconds.
SITE_CACHE_SECONDS = env_int("SITE_CACHE_SECONDS", 3600 if REDIS_URL else 60, minimum=0)

# Whole pages kept for visitors without cookies (apps/core/platform/pagecache.py); 0 turns it off. Publish
# events make them stale at once wherever the cache is shared (Redis), as for the reads above.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", SITE_CACHE_SECONDS, minimum=0)
PAGE_CACHE_ALIAS = "default"

# The cache is an accelerator: with it unreachable, throttles and rate limits allow, and cache drops
# are skipped (apps/core/platform/degraded.py counts each, shown in /readyz and check_services, and
# logs one warning per kind every this many seconds rather than one per request).
DEGRADED_LOG_SECONDS = env_int("DEGRADED_LOG_SECONDS", 10, minimum=1)

# cached_db, without a look-up before each new key (apps/core/accounts/sessions.py)
SESSION_ENGINE = "apps.core.accounts.sessions"
SESSION_CACHE_ALIAS = "sessions"

# --- Documents (MongoDB through pymongo) ----------------------------------------------------
# Unset: the platform starts an embedded MongoDB wire-protocol server (nx-27017) on a free
# loopback port, storing SQLite files under DOCUMENTS_EMBEDDED_DIR.
MONGODB_URL = env_str("MONGODB_URL")
MONGODB_DB = env_str("MONGODB_DB")
# Short timeouts, one attempt (no driver retries): a request on a store that is down or frozen
# fails within about 1 s with a 503 instead of hanging. TIMEOUT bounds finding the server and
# waiting for a pooled connection; CONNECT a new connection's handshake; SOCKET each answer.
MONGODB_TIMEOUT_MS = env_int("MONGODB_TIMEOUT_MS", 1000, minimum=100)
MONGODB_CONNECT_TIMEOUT_MS = env_int("MONGODB_CONNECT_TIMEOUT_MS", 1000, minimum=100)
MONGODB_SOCKET_TIMEOUT_MS = env_int("MONGODB_SOCKET_TIMEOUT_MS", 1000, minimum=100)
DOCUMENTS_EMBEDDED_DIR = Path(env_str("DOCUMENTS_EMBEDDED_DIR") or VAR_DIR / "documents")
# The embedded server is supervised by the process that started it: restarted with backoff
# when it exits, and killed then restarted when it has answered no ping for this many seconds
# (frozen, e.g. SIGSTOP); 0 leaves a frozen server alone.
DOCUMENTS_EMBEDDED_HANG_S = env_int("DOCUMENTS_EMBEDDED_HANG_S", 10, minimum=0)

# --- Health -----------------------------------------------------------------------------
# /readyz and the status page probe every part at once, each given this long: a part that hangs
# is named down ("Timeout") and the answer still comes within 2 s. check_services waits longer.
READYZ_PROBE_TIMEOUT_MS = env_int("READYZ_PROBE_TIMEOUT_MS", 1500, minimum=100)

# --- Files ------------------------------------------------------------------------------
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed files need `collectstatic`; without it whitenoise serves from the finders.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", default=not DEBUG)
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN") or None,
            "url_protocol": env_str("AWS_S3_URL_PROTOCOL", "https:"),
            "location": env_str("AWS_LOCATION", "media"),
            "file_overwrite": False,
            "default_acl": None,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        # whitenoise's compressed, hashed files, each URL worked out once (apps/core/platform/staticfiles.py)
        "BACKEND": "apps.core.platform.staticfiles.StaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Auth ---------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "display_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Roles and ownership first (no query per object), then guardian's explicit per-object grants.
AUTHENTICATION_BACKENDS = [
    "apps.core.accounts.backends.RoleBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous visitors get no grants
GUARDIAN_MONKEY_PATCH_USER = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24, minimum=300)
PUBLISH_CHECK_SECONDS = env_int("PUBLISH_CHECK_SECONDS", 30, minimum=1)  # how often beat applies due schedules
PREVIEW_MAX_AGE = env_int("PREVIEW_MAX_AGE", 60 * 60, minimum=60)  # seconds a draft preview link works
EMAIL_VERIFICATION_MAX_AGE = env_int("EMAIL_VERIFICATION_MAX_AGE", 60 * 60 * 24 * 3, minimum=300)

# Extra robots.txt Disallow paths beyond core's (apps/core/site/views.py robots_disallow).
ROBOTS_DISALLOW = env_list("ROBOTS_DISALLOW")

# Sign-in lockout (apps/core/accounts/security.py): failures counted per (account, address) and per
# account within a window; over either limit that account answers 429 (from that address, or
# from everywhere) until the window ends. An address is never locked out (one office behind NAT
# shares it): from its BACKOFF_AFTER-th failure on, each failure makes it wait BACKOFF_BASE
# seconds, doubling, at most BACKOFF_MAX. The counts live in the cache; while it cannot be reached
# they are kept in SQL (core.SignInFailureCount), so the lockout holds through a Redis outage.
LOGIN_LOCKOUT_PAIR_LIMIT = env_int("LOGIN_LOCKOUT_PAIR_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_ACCOUNT_LIMIT = env_int("LOGIN_LOCKOUT_ACCOUNT_LIMIT", 20, minimum=1)
LOGIN_LOCKOUT_WINDOW = env_int("LOGIN_LOCKOUT_WINDOW", 15 * 60, minimum=1)
LOGIN_BACKOFF_AFTER = env_int("LOGIN_BACKOFF_AFTER", 10, minimum=1)
LOGIN_BACKOFF_BASE = env_int("LOGIN_BACKOFF_BASE", 1, minimum=1)
LOGIN_BACKOFF_MAX = env_int("LOGIN_BACKOFF_MAX", 60, minimum=1)
REGISTRATION_RATE_LIMIT = env_int("REGISTRATION_RATE_LIMIT", 10, minimum=1)  # per address per hour

# --- Comments (apps/core/comments, on every commentable kind) --------------------------------
COMMENT_EDIT_WINDOW = env_int("COMMENT_EDIT_WINDOW", 15 * 60, minimum=0)  # seconds an author may edit
COMMENT_MAX_LENGTH = env_int("COMMENT_MAX_LENGTH", 5000, minimum=1)  # characters
# Levels of a thread (1 = no replies); a reply to the deepest level joins that level.
COMMENT_MAX_DEPTH = env_int("COMMENT_MAX_DEPTH", 5, minimum=1)
COMMENT_RATE_LIMIT = env_int("COMMENT_RATE_LIMIT", 5, minimum=1)  # comments per user per window
COMMENT_RATE_WINDOW = env_int("COMMENT_RATE_WINDOW", 60, minimum=1)  # seconds
# Reports (since a moderator last looked) that hide a comment until a moderator decides.
COMMENT_FLAG_THRESHOLD = env_int("COMMENT_FLAG_THRESHOLD", 3, minimum=1)

# --- Email ----------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=EMAIL_PORT == 465)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Platform <no-reply@localhost>")

# --- Background work (Celery) ---------------------------------------------------------------
# The broker: CELERY_BROKER_URL (Redis or RabbitMQ: amqp://guest:guest@127.0.0.1:5672//), else
# REDIS_URL, else kombu's filesystem transport under var/ (no server; one machine only).
CELERY_FILESYSTEM_DIR = Path(env_str("CELERY_FILESYSTEM_DIR") or VAR_DIR / "celery")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's transport, with messages renamed into place whole (apps/core/platform/broker.py)
    CELERY_BROKER_TRANSPORT = "apps.core.platform.broker:Transport"
    for _folder in ("queue", "control", "processed"):
        (CELERY_FILESYSTEM_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
        # An idle worker looks at the folder this often (kombu's default, 1 s, put half a second
        # between a commit and its domain events' delivery); a directory listing costs little.
        "polling_interval": 0.1,
    }
else:
    # Redis hands an unacknowledged task (its worker died) to another worker after this long.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=10)}
# Tasks report through their effects (rows, documents, emails), not through a result store.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged when it ends, not when it starts, and one a dying worker held goes back
# to the queue; each worker process reserves one task at a time, so a long one blocks no other.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=2)
# Queues: default; media (transcoding, recordings: long, run by their own workers); fanout
# (timelines). A task picks its queue with @shared_task(queue=...).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_CREATE_MISSING_QUEUES = True
CELERY_WORKER_QUEUES = env_list("CELERY_WORKER_QUEUES", ["default", "media", "fanout"])
# A request must not hang on an unreachable broker: a short connect, two quick retries, then the
# error (callers that enqueue after commit log it; the outbox sweep delivers later).
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 2, minimum=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # LOGGING below prints the worker's lines too
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"  # what tasks print (the console email backend) is no warning
CELERY_WORKER_SEND_TASK_EVENTS = False
# Task modules of core's rooms (domain apps' tasks.py are found by autodiscovery).
CELERY_IMPORTS = [
    "apps.core.platform.tasks",
    "apps.core.accounts.tasks",
    "apps.core.publishing.tasks",
    "apps.core.notifications.tasks",
]
# Periodic work; each entry is safe to run twice at once (two beats by mistake, or a slow run
# overlapping the next). Expiry sweeps delete only what has expired, so a repeat finds nothing.
SWEEP_SECONDS = env_int("SWEEP_SECONDS", 60 * 60, minimum=60)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "core.publish_due": {"task": "core.publish_due", "schedule": PUBLISH_CHECK_SECONDS},
    "core.clear_expired_sessions": {"task": "core.clear_expired_sessions", "schedule": SWEEP_SECONDS},
    "core.flush_expired_tokens": {"task": "core.flush_expired_tokens", "schedule": SWEEP_SECONDS},
    "core.forget_stale_workers": {"task": "core.forget_stale_workers", "schedule": SWEEP_SECONDS},
    "core.outbox_sweep": {
        "task": "core.outbox_sweep",
        "schedule": float(env_int("OUTBOX_SWEEP_SECONDS", 5, minimum=1)),
    },
    "core.outbox_prune": {"task": "core.outbox_prune", "schedule": 3600.0},
}
# Each worker records a heartbeat row this often; readiness calls the workers down when none is
# newer than WORKER_STALE_SECONDS (a worker that was killed or hangs stops beating).
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10, minimum=1)
WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 3 * WORKER_HEARTBEAT_SECONDS, minimum=2)
# Emails: a failed send is tried again after about EMAIL_RETRY_SECONDS, doubling each time up to
# ten minutes, at most EMAIL_MAX_RETRIES times; then it is logged as lost.
EMAIL_RETRY_SECONDS = env_int("EMAIL_RETRY_SECONDS", 5, minimum=0)
EMAIL_MAX_RETRIES = env_int("EMAIL_MAX_RETRIES", 8, minimum=0)
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_FILESYSTEM_DIR / "beat-schedule")

# --- Outbox of domain events (apps/core/platform/outbox.py) --------------------------------
# A subscriber's delivery is parked as a dead letter after this many failed attempts (the
# activity log's never is: a document-store outage is not the event's fault).
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 3, minimum=1)
# Seconds before the first retry, doubling each time, capped.
OUTBOX_RETRY_BACKOFF: float = env_int("OUTBOX_RETRY_BACKOFF", 2, minimum=0)
OUTBOX_RETRY_BACKOFF_MAX: float = env_int("OUTBOX_RETRY_BACKOFF_MAX", 600, minimum=1)
# An attempt's lease: no delivery runs past the hard time limit (the worker kills it), so one
# still leased after it belongs to a dead worker, and the sweep sends it again.
OUTBOX_LEASE_SECONDS: float = env_int("OUTBOX_LEASE_SECONDS", CELERY_TASK_TIME_LIMIT + 30, minimum=1)
# A due delivery with no attempt this long after its task was sent (the message was lost) is sent again.
OUTBOX_RESEND_AFTER: float = env_int("OUTBOX_RESEND_AFTER", 60, minimum=1)
# Delivered ledger rows and their events are kept this long (a repeat within it is recognised).
OUTBOX_RETENTION_DAYS = env_int("OUTBOX_RETENTION_DAYS", 7, minimum=1)

# --- Notifications ------------------------------------------------------------------------
# The digests go out at this hour (TIME_ZONE), the weekly one on Mondays.
NOTIFICATIONS_DIGEST_HOUR = min(env_int("NOTIFICATIONS_DIGEST_HOUR", 7, minimum=0), 23)
CELERY_BEAT_SCHEDULE["notifications-daily-digest"] = {
    "task": "core.notifications_digest",
    "schedule": crontab(minute=0, hour=NOTIFICATIONS_DIGEST_HOUR),
    "kwargs": {"frequency": "daily"},
}
CELERY_BEAT_SCHEDULE["notifications-weekly-digest"] = {
    "task": "core.notifications_digest",
    "schedule": crontab(minute=0, hour=NOTIFICATIONS_DIGEST_HOUR, day_of_week="mon"),
    "kwargs": {"frequency": "weekly"},
}
# With the in-memory channel layer (one process) the bell's socket reads the unread count this
# often, since notifications are written on a worker, another process; Redis pushes at once.
NOTIFICATIONS_POLL_SECONDS = env_int("NOTIFICATIONS_POLL_SECONDS", 2, minimum=1)
# Read notifications are deleted this many days after they were read (unread ones stay).
NOTIFICATIONS_RETENTION_DAYS = env_int("NOTIFICATIONS_RETENTION_DAYS", 180, minimum=1)
CELERY_BEAT_SCHEDULE["notifications-prune"] = {"task": "core.notifications_prune", "schedule": 24 * 3600.0}

# --- Idempotent unsafe requests (apps/core/platform/idempotency.py) ------------------------
# An Idempotency-Key (or a form's hidden key) and its first answer are kept this long; a repeat
# within it replays that answer. The prune task deletes older keys.
IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", 24, minimum=1)
# A repeat that arrives while the first request still runs waits this long for its answer, then 409.
IDEMPOTENCY_WAIT_SECONDS: float = env_int("IDEMPOTENCY_WAIT_SECONDS", 10, minimum=0)
# A claim with no answer this long after it was taken belongs to an attempt that died (its writes
# rolled back): a retry may run again. A live attempt's lock, not this, keeps a retry from running twice.
IDEMPOTENCY_LEASE_SECONDS: float = env_int("IDEMPOTENCY_LEASE_SECONDS", 30, minimum=1)
CELERY_BEAT_SCHEDULE["core.idempotency_prune"] = {"task": "core.idempotency_prune", "schedule": 3600.0}

# --- Shop (apps/commerce) ------------------------------------------------------------------
# A new shop's currency, and the currencies shops may choose (ISO 4217 codes). One cart and one
# order are in one currency.
SHOP_DEFAULT_CURRENCY = env_str("SHOP_DEFAULT_CURRENCY", "EUR").upper()
CURRENCIES = tuple(code.upper() for code in env_list("SHOP_CURRENCIES", ["EUR", "USD", "GBP"]))
if SHOP_DEFAULT_CURRENCY not in CURRENCIES:
    CURRENCIES = (SHOP_DEFAULT_CURRENCY, *CURRENCIES)
DEFAULT_CURRENCY = SHOP_DEFAULT_CURRENCY  # django-money's name for it
# How long a checkout holds its stock (Saleor's reservations); beat releases what has expired.
SHOP_RESERVATION_MINUTES = env_int("SHOP_RESERVATION_MINUTES", 15, minimum=1)
# Whether the prices shop owners enter include tax (shown as such); else tax is added at checkout.
SHOP_PRICES_INCLUDE_TAX = env_bool("SHOP_PRICES_INCLUDE_TAX", True)
# The most of one variant a cart line may hold.
SHOP_MAX_LINE_QUANTITY = env_int("SHOP_MAX_LINE_QUANTITY", 99, minimum=1)
# Payments: Stripe when a secret key is set, else the built-in test provider (its own payment page).
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
# Where the stripe SDK sends its calls (tests point it at a loopback server speaking Stripe's API).
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "")

# --- API ----------------------------------------------------------------------------------
# The largest JSON or form body the API reads (multipart may add one image upload on top).
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.core.api.authentication.VersionedJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Closed by default: a public endpoint says so with AllowAny.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # DRF's parsers with a size limit and, for JSON, a depth limit (apps/core/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.api.parsers.JSONParser",
        "apps.core.api.parsers.FormParser",
        "apps.core.api.parsers.MultiPartParser",
    ],
    "DEFAULT_METADATA_CLASS": "apps.core.api.metadata.ApiMetadata",
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.PagePagination",
    "PAGE_SIZE": 20,
    # DRF's throttles, allowing (with a warning and a count) while the cache is unreachable.
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.core.api.throttling.AnonRateThrottle",
        "apps.core.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "120/min"),
        "user": env_str("API_THROTTLE_USER", "1200/min"),
        "auth": env_str("API_THROTTLE_AUTH", "30/min"),
    },
    "EXCEPTION_HANDLER": "apps.core.api.errors.exception_handler",
    # Throttles key on the client address: trust X-Forwarded-For only as far as our own proxies.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 5, minimum=1)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7, minimum=1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env_str("JWT_SIGNING_KEY") or SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "LEEWAY": 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": "One API for publishing, the shop, learning, the social network and live streaming.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # <id:...> (apps/core/platform/converters.py): a positive signed 64-bit integer.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}},
    # Two choice sets are called "kind" (a lesson's, a quiz question's): each keeps a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "apps.lms.api.serializers_quizzes.lesson_kinds",
        "QuestionKindEnum": "apps.lms.models.Question.Kind",
    },
}

# --- Security -----------------------------------------------------------------------------
# HTTPS=true turns on everything that only makes sense behind TLS.
HTTPS = env_bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe over plain HTTP; a redirect to https:// would count as a failed probe.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=HTTPS)
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from hx-headers, rendered server-side

# Content-Security-Policy: the platform's pages load scripts, styles and fonts only from
# themselves and run no inline script. Uploads may come from the S3 domain.
_s3_domain = env_str("AWS_S3_CUSTOM_DOMAIN")
_media_origins = [
    origin
    for origin in (
        f"{env_str('AWS_S3_URL_PROTOCOL', 'https:')}//{_s3_domain}" if _s3_domain else "",
        env_str("AWS_S3_ENDPOINT_URL"),
    )
    if origin
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # blob: the image picker's preview of a file chosen but not yet uploaded (components.js).
        "img-src": ["'self'", "data:", "blob:", *_media_origins],
        "media-src": ["'self'", "blob:", *_media_origins],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Misc ---------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True


def _one_line_per_request(record: logging.LogRecord) -> bool:
    """Keep the server's access line as the one line about a request that ended in 4xx.

    Django logs every 4xx answer again on ``django.request`` ("Not Found: /x", "Forbidden
    (Permission denied): /x" with the PermissionDenied traceback) and CSRF refusals on
    ``django.security.csrf``; the server's access line (``django.channels.server`` under
    runserver, ``django.server`` under the WSGI one) already says method, path, status and
    duration. 5xx keep their record and its one traceback; other security warnings (a
    disallowed host) keep their line but lose the traceback of an expected refusal.
    """
    status = getattr(record, "status_code", None)
    if status is None or status >= 500:
        return True
    if record.name in ("django.request", "django.security.csrf"):
        return False
    record.exc_info, record.exc_text = None, None
    return True


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"one_line_per_request": {"()": "django.utils.log.CallbackFilter", "callback": _one_line_per_request}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["one_line_per_request"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default logging gives "django" a console handler of its own (under DEBUG) and
        # lets it propagate to ours as well: every line twice. Ours alone prints them.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},
        # The pool logs every failed connection attempt while the database is away.
        "psycopg.pool": {"level": "ERROR"},
        # Celery's line per task received and finished (and beat's per entry sent): the outbox's
        # sweep alone runs every few seconds. TASK_LOG_LEVEL=INFO shows them again.
        **{
            name: {"level": env_str("TASK_LOG_LEVEL", "WARNING")}
            for name in ("celery.app.trace", "celery.worker.strategy", "celery.beat")
        },
    },
}

CSRF_FAILURE_VIEW = "apps.core.site.views.csrf_failure"

# Benchmark mode (`make bench`): mounts /bench/hello/, the bare view every figure is divided by.
BENCH = env_bool("BENCH", default=False)
if BENCH:  # the queue's yardsticks: a probe task and an event (bench/jobs.py)
    CELERY_IMPORTS.append("apps.core.platform.bench_tasks")
