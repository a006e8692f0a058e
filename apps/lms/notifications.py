"""The learning platform's notifications: its kinds (declared in its hook) and the durable
subscribers that send them, each inside one transaction (so its effects commit together with
the delivered-events ledger on the worker).

- to the learner: ``lms.certificate_issued`` (they earned a course's certificate) and
  ``lms.certificate_revoked`` (an instructor or staff revoked it, saying why);
- to the buyer: ``lms.place_refunded`` (a paid place the LMS could not give, refunded with the
  reason; sent by the fulfilment of ``commerce.order_paid``, subscribed below with its undoing on
  ``commerce.order_refunded``);
- to the learner, sent by services rather than subscribers: ``lms.invited`` (an instructor gave
  them a place: services/invitations.py), ``lms.nudge`` (an instructor asks
  them to come back to a course: services/teaching.py) and ``lms.lesson_opened`` (a drip lesson
  opened for them: ``learning.openings_tell``, run by beat);
- to each active learner of a course: ``lms.announcement`` (its instructors posted an
  announcement: services/announcements.py publishes, the subscriber below sends);
- sent by services/assignments.py: ``lms.assignment_submitted`` (to who teaches the course: a
  learner handed an assignment in) and ``lms.assignment_graded`` (to the learner: graded, or
  returned for another try).
"""

from __future__ import annotations

from django.urls import reverse

from apps.commerce.events import OrderPaid, OrderRefunded
from apps.core.notifications import Email, NotificationKind, notify
from apps.core.platform import events
from apps.core.publishing import ContentPublished, ContentUnpublished
from apps.lms.events import AnnouncementPosted, CertificateIssued, CertificateRevoked
from apps.lms.models import Announcement, Certificate, Course, Enrolment

CERTIFICATE_ISSUED = "lms.certificate_issued"
CERTIFICATE_REVOKED = "lms.certificate_revoked"
NUDGE = "lms.nudge"
LESSON_OPENED = "lms.lesson_opened"
ANNOUNCEMENT = "lms.announcement"
PLACE_REFUNDED = "lms.place_refunded"
INVITED = "lms.invited"
ASSIGNMENT_SUBMITTED = "lms.assignment_submitted"
ASSIGNMENT_GRADED = "lms.assignment_graded"

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
    NotificationKind(
        name=PLACE_REFUNDED,
        label="Places we could not give",
        description="You paid for a place in a course that could not be given (its cohort was full): it was refunded.",
        template="Your payment for a place in {target} was refunded",
        email=Email.INSTANT,
    ),
    NotificationKind(
        name=INVITED,
        label="Invitations to courses",
        description="An instructor invited you into a course and gave you a place in it.",
        template="{actors} gave you a place in {target}",
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


# --- The shop's events: the LMS fulfils its own lines (services/selling.py) ----------------------
# Not atomic with the delivery: a refusal's refund calls the payment provider, so each step commits
# on its own and the Sale row (one per order line) is what makes a redelivery fulfil once.


@events.subscribe(OrderPaid, key="lms.fulfil_paid_places", atomic=False)
def on_order_paid(event: OrderPaid) -> None:
    from apps.lms.services import selling  # selling sends this module's kinds

    selling.order_fulfil(event)


@events.subscribe(OrderRefunded, key="lms.end_refunded_places", atomic=False)
def on_order_refunded(event: OrderRefunded) -> None:
    from apps.lms.services import selling

    selling.order_undo(event)


@events.subscribe(ContentPublished, key="lms.offer_published_course")
def on_course_published(event: ContentPublished) -> None:
    """A course published by the schedule (beat's publish_due) or the admin, not through
    ``course_publish`` (which offers it at once): its places go on sale, or off, all the same."""
    _sync_offer(event.model, event.object_id)


@events.subscribe(ContentUnpublished, key="lms.withdraw_unpublished_course")
def on_course_unpublished(event: ContentUnpublished) -> None:
    _sync_offer(event.model, event.object_id)


def _sync_offer(model: str, object_id: str) -> None:
    if model != Course.content_label():
        return
    from apps.lms.services import selling

    course = Course.objects.select_related("owner").filter(pk=int(object_id)).first()
    if course is not None:
        selling.course_offer_sync(course)
