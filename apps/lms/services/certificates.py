"""Writes of certificates: issuing one when a learner earns it, and revoking it.

A certificate is issued once per enrolment however many paths ask at once (the completion of
the last lesson, and later the gradebook when a grade comes in): the enrolment's row is locked
first, an existing certificate is answered as it is, and the one-to-one constraint refuses a
second row besides. What it attests (the learner's name, the course's title, its instructors) is
copied at issue. The learner hears of it through the notification centre (apps/lms/notifications.py,
a durable subscriber of the events published here).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.models import User
from apps.core.platform import events
from apps.lms import permissions, selectors
from apps.lms.events import CertificateIssued, CertificateRevoked
from apps.lms.models import Certificate, Enrolment

MAX_REASON = 500


def _name_of(user: Any) -> str:
    # The name they chose (else their address's local part): never the whole email address,
    # which the public page would show.
    return user.get_short_name()[:200]


def certificate_issue(*, enrolment: Enrolment, grade: Decimal | None = None) -> Certificate | None:
    """The certificate of ``enrolment`` if its learner has earned it (``permissions.certificate_refusal``
    with ``grade``, the course's grade in percent when it has one), issued now if it was not yet;
    None if not earned. Idempotent: a second call, or a concurrent one, answers the one
    certificate (a revoked one too: revocation is not undone by completing again)."""
    with transaction.atomic():
        row = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        existing = Certificate.objects.filter(enrolment=row).first()
        if existing is not None:
            return existing
        course = selectors.course_get_for_certificate(row.course_id)
        row.course = course
        if permissions.certificate_refusal(row, grade=grade) is not None:
            return None
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    enrolment=row,
                    user_id=row.user_id,
                    course=course,
                    learner_name=_name_of(row.user),
                    course_title=course.title,
                    instructor_names=[_name_of(person) for person in selectors.instructors_of(course)],
                    issued_at=timezone.now(),
                    grade=grade,
                )
        except IntegrityError:  # unreachable behind the row lock; the constraint's word stands
            return Certificate.objects.get(enrolment=row)
        events.publish(
            CertificateIssued(
                course_id=course.pk,
                user_id=row.user_id,
                enrolment_id=row.pk,
                certificate_id=certificate.pk,
                uuid=str(certificate.uuid),
                actor_id=row.user_id,
            )
        )
    return certificate


def certificate_revoke(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Revoke ``certificate`` (its course's instructors and staff), saying why: the verification
    page then says it was revoked, when and why, and its PDF is no longer served. Refused
    (nothing changed) without a reason, or when it is already revoked."""
    if not permissions.can_revoke_certificate(actor, certificate):
        raise PermissionDenied("Only the course's instructors and staff revoke its certificates.")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Say why the certificate is revoked."}, code="reason_required")
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": f"At most {MAX_REASON} characters."}, code="reason_too_long")
    with transaction.atomic():
        row = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if row.revoked_at is not None:
            raise ValidationError("This certificate is already revoked.", code="already_revoked")
        row.revoked_at, row.revoked_by, row.revoke_reason = timezone.now(), actor, reason
        row.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        events.publish(
            CertificateRevoked(
                course_id=row.course_id,
                user_id=row.user_id,
                enrolment_id=row.enrolment_id,
                certificate_id=row.pk,
                uuid=str(row.uuid),
                reason=reason[:200],
                actor_id=actor.pk,
            )
        )
    certificate.revoked_at, certificate.revoked_by, certificate.revoke_reason = row.revoked_at, actor, reason
    return certificate
