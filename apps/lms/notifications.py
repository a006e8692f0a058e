"""The learning platform's notifications: its kinds (declared in its hook) and the durable
subscribers that send them, each inside one transaction (so its effects commit together with
the delivered-events ledger on the worker).

- to the learner: ``lms.certificate_issued`` (they earned a course's certificate) and
  ``lms.certificate_revoked`` (an instructor or staff revoked it, saying why);
- to the learner, sent by services rather than subscribers: ``lms.nudge`` (an instructor asks
  them to come back to a course: services/teaching.py) and ``lms.lesson_opened`` (a drip lesson
  opened for them: ``learning.openings_tell``, run by beat);
- to each active learner of a course: ``lms.announcement`` (its instructors posted an
  announcement: services/announcements.py publishes, the subscriber below sends).
"""

from __future__ import annotations

from django.urls import reverse

from apps.core.notifications import Email, NotificationKind, notify
from apps.core.platform import events
from apps.lms.events import AnnouncementPosted, CertificateIssued, CertificateRevoked
from apps.lms.models import Announcement, Certificate, Enrolment

CERTIFICATE_ISSUED = "lms.certificate_issued"
CERTIFICATE_REVOKED = "lms.certificate_revoked"
NUDGE = "lms.nudge"
LESSON_OPENED = "lms.lesson_opened"
ANNOUNCEMENT = "lms.announcement"

KINDS = (
    NotificationKind(
        name=ANNOUNCEMENT,
        label="Announcements from your instructors",
        description="An instructor of a course you take posted an announcement to its learners.",
        template="{actors} announced in {target}",
        email=Email.INSTANT,
    ),
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


ANNOUNCE_BATCH = 500


@events.subscribe(AnnouncementPosted)
def on_announcement_posted(event: AnnouncementPosted) -> None:
    """Every active learner of the course hears of the announcement (read in batches: a course's
    size does not decide the memory this takes)."""
    announcement = Announcement.objects.filter(pk=event.announcement_id).select_related("course").first()
    if announcement is None or announcement.sent_to is not None:
        return
    course = announcement.course
    target_url = reverse("lms:course", args=[course.slug]) + "#announcements"
    label = f"{course.title}: {announcement.title}"
    active = Enrolment.objects.filter(course=course, revoked_at__isnull=True)
    learners = active.order_by("user_id").values_list("user_id", flat=True)
    sent, last = 0, 0
    while batch := list(learners.filter(user_id__gt=last)[:ANNOUNCE_BATCH]):
        last = batch[-1]
        for user_id in batch:
            sent += (
                notify(
                    recipient_id=user_id,
                    kind=ANNOUNCEMENT,
                    group=f"announcement:{announcement.pk}",
                    target_url=target_url,
                    target_label=label,
                    actor_id=event.actor_id,
                )
                is not None
            )
    Announcement.objects.filter(pk=announcement.pk).update(sent_to=sent)
