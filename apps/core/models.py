"""Core models: the one user account of every domain, and the roles it holds.

The user model lives here from the first migration because Django cannot swap
AUTH_USER_MODEL once tables exist."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from apps.core.accounts import roles
from apps.core.accounts.roles import RoleName
from apps.core.comments.models import Comment, CommentBan, CommentFlag  # noqa: F401 (the comment room's tables, app label core)
from apps.core.notifications.models import Notification, NotificationPreference  # noqa: F401 (the notification room's)
from apps.core.publishing.models import Publishable
from apps.core.reports.models import Report  # noqa: F401 (the report room's table, app label core)


def normalize_email(email: str) -> str:
    """Emails are compared case-insensitively everywhere, so they are stored lower-case."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        # `createsuperuser` makes a super admin: the flag and the role never disagree.
        extra["is_staff"] = True
        extra["is_superuser"] = True
        extra.setdefault("email_verified_at", timezone.now())
        user = self._create(email, password, **extra)
        role, _ = Role.objects.get_or_create(name=RoleName.SUPER_ADMIN)
        RoleGrant.objects.get_or_create(user=user, role=role)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalize_email(username or ""))


def avatar_path(instance: User, filename: str) -> str:
    # A random name: the uploader's file name is neither trusted nor kept.
    suffix = PurePosixPath(filename).suffix.lower()[:6]
    return f"avatars/{instance.pk or 'new'}/{uuid.uuid4().hex}{suffix}"


class Role(models.Model):
    """One of the roles of ``apps.core.accounts.roles`` (core's and the app hooks'); rows exist so the admin
    can show and grant them. Hook roles get their row after migrate (``apps.core.apps``)."""

    name = models.SlugField(max_length=32, unique=True, choices=roles.choices)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_name_display()

    @property
    def description(self) -> str:
        return roles.description(self.name)


class User(AbstractBaseUser, PermissionsMixin):
    """One account for every domain, signed in with an email address."""

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=150, blank=True)
    bio = models.TextField(max_length=2000, blank=True)
    avatar = models.ImageField(upload_to=avatar_path, blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May sign in to the admin.")
    date_joined = models.DateTimeField(default=timezone.now)
    roles = models.ManyToManyField(
        Role, through="RoleGrant", through_fields=("user", "role"), related_name="users", blank=True
    )
    # Bumped whenever roles, the active flag or the password change: API tokens carry the value
    # they were issued with and stop working once it moves on.
    role_version = models.PositiveIntegerField(default=1)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="core_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email.split("@")[0]

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        # A refreshed row must not answer with roles read before the refresh.
        from apps.core.accounts.permissions import forget_roles

        forget_roles(self)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class RoleGrant(models.Model):
    """A role held by a user: who granted it and when."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="core_rolegrant_unique")]

    def __str__(self) -> str:
        return f"{self.user} as {self.role}"


# --- Site pages ---------------------------------------------------------------------------

# Top-level paths core uses: a free page may not shadow them, nor those the app hooks reserve.
RESERVED_PAGE_SLUGS = frozenset(
    {
        "admin",
        "api",
        "accounts",
        "dashboard",
        "status",
        "static",
        "media",
        "healthz",
        "readyz",
        "pages",
        "ws",
        "styleguide",
        "notifications",
        "reports",
    }
)


def reserved_page_slugs() -> frozenset[str]:
    """Core's reserved addresses and the installed apps' (their page mounts and reserved slugs)."""
    from apps.core.platform.hooks import registry

    return RESERVED_PAGE_SLUGS | registry().reserved_slugs


def validate_page_slug(value: str) -> None:
    from django.core.exceptions import ValidationError

    if value in reserved_page_slugs():
        raise ValidationError(f"“{value}” is used by the platform itself; choose another address.", code="reserved")


class SitePage(Publishable):
    """A free page at its own address (/about/, /terms/ ...), published through the engine."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, validators=[validate_page_slug])
    body = models.JSONField(default=list, blank=True)
    seo_description = models.CharField("description for search engines", max_length=300, blank=True)

    content_fields = ("title", "slug", "body", "seo_description")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("page", args=[self.slug])

    def clean_content(self, content: dict[str, Any]) -> dict[str, Any]:
        # The body is blocks: sanitised and checked against the schema before any revision is kept.
        from apps.core.blocks import clean_blocks

        if "body" in content:
            content = {**content, "body": clean_blocks(content["body"])}
        return super().clean_content(content)


class Theme(Publishable):
    """A set of values for the site's CSS custom properties (see apps/core/site/themes.py).

    Several themes may exist; the published revision of the one marked active styles the site.
    """

    name = models.CharField(max_length=80, unique=True)
    tokens = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=False, editable=False)

    content_fields = ("name", "tokens")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="core_theme_one_active"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean_content(self, content: dict[str, Any]) -> dict[str, Any]:
        from apps.core.site.themes import clean_tokens

        if "tokens" in content:
            content = {**content, "tokens": clean_tokens(content["tokens"])}
        return super().clean_content(content)


class SiteComponent(Publishable):
    """The header's menu, the home page's sections or the footer: one row per key, published
    through the engine. ``content``'s shape depends on the key (apps/core/site/components.py)."""

    class Key(models.TextChoices):
        HEADER = "header", "Header"
        HOME = "home", "Home page"
        FOOTER = "footer", "Footer"

    key = models.SlugField(max_length=20, unique=True, choices=Key.choices)
    content = models.JSONField(default=dict, blank=True)

    content_fields = ("content",)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.get_key_display()

    def clean_content(self, content: dict[str, Any]) -> dict[str, Any]:
        # The key says what the content is; it is fixed when the row is created, never edited.
        from apps.core.site.components import clean_component

        if "content" in content:
            content = {**content, "content": clean_component(self.key, content["content"])}
        return super().clean_content(content)


# --- The outbox of domain events (apps/core/platform/outbox.py) ---------------------------


class OutboxEvent(models.Model):
    """A domain event, written in the transaction that raised it; the relay hands it on.

    ``id`` orders events (per aggregate, the order subscribers see them in). ``relayed_at`` is
    set once the event's deliveries exist; a row is pruned when none of them is left undone.
    """

    event_id = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    aggregate = models.CharField(max_length=200)
    actor_id = models.BigIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    relayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # the relay's and the backlog's "what is not relayed yet", oldest first
            models.Index(fields=["id"], condition=models.Q(relayed_at__isnull=True), name="core_outbox_unrelayed"),
            models.Index(fields=["relayed_at"], name="core_outbox_relayed_at"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.event_id}"


class EventDelivery(models.Model):
    """One event for one durable subscriber: its attempts and, once done, the ledger's mark.

    ``(event, subscriber)`` is unique: a delivered row is the proof that the subscriber's effect
    happened, written in the same transaction as that effect (for SQL subscribers), so a retry
    of an event already handled finds it and does nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        DEAD = "dead", "Dead letter"

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(max_length=200)
    # The event's aggregate and outbox id, copied so a subscriber's queue per aggregate is one index.
    aggregate = models.CharField(max_length=200)
    seq = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # An attempt under way holds a lease; one whose worker died is taken again once it expires.
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    # When a task for it was last sent: the sweep sends another only after OUTBOX_RESEND_AFTER.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    dead_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="core_eventdelivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["subscriber", "aggregate", "seq"],
                condition=models.Q(status="pending"),
                name="core_delivery_pending_pair",
            ),
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="core_delivery_due"),
            models.Index(fields=["status", "delivered_at"], name="core_delivery_status"),
        ]
        verbose_name_plural = "event deliveries"

    def __str__(self) -> str:
        return f"{self.subscriber} ← {self.event_id}"


class DeadLetterManager(models.Manager["DeadLetter"]):
    def get_queryset(self) -> models.QuerySet[DeadLetter]:
        return super().get_queryset().filter(status=EventDelivery.Status.DEAD)


class DeadLetter(EventDelivery):
    """A delivery parked after OUTBOX_MAX_ATTEMPTS failures, for staff to read and retry."""

    objects = DeadLetterManager()

    class Meta:
        proxy = True
        verbose_name = "dead letter"
        verbose_name_plural = "dead letters"


# --- Background work -----------------------------------------------------------------------


class WorkerHeartbeat(models.Model):
    """A Celery worker's last sign of life, written every WORKER_HEARTBEAT_SECONDS by the worker
    itself (apps/core/platform/workers.py). Kept in SQL so every process reads the same answer,
    whatever the cache; readiness calls the workers down when no row is recent."""

    hostname = models.CharField(max_length=255, unique=True)
    queues = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        return self.hostname


# --- Sign-in failures while the cache is down (apps/core/accounts/security.py) ---------------


class SignInFailureCount(models.Model):
    """One failure count of the sign-in lockout, kept here only while the cache (where the
    counts normally live) cannot be reached, so a lockout still holds during an outage. A row
    counts until ``ends``; the next failure after that starts a new window."""

    class Kind(models.TextChoices):
        ACCOUNT = "account"  # one account from every address
        PAIR = "pair"  # one account from one address
        ADDRESS = "address"  # one address over every account (its backoff counts these)
        WAIT = "wait"  # an address's backoff in force until ``ends``

    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    email = models.CharField(max_length=254, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    failures = models.PositiveIntegerField(default=0)
    ends = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.kind} {self.email or '-'} {self.ip or '-'}: {self.failures}"


# --- Idempotency of unsafe requests (apps/core/platform/idempotency.py) --------------------


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` (or a form's hidden key) and the answer its first request got.

    The row is the claim: inserted and committed before the view runs, so a second request with
    the key finds it. The view's writes and ``status_code``/``headers``/``body`` commit in one
    later transaction, so an attempt either left both or neither; a claim with no answer whose
    lease has run out belongs to an attempt that died, and a retry may take it over.
    """

    scope = models.CharField(max_length=100)  # whose key: user:<id>, session:<digest>, ip:<address>
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path with query and body
    created_at = models.DateTimeField(default=timezone.now)
    lease_token = models.CharField(max_length=32)
    lease_until = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)  # None: no answer yet
    headers = models.JSONField(default=list, blank=True)  # [[name, value], ...] worth replaying
    body = models.BinaryField(default=b"", blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="core_idempotency_once")]
        indexes = [models.Index(fields=["created_at"], name="core_idempotency_created")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
