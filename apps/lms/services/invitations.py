"""Instructors invite people into a course by email address (paid courses too: a place given by
who teaches it is their gift, so no payment is asked).

An address with an active account is enrolled at once (source "invitation") and told through the
notification centre (``lms.invited``). Any other address gets an email with a signed link
(``django.core.signing``, salted, its age checked besides the row's ``expires_at``) to
/courses/mine/invitations/<token>/, which enrols whoever signs in (or signs up) and accepts it:
once, as a conditional UPDATE of ``accepted_at`` claims it, and before it expires. The link is
the authority, as the address it was sent to is the only place it is written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.core.models import User
from apps.core.notifications import notify
from apps.core.platform import mail
from apps.lms import permissions
from apps.lms.models import Course, Enrolment, Invitation
from apps.lms.notifications import INVITED
from apps.lms.services import learning

VALID_FOR = timedelta(days=14)
MAX_ADDRESSES = 50  # per request: an instructor's list, not a mailing
SALT = "lms.invitation"


@dataclass
class Invited:
    """What an invitation did, address by address."""

    enrolled: list[str] = field(default_factory=list)  # accounts given a place now
    already: list[str] = field(default_factory=list)  # accounts already in the course
    emailed: list[str] = field(default_factory=list)  # unknown addresses sent a link


def parse_addresses(text: Any) -> list[str]:
    """Addresses from a form's text or the API's list: separated by commas, semicolons, spaces
    or lines, lower-cased, each once. A ValidationError (under "emails") names the bad ones."""
    if isinstance(text, list | tuple):
        if not all(isinstance(item, str) for item in text):
            raise ValidationError({"emails": "A list of email addresses."})
        text = "\n".join(text)
    if not isinstance(text, str):
        raise ValidationError({"emails": "A list of email addresses."})
    addresses = list(dict.fromkeys(part.lower() for part in re.split(r"[\s,;]+", text) if part))
    if not addresses:
        raise ValidationError({"emails": "Give at least one email address."})
    if len(addresses) > MAX_ADDRESSES:
        raise ValidationError({"emails": f"At most {MAX_ADDRESSES} addresses at a time."})
    bad = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError({"emails": f"Not email addresses: {', '.join(bad[:5])[:300]}."})
    return addresses


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "c": invitation.course_id}, salt=SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("lms:invitation", args=[invitation_token(invitation)])
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def invitations_send(*, actor: User, course: Course, emails: Any) -> Invited:
    """Invite each address of ``emails`` into ``course`` (who teaches it, and staff). All or
    nothing: a bad address refuses the lot before anything is written."""
    if not permissions.can_invite(actor, course):
        raise PermissionDenied("Only the course's instructors invite people into it.")
    addresses = parse_addresses(emails)
    accounts = {user.email.lower(): user for user in User.objects.filter(email__in=addresses, is_active=True)}
    active = set(
        Enrolment.objects.filter(course=course, user__in=accounts.values(), revoked_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    done = Invited()
    now = timezone.now()
    with transaction.atomic():
        for address in addresses:
            user = accounts.get(address)
            if user is not None and user.pk in active:
                done.already.append(address)
            elif user is not None:
                _enrol_now(actor, course, user, now)
                done.enrolled.append(address)
            else:
                invitation = Invitation.objects.create(
                    course=course, email=address, invited_by=actor, expires_at=now + VALID_FOR
                )
                _email(actor, invitation)
                done.emailed.append(address)
    return done


def _enrol_now(actor: User, course: Course, user: User, now: Any) -> None:
    learning.enrolment_create(user=user, course=course, source=Enrolment.Source.INVITATION, actor=actor)
    Invitation.objects.create(
        course=course, email=user.email.lower(), invited_by=actor, expires_at=now, accepted_at=now, accepted_by=user
    )
    notify(
        recipient_id=user.pk,
        kind=INVITED,
        group=f"invited:{course.pk}",
        target_url=course.get_absolute_url(),
        target_label=course.title,
        actor_id=actor.pk,
    )


def _email(actor: User, invitation: Invitation) -> None:
    course = invitation.course
    days = VALID_FOR.days
    mail.send_later(
        to=invitation.email,
        subject=f"{actor.get_short_name()} invites you to “{course.title}”",
        body=(
            f"{actor.get_short_name()} gives you a place in the course “{course.title}”.\n\n"
            f"Sign in, or create an account, and accept it here (within {days} days; the link works once):\n"
            f"{invitation_url(invitation)}\n"
        ),
    )


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link names, if its signature holds and it is not too old; None otherwise
    (a bad or forged link is simply no invitation)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=VALID_FOR)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        return None
    return Invitation.objects.select_related("course").filter(pk=data["i"], course_id=data.get("c")).first()


def invitation_accept(*, user: User, invitation: Invitation) -> Enrolment:
    """``user`` takes the place ``invitation`` offers: once (whoever claims it first), before it
    expires, not twice in the same course. ValidationError otherwise, nothing changed."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise ValidationError("Sign in to accept the invitation.", code="sign_in")
    now = timezone.now()
    with transaction.atomic():
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, expires_at__gt=now).update(
            accepted_at=now, accepted_by=user
        )
        if not claimed:
            row = Invitation.objects.get(pk=invitation.pk)
            if row.accepted_at is not None:
                raise ValidationError("This invitation was already used.", code="invitation_used")
            raise ValidationError("This invitation has expired: ask the instructor for a new one.", code="expired")
        # Refused as enrolment_create refuses (already enrolled): the claim rolls back with it.
        return learning.enrolment_create(
            user=user, course=invitation.course, source=Enrolment.Source.INVITATION, actor=invitation.invited_by
        )
