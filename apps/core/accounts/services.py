"""Every write to identity and access: registration, verification, profile, roles, activation.

Services take the acting user and plain values (never a request), run in a transaction,
raise ValidationError on bad input and publish domain events that are delivered on commit.
Changes to someone's account (roles, active flag, email, password, deletion) ask
``permissions.account_change_refusal`` and raise PermissionDenied with its reason, so the admin,
the API and the operator commands all keep the same rule. ``actor=None`` is the bootstrap path
only (``seed_demo``, ``createsuperuser``, test factories): no person is acting, so nothing is asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from apps.core.accounts import permissions
from apps.core.accounts.roles import RoleName
from apps.core.accounts.roles import get as get_role
from apps.core.models import Role, RoleGrant, User, normalize_email
from apps.core.platform import events, jobs, pagecache
from apps.core.platform.mail import send_later
from apps.core.platform.uploads import AVATAR_MAX_SIDE, image_reencode

_VERIFY_SALT = "core.email-verification"


# --- Events -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class UserRegistered(events.DomainEvent):
    name: ClassVar[str] = "core.user_registered"
    aggregate: ClassVar[str] = "core.user:{user_id}"
    user_id: int


@dataclass(frozen=True, kw_only=True)
class EmailVerified(events.DomainEvent):
    name: ClassVar[str] = "core.email_verified"
    aggregate: ClassVar[str] = "core.user:{user_id}"
    user_id: int


@dataclass(frozen=True, kw_only=True)
class RoleGranted(events.DomainEvent):
    name: ClassVar[str] = "core.role_granted"
    aggregate: ClassVar[str] = "core.user:{user_id}"
    user_id: int
    role: str


@dataclass(frozen=True, kw_only=True)
class RoleRevoked(events.DomainEvent):
    name: ClassVar[str] = "core.role_revoked"
    aggregate: ClassVar[str] = "core.user:{user_id}"
    user_id: int
    role: str


@dataclass(frozen=True, kw_only=True)
class UserActivationChanged(events.DomainEvent):
    name: ClassVar[str] = "core.user_activation_changed"
    aggregate: ClassVar[str] = "core.user:{user_id}"
    user_id: int
    is_active: bool


@dataclass(frozen=True, kw_only=True)
class UserPasswordSet(events.DomainEvent):
    name: ClassVar[str] = "core.user_password_set"
    aggregate: ClassVar[str] = "core.user:{user_id}"
    user_id: int


@dataclass(frozen=True, kw_only=True)
class UserEmailChanged(events.DomainEvent):
    name: ClassVar[str] = "core.user_email_changed"
    aggregate: ClassVar[str] = "core.user:{user_id}"
    user_id: int


@dataclass(frozen=True, kw_only=True)
class UserDeleted(events.DomainEvent):
    name: ClassVar[str] = "core.user_deleted"
    aggregate: ClassVar[str] = "core.user:{user_id}"
    user_id: int


# --- Registration and email verification ------------------------------------------------


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _mail(*, to: str, template: str, context: dict[str, object], html: bool = False) -> None:
    # Rendered here, sent by a worker (with retries) once the current transaction commits.
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL.rstrip("/"), **context}
    subject = render_to_string(f"core/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"core/email/{template}.txt", context)
    html_body = render_to_string(f"core/email/{template}.html", context) if html else None
    send_later(to=to, subject=subject, body=body, html=html_body)


def _duration_words(seconds: int) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


def verification_token(user: User) -> str:
    # The email is part of the payload: a link stops working if the address changes.
    return signing.dumps({"user": user.pk, "email": user.email}, salt=_VERIFY_SALT)


def user_send_verification(*, user: User) -> None:
    """Email ``user`` a signed, expiring link that confirms their address."""
    link = _absolute(reverse("verify-email", args=[verification_token(user)]))
    _mail(
        to=user.email,
        template="verify_email",
        context={"user": user, "link": link, "valid_for": _duration_words(settings.EMAIL_VERIFICATION_MAX_AGE)},
    )


def user_register(*, email: str, password: str, display_name: str = "") -> None:
    """Register an account, or tell the owner of an existing one that someone tried.

    Returns nothing and answers the same either way (one password hash, one email), so the
    form cannot be used to learn which addresses have accounts. The new account signs in once
    its address is confirmed.
    """
    email = normalize_email(email)
    with transaction.atomic():
        existing = User.objects.select_for_update().filter(email=email).first()
        if existing is not None:
            make_password(password)  # the same work as creating an account
            _mail(  # one email either way, queued for a worker once this commits
                to=email,
                template="account_exists",
                context={
                    "user": existing,
                    "login": _absolute(reverse("login")),
                    "reset": _absolute(reverse("password_reset")),
                },
            )
            return
        user = User.objects.create_user(email=email, password=password, display_name=display_name.strip())
        events.publish(UserRegistered(user_id=user.pk, actor_id=user.pk))
        user_send_verification(user=user)


def verification_resend(*, email: str) -> None:
    """Ask a worker to mail a new confirmation link to ``email`` if it names an unconfirmed
    account. The request does the same (no query, one task) whatever the address, so neither
    its answer nor its time tells which addresses have accounts."""
    from apps.core.accounts.tasks import verification_email

    jobs.enqueue(verification_email, email=normalize_email(email))


def verification_resend_send(*, email: str) -> None:
    """The worker's half of ``verification_resend``: look the account up and mail it."""
    user = User.objects.filter(email=normalize_email(email), is_active=True, email_verified_at__isnull=True).first()
    if user is not None:
        user_send_verification(user=user)


# --- Password reset -------------------------------------------------------------------------


def password_reset_request(*, email: str) -> None:
    """Ask a worker to mail a password reset link to ``email``.

    The request makes no query and queues one task whatever the address, so a known address
    takes the same time and gets the same answer as an unknown one; the worker looks the
    account up and mails only an active one with a usable password (Django's rule)."""
    from apps.core.accounts.tasks import password_reset_email

    jobs.enqueue(password_reset_email, email=normalize_email(email))


def password_reset_send(*, email: str) -> bool:
    """The worker's half of ``password_reset_request``: True when a link was mailed."""
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    _mail(
        to=user.email,
        template="password_reset",
        context={
            "user": user,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
        html=True,
    )
    return True


# --- Expiry sweeps (beat) -------------------------------------------------------------------


def sessions_clear_expired() -> int:
    """Delete expired sessions from the database (what ``clearsessions`` does); returns how many.

    A plain DELETE of expired rows: a second run at the same time finds none left."""
    from django.contrib.sessions.models import Session

    removed, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return removed


def tokens_flush_expired() -> int:
    """Delete expired API refresh tokens and their blacklist entries (``flushexpiredtokens``);
    an expired token is refused anyway, so nothing is lost. Returns how many were outstanding."""
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    _, per_model = OutstandingToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return per_model.get(OutstandingToken._meta.label, 0)


def user_verify_email(*, token: str) -> tuple[User, bool]:
    """Confirm the address named by a verification link.

    Returns the user and whether this call confirmed it (False: it was confirmed before, so the
    link must not act as a standing sign-in link for whoever sees it later)."""
    try:
        data = signing.loads(token, salt=_VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError("This link has expired. Sign in to get a new one.", code="expired") from None
    except signing.BadSignature:
        raise ValidationError("This link is not valid.", code="invalid") from None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data.get("user"), email=data.get("email")).first()
        if user is None or not user.is_active:
            raise ValidationError("This link is not valid.", code="invalid")
        if user.email_verified_at is not None:
            return user, False
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        events.publish(EmailVerified(user_id=user.pk, actor_id=user.pk))
    return user, True


# --- Profile ------------------------------------------------------------------------------


def profile_update(
    *, user: User, display_name: str, bio: str, avatar: UploadedFile | None = None, remove_avatar: bool = False
) -> User:
    """Change a user's own profile. Everything is checked before anything is written; the avatar
    is checked by its content, re-encoded (no metadata such as a GPS position, no bytes beyond the
    image, upright, at most AVATAR_MAX_SIDE pixels a side) and stored under a random name with the
    suffix of the format it was encoded in (never the uploader's name)."""
    encoded, suffix = image_reencode(avatar, max_side=AVATAR_MAX_SIDE) if avatar is not None else (None, "")
    display_name = User._meta.get_field("display_name").clean(display_name.strip(), user)
    bio = User._meta.get_field("bio").clean(bio.strip(), user)
    old_avatar = user.avatar.name if user.avatar else ""
    storage = user.avatar.storage
    new_avatar = ""
    try:
        with transaction.atomic():
            user.display_name, user.bio = display_name, bio
            if avatar is not None:
                user.avatar.save(f"avatar{suffix}", encoded, save=False)
                new_avatar = user.avatar.name
            elif remove_avatar:
                user.avatar = ""
            user.save(update_fields=["display_name", "bio", "avatar"])
            # Names and avatars show on public pages (bylines); cached copies must not outlive them.
            pagecache.invalidate(pagecache.SITE)
    except Exception:
        if new_avatar:
            storage.delete(new_avatar)  # the row was not updated: do not keep its file
        user.refresh_from_db(fields=["display_name", "bio", "avatar"])
        raise
    if old_avatar and old_avatar != (user.avatar.name if user.avatar else ""):
        transaction.on_commit(lambda: storage.delete(old_avatar))
    return user


# --- Roles and activation -----------------------------------------------------------------


def _bump_role_version(user: User) -> None:
    User.objects.filter(pk=user.pk).update(role_version=F("role_version") + 1)
    user.refresh_from_db(fields=["role_version"])


def _sync_staff_flags(user: User) -> None:
    # The admin site is for admins: its flags follow the roles rather than being set by hand.
    held = {role.name for role in user.roles.all()}
    is_super = RoleName.SUPER_ADMIN in held
    is_staff = is_super or RoleName.ADMIN in held
    if (user.is_staff, user.is_superuser) != (is_staff, is_super):
        user.is_staff, user.is_superuser = is_staff, is_super
        user.save(update_fields=["is_staff", "is_superuser"])


def _require(actor: User | None, user: User, change: permissions.AccountChange) -> None:
    """Refuse ``change`` unless the policy allows it; None (bootstrap) is not asked."""
    if actor is None:
        return
    permissions.forget_roles(user)  # decide on the roles the locked row holds now, not cached ones
    refusal = permissions.account_change_refusal(actor, user, change)
    if refusal is not None:
        raise PermissionDenied(refusal)


def _lock(user: User) -> None:
    # One change of an account's access at a time: a grant racing a revoke or a deactivation
    # each sees the other's result.
    User.objects.select_for_update().filter(pk=user.pk).first()


def _check_grant(actor: User | None, role: str) -> Role:
    if get_role(role) is None:
        raise ValidationError(f"Unknown role {role!r}.", code="unknown_role")
    if actor is not None and not permissions.can_grant_role(actor, role):
        raise PermissionDenied(f"You may not grant or revoke the {role} role.")
    return Role.objects.get_or_create(name=role)[0]


def _grant(actor: User | None, user: User, role_row: Role) -> bool:
    _, created = RoleGrant.objects.get_or_create(user=user, role=role_row, defaults={"granted_by": actor})
    if created:
        permissions.forget_roles(user)
        _bump_role_version(user)
        _sync_staff_flags(user)
        events.publish(RoleGranted(user_id=user.pk, role=role_row.name, actor_id=actor.pk if actor else None))
    return created


def _revoke(actor: User | None, user: User, role_row: Role) -> bool:
    deleted, _ = RoleGrant.objects.filter(user=user, role=role_row).delete()
    if deleted:
        permissions.forget_roles(user)
        _bump_role_version(user)
        _sync_staff_flags(user)
        events.publish(RoleRevoked(user_id=user.pk, role=role_row.name, actor_id=actor.pk if actor else None))
    return bool(deleted)


def role_grant(*, actor: User | None, user: User, role: str) -> bool:
    """Give ``user`` a role; True if it was new. Refused unless ``actor`` may grant the role and
    change ``user``'s roles (strictly above them)."""
    role_row = _check_grant(actor, role)
    with transaction.atomic():
        _lock(user)
        _require(actor, user, permissions.AccountChange.ROLES)
        return _grant(actor, user, role_row)


def role_revoke(*, actor: User | None, user: User, role: str) -> bool:
    """Take a role from ``user``; True if they held it. Refused as ``role_grant`` is."""
    role_row = _check_grant(actor, role)
    with transaction.atomic():
        _lock(user)
        _require(actor, user, permissions.AccountChange.ROLES)
        return _revoke(actor, user, role_row)


def roles_set(*, actor: User | None, user: User, roles: set[str]) -> None:
    """Make ``user`` hold exactly ``roles``: all of the changes or, if one is refused, none.

    The account is checked once, before any change: a grant that lifts ``user`` to the actor's
    own role (a super admin making another) must not make the rest of the same change refused."""
    with transaction.atomic():
        _lock(user)
        _require(actor, user, permissions.AccountChange.ROLES)
        held = {role.name for role in user.roles.all()}
        grants = [_check_grant(actor, role) for role in sorted(roles - held)]
        revokes = [_check_grant(actor, role) for role in sorted(held - roles)]
        for role_row in grants:
            _grant(actor, user, role_row)
        for role_row in revokes:
            _revoke(actor, user, role_row)


def user_set_active(*, actor: User | None, user: User, active: bool) -> None:
    """Activate or deactivate an account; deactivation ends its API tokens at once."""
    with transaction.atomic():
        _lock(user)
        _require(actor, user, permissions.AccountChange.ACTIVE)
        User.objects.filter(pk=user.pk).update(is_active=active)
        user.is_active = active
        _bump_role_version(user)
        events.publish(UserActivationChanged(user_id=user.pk, is_active=active, actor_id=actor.pk if actor else None))


def user_set_password(*, actor: User | None, user: User, password: str | None) -> None:
    """Set ``user``'s password (None: no password sign-in at all) for them or as an admin above
    them. Tokens issued before it stop working. Strength is checked by the form that asked."""
    with transaction.atomic():
        _lock(user)
        _require(actor, user, permissions.AccountChange.PASSWORD)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(update_fields=["password"])
        _bump_role_version(user)
        events.publish(UserPasswordSet(user_id=user.pk, actor_id=actor.pk if actor else None))


def user_set_email(*, actor: User | None, user: User, email: str) -> None:
    """Change the address ``user`` signs in with and resets their password through. Only an admin
    above them may; staff vouch for the address they set, as for accounts they create."""
    email = User._meta.get_field("email").clean(normalize_email(email), user)
    with transaction.atomic():
        _lock(user)
        _require(actor, user, permissions.AccountChange.EMAIL)
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise ValidationError("Another account has this email address.", code="email_taken")
        user.email, user.email_verified_at = email, timezone.now()
        user.save(update_fields=["email", "email_verified_at"])
        events.publish(UserEmailChanged(user_id=user.pk, actor_id=actor.pk if actor else None))


def user_delete(*, actor: User | None, user: User) -> None:
    """Delete an account and what cascades from it; only an admin above it may."""
    with transaction.atomic():
        _lock(user)
        _require(actor, user, permissions.AccountChange.DELETE)
        user_id = user.pk
        user.delete()
        events.publish(UserDeleted(user_id=user_id, actor_id=actor.pk if actor else None))


def user_credentials_changed(*, user: User) -> None:
    """After a password change or reset: tokens issued before it stop working."""
    _bump_role_version(user)
