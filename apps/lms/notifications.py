"""The learning platform's notifications: its kinds (declared in its hook) and the durable
subscribers that send them, each inside one transaction (so its effects commit together with
the delivered-events ledger on the worker).

- to the learner: ``lms.certificate_issued`` (they earned a course's certificate) and
  ``lms.certificate_revoked`` (an instructor or staff revoked it, saying why);
- to the learner, sent by services rather than subscribers: ``lms.nudge`` (an instructor asks
  them to come back to a course: services/teaching.py) and ``lms.lesson_opened`` (a drip lesson
  opened for them: ``learning.openings_tell``, run by beat);
- sent by services/assignments.py: ``lms.assignment_submitted`` (to who teaches the course: a
  learner handed an assignment in) and ``lms.assignment_graded`` (to the learner: graded, or
  returned for another try).
"""

from __future__ import annotations

from django.urls import reverse

from apps.core.notifications import Email, NotificationKind, notify
from apps.core.platform import events
from apps.lms.events import CertificateIssued, CertificateRevoked
from apps.lms.models import Certificate

CERTIFICATE_ISSUED = "lms.certificate_issued"
CERTIFICATE_REVOKED = "lms.certificate_revoked"
NUDGE = "lms.nudge"
LESSON_OPENED = "lms.lesson_opened"
ASSIGNMENT_SUBMITTED = "lms.assignment_submitted"
ASSIGNMENT_GRADED = "lms.assignment_graded"

KINDS = (
    NotificationKind(
        name=CERTIFICATE_ISSUED,
        label="Your certificates",
        description="You completed a course and earned its certificate.",
        template="You earned the certificate of “{target}”",
        email=Email.INSTANT,
    ),
    NotificationKind(
        name=CERTIFICATE_REVOKED,
        label="Certificates revoked",
        description="A course's instructors revoked a certificate of yours.",
        template="{actors} revoked your certificate of “{target}”",
        email=Email.INSTANT,
    ),
    NotificationKind(
        name=LESSON_OPENED,
        label="Lessons opening",
        description="A lesson of a course you take opened for you (its date came, or an instructor opened it).",
        template="A new lesson opened in {target}",
        template_many="{count} new lessons opened in {target}",
        email=Email.INSTANT,
    ),
    NotificationKind(
        name=NUDGE,
        label="Reminders from your instructors",
        description="An instructor of a course you take asks you to come back to it.",
        template="{actors} is waiting for you in {target}",
        template_many="{actors} are waiting for you in {target}",
        email=Email.INSTANT,
    ),
    NotificationKind(
        name=ASSIGNMENT_SUBMITTED,
        label="Assignments to grade",
        description="A learner of a course you teach handed in an assignment.",
        template="{actors} handed in “{target}”",
        template_many="{actors} handed in “{target}”",
        email=Email.DAILY,
    ),
    NotificationKind(
        name=ASSIGNMENT_GRADED,
        label="Your grades",
        description="An instructor graded an assignment of yours, or returned it for another try.",
        template="{actors} graded your “{target}”",
        email=Email.INSTANT,
    ),
)


def _tell_learner(certificate_id: int, kind: str, actor_id: int | None) -> None:
    certificate = Certificate.objects.filter(pk=certificate_id).only("pk", "uuid", "user_id", "course_title").first()
    if certificate is None:
        return
    notify(
        recipient_id=certificate.user_id,
        kind=kind,
        group=f"certificate:{certificate.pk}",
        target_url=reverse("lms_certificates:detail", args=[certificate.uuid]),
        target_label=certificate.course_title,
        actor_id=actor_id,
    )


@events.subscribe(CertificateIssued)
def on_certificate_issued(event: CertificateIssued) -> None:
    """The learner hears of their certificate (earned by their own completion: no actor, or
    they would not be told of their own act)."""
    _tell_learner(event.certificate_id, CERTIFICATE_ISSUED, None)


@events.subscribe(CertificateRevoked)
def on_certificate_revoked(event: CertificateRevoked) -> None:
    _tell_learner(event.certificate_id, CERTIFICATE_REVOKED, event.actor_id)
