"""The learning platform's data: courses and their outline, who teaches them, cohorts,
enrolments, the per-learner opening of lessons and progress.

A course and each of its lessons are published through the engine (drafts, revisions,
schedules): learners see what is live. The outline's structure (a lesson's section and place,
its kind, whether it is a free preview, when it opens) is not content: the course editor sets it
directly and it applies at once, as moving a chapter is not a new draft of it.

Who teaches a course is its ``owner`` and the co-instructors of ``CourseInstructor`` (explicit
grants per course, rows rather than django-guardian's generic tables: "the courses I teach" is
one indexed join). Instructors' other rights come from roles (apps/lms/permissions.py).

A learner's ``Enrolment`` is one row per course and person, kept when access ends (``revoked_at``)
so history and progress survive a refund and come back with a new purchase. A cohort's seats
never oversell: a free seat is taken under the cohort row's lock, a paid one is a commerce
sellable whose stock is the seat count.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from imagekit.models import ImageSpecField
from imagekit.processors import ResizeToFill

from apps.core.accounts import RoleName
from apps.core.publishing import Publishable

# Addresses under /courses/ that are the LMS's own pages, so no course may take them.
RESERVED_COURSE_SLUGS = frozenset({"manage", "mine", "search", "category", "certificates", "api"})
MAX_LINES = 12
MAX_LINE_CHARS = 200


def _lines(value: Any, name: str) -> list[str]:
    """A list of up to MAX_LINES non-empty lines of plain text (outcomes, requirements)."""
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple) or not all(isinstance(line, str) for line in value):
        raise ValidationError({name: "A list of lines of text."})
    lines = [" ".join(line.split()) for line in value if line.strip()]
    if len(lines) > MAX_LINES:
        raise ValidationError({name: f"At most {MAX_LINES} lines."})
    if any(len(line) > MAX_LINE_CHARS for line in lines):
        raise ValidationError({name: f"Each line at most {MAX_LINE_CHARS} characters."})
    return lines


class CourseCategory(models.Model):
    """A subject the catalogue filters by (staff keep the list)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "course categories"

    def __str__(self) -> str:
        return self.name


class Course(Publishable):
    """A course: its landing page's content (published through the engine), its owner, price and
    the rules that open it."""

    class Level(models.TextChoices):
        ALL = "all", "All levels"
        BEGINNER = "beginner", "Beginner"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"

    # Content: what a revision holds and publishing copies onto the row.
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    description = models.JSONField(default=list, blank=True)  # blocks (the platform's editor)
    category = models.ForeignKey(
        CourseCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="courses"
    )
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.ALL)
    language = models.CharField(max_length=12, default="en")
    outcomes = models.JSONField(default=list, blank=True)  # what a learner will be able to do
    requirements = models.JSONField(default=list, blank=True)  # what a learner needs first

    # Not content.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses_owned")
    cover = models.ImageField(upload_to="lms/covers/%Y/", blank=True)
    cover_card = ImageSpecField(
        source="cover", processors=[ResizeToFill(640, 360)], format="WEBP", options={"quality": 82}
    )
    # Another course a learner must have completed before enrolling (None: open to all).
    prerequisite = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The commerce product that sells a place (None: free); a cohort sells its own seats.
    price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    pass_mark = models.PositiveSmallIntegerField(default=60, validators=[MaxValueValidator(100)])
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Learners' ratings (the reviews live in the document store: apps/lms/reviews.py), kept here
    # for the catalogue's cards and recomputed on every review written or hidden.
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)

    content_fields = (
        "title",
        "slug",
        "summary",
        "description",
        "category",
        "level",
        "language",
        "outcomes",
        "requirements",
    )
    draft_roles = frozenset({RoleName.INSTRUCTOR})
    publish_roles = frozenset({RoleName.INSTRUCTOR})

    class Meta:
        ordering = ["-first_published_at", "-pk"]
        indexes = [models.Index(fields=["live", "-first_published_at"], name="lms_course_live")]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0) | Q(price__isnull=True), name="lms_course_price_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lms:course", args=[self.slug])

    @property
    def is_free(self) -> bool:
        return not self.price

    @property
    def price_label(self) -> str:
        """ "49.00 EUR" (the landing page's price and its call to buy); "" when free."""
        return "" if self.is_free else f"{self.price:.2f} {self.currency}"

    @property
    def cover_url(self) -> str:
        """The cover's card rendition (made on first use), or "" without a cover or when its
        file cannot be read: one lost file must not take the catalogue down."""
        if not self.cover:
            return ""
        try:
            return self.cover_card.url
        except (OSError, ValueError):
            return ""

    # --- Content through the engine -----------------------------------------------------------

    def apply_content(self, content: dict[str, Any]) -> None:
        # The category travels as its id (content_of's value): set the column, not the relation.
        super().apply_content({name: value for name, value in content.items() if name != "category"})
        if "category" in content:
            self.category_id = content["category"]

    def clean_content(self, content: dict[str, Any]) -> dict[str, Any]:
        """The description's blocks cleaned and sanitised; outcomes and requirements as short
        lines of plain text."""
        from apps.core.blocks import clean_blocks

        content = dict(content)
        if "description" in content:
            content["description"] = clean_blocks(content["description"])
        for name in ("outcomes", "requirements"):
            if name in content:
                content[name] = _lines(content[name], name)
        return super().clean_content(content)

    def allows_draft_by(self, user: Any) -> bool:
        from apps.lms import permissions

        return permissions.can_edit_course(user, self) if self.pk else permissions.can_create_course(user)

    def allows_publish_by(self, user: Any) -> bool:
        return self.allows_draft_by(user)


class CourseInstructor(models.Model):
    """A co-instructor of a course: an explicit grant by its owner (or an admin)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="co_instructors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="courses_taught")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="lms_one_grant_per_course")]

    def __str__(self) -> str:
        return f"{self.user} teaches {self.course}"


class Section(models.Model):
    """A chapter of a course's outline."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Lesson(Publishable):
    """A lesson: its content through the engine; its place, kind and opening rules set directly."""

    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        VIDEO = "video", "Video"
        QUIZ = "quiz", "Quiz"
        ASSIGNMENT = "assignment", "Assignment"

    # Content.
    title = models.CharField(max_length=200)
    body = models.JSONField(default=list, blank=True)  # blocks
    duration_minutes = models.PositiveSmallIntegerField(default=5, validators=[MaxValueValidator(24 * 60)])

    # Not content: the outline and the rules that open it.
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TEXT)
    position = models.PositiveIntegerField(default=0)
    is_preview = models.BooleanField("free preview", default=False)
    video = models.FileField(upload_to="lms/videos/%Y/", blank=True)
    # Drip: open on a date, or some days after the learner enrolled (whichever is set; both: the later).
    opens_at = models.DateTimeField(null=True, blank=True)
    opens_after_days = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(3650)])
    # An earlier lesson of the course the learner must have completed (a quiz: passed) first.
    prerequisite = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    content_fields = ("title", "body", "duration_minutes")
    draft_roles = frozenset({RoleName.INSTRUCTOR})
    publish_roles = frozenset({RoleName.INSTRUCTOR})

    class Meta:
        ordering = ["course", "section__position", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="lms_lesson_slug_per_course")]
        indexes = [models.Index(fields=["course", "live"], name="lms_lesson_course_live")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lms:lesson", args=[self.course.slug, self.slug])

    def clean_content(self, content: dict[str, Any]) -> dict[str, Any]:
        from apps.core.blocks import clean_blocks

        content = dict(content)
        if "body" in content:
            content["body"] = clean_blocks(content["body"])
        return super().clean_content(content)

    def allows_draft_by(self, user: Any) -> bool:
        from apps.lms import permissions

        return permissions.can_edit_course(user, self.course)

    def allows_publish_by(self, user: Any) -> bool:
        return self.allows_draft_by(user)


class Cohort(models.Model):
    """A run of a course with dates and a seat limit (None: no limit)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=120)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    seats = models.PositiveIntegerField(null=True, blank=True)
    seats_taken = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__isnull=True) | Q(seats_taken__lte=models.F("seats")),
                name="lms_cohort_never_oversold",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="lms_cohort_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course}: {self.name}"

    @property
    def seats_left(self) -> int | None:
        return None if self.seats is None else max(self.seats - self.seats_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.seats is not None and self.seats_taken >= self.seats

    @property
    def join_label(self) -> str:
        """The landing page's call to buy a seat: "Join the Spring cohort — 3 seats left"."""
        if self.seats is None:
            return f"Join the {self.name}"
        left = self.seats_left
        if not left:
            return f"{self.name} — full"
        return f"Join the {self.name} — {left} seat{'' if left == 1 else 's'} left"


class Enrolment(models.Model):
    """A learner's place in a course (one row per course and learner, kept when access ends)."""

    class Source(models.TextChoices):
        FREE = "free", "Free enrolment"
        PURCHASE = "purchase", "Bought in the shop"
        INVITATION = "invitation", "Invited by an instructor"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolments")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.FREE)
    # The order line that paid for it ("<order id>:<line id>"), so its refund ends this access alone.
    order_line = models.CharField(max_length=40, blank=True)
    enrolled_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_lesson = models.ForeignKey(Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # The learner has been told of every lesson that opened for them up to this moment (drip).
    openings_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="lms_one_enrolment_per_course")]
        indexes = [models.Index(fields=["course", "revoked_at"], name="lms_enrolment_course_active")]

    def __str__(self) -> str:
        return f"{self.user} in {self.course}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LessonOpening(models.Model):
    """An instructor's override of a lesson's drip for one learner: open at ``opens_at``
    (None: open now)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="openings")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="openings")
    opens_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="lms_one_opening_per_lesson")]

    def __str__(self) -> str:
        return f"{self.lesson} opened for {self.enrolment.user}"


class LessonProgress(models.Model):
    """How far a learner is in a lesson: where a video was left, how much of it was watched, and
    when the lesson was completed."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    position_seconds = models.PositiveIntegerField(default=0)
    watched_percent = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="lms_one_progress_per_lesson"),
            models.CheckConstraint(condition=Q(watched_percent__lte=100), name="lms_watched_at_most_all"),
        ]
        indexes = [models.Index(fields=["lesson", "completed_at"], name="lms_progress_lesson_done")]

    def __str__(self) -> str:
        return f"{self.enrolment.user} in {self.lesson}: {self.watched_percent}%"


# --- Certificates ------------------------------------------------------------------------------


class Certificate(models.Model):
    """The proof that a learner completed a course (and passed it, once a grade exists), issued
    once per enrolment.

    Its public ``uuid`` is its address (/certificates/<uuid>/): random, so certificates cannot be
    listed by counting. What it attests is copied at issue (the learner's name, the course's title,
    its instructors): a later rename does not change a certificate already handed out. Revoking
    keeps the row and says when, by whom and why, so the verification page can say so."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="certificate")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="certificates")
    learner_name = models.CharField(max_length=200)
    course_title = models.CharField(max_length=200)
    instructor_names = models.JSONField(default=list)
    issued_at = models.DateTimeField(default=timezone.now)
    # Percent, two decimals; None while the course has no grade to give (no gradebook yet).
    grade = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | (Q(grade__gte=0) & Q(grade__lte=100)),
                name="lms_certificate_grade_is_a_percent",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="lms_certificate_revoked_with_a_reason",
            ),
        ]
        indexes = [models.Index(fields=["user", "-issued_at"], name="lms_certificate_user")]

    def __str__(self) -> str:
        return f"{self.learner_name}: {self.course_title}"

    def get_absolute_url(self) -> str:
        return reverse("lms_certificates:detail", args=[self.uuid])

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


# --- Announcements -----------------------------------------------------------------------------


class Announcement(models.Model):
    """A message from a course's instructors to its learners: kept on the course (its learners
    read the latest on its page) and sent through the notification centre to each active learner
    by a durable subscriber (apps/lms/notifications.py), so a course of thousands costs the
    instructor's request one insert."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=160)
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    # How many learners it was sent to (written once by the sending subscriber).
    sent_to = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["course", "-created_at"], name="lms_announcement_course")]

    def __str__(self) -> str:
        return f"{self.course}: {self.title}"


# --- Lesson attachments ------------------------------------------------------------------------


class LessonAttachment(models.Model):
    """A file handed out with a lesson (a worksheet, slides, a glaze recipe), kept in the default
    storage under a random name and downloaded through a view that asks the lesson's policy, so a
    locked lesson's files are locked too. Not content of the engine's drafts: like the video it
    applies at once."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="lms/attachments/%Y/")
    title = models.CharField(max_length=160)
    filename = models.CharField(max_length=200)  # what the learner's download is called
    size = models.PositiveBigIntegerField()
    position = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


# --- Selling and invitations -------------------------------------------------------------------


class Sale(models.Model):
    """One paid order line the LMS fulfilled (or had to give back): what the instructors' revenue
    is counted from. One row per order line (unique), so a redelivered ``commerce.order_paid``
    fulfils a line once. ``refunded_at`` is set when the line's money went back (a refund, or the
    LMS refusing a line it could not honour: ``refused`` says why); revenue is net of it."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sales")
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="sales")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolment = models.ForeignKey(Enrolment, null=True, blank=True, on_delete=models.SET_NULL, related_name="sales")
    order_id = models.PositiveBigIntegerField()
    order_number = models.CharField(max_length=40)  # the shop's order reference
    line_id = models.PositiveBigIntegerField(unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    paid_at = models.DateTimeField(default=timezone.now)
    refunded_at = models.DateTimeField(null=True, blank=True)
    refused = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-paid_at", "-pk"]
        indexes = [models.Index(fields=["course", "paid_at"], name="lms_sale_course_paid")]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="lms_sale_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.order_number}: {self.course} {self.amount} {self.currency}"


class Invitation(models.Model):
    """An instructor's invitation of someone, by email address, to a course (paid ones too: it is
    the instructor's gift). An existing account is enrolled at once; an unknown address gets a
    signed link that enrols whoever signs in with it, once, before ``expires_at``."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["course", "-created_at"], name="lms_invitation_course")]

    def __str__(self) -> str:
        return f"{self.email} invited to {self.course}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


# --- Assignments, grading and the gradebook ----------------------------------------------------


def submission_upload_to(instance: Submission, filename: str) -> str:
    # A random name (the service picks the extension from the checked content): the learner's
    # file name says nothing the grader needs, may say too much, and must not be guessable.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"lms/submissions/{timezone.now():%Y}/{uuid.uuid4().hex}.{extension}"


class Assignment(models.Model):
    """The settings of an assignment lesson (its instructions are the lesson's body): what a
    learner hands in, by when, whether again, and for how many points.

    Due: on ``due_at``, or ``due_after_days`` after the learner enrolled (both: the later; none:
    no due date). After it a submission is refused when ``accept_late`` is off, else marked late.
    With a rubric, ``points`` is the sum of its criteria's (kept by the rubric's service)."""

    class SubmissionType(models.TextChoices):
        TEXT = "text", "Text"
        FILE = "file", "A file"
        BOTH = "both", "Text and a file"

    lesson = models.OneToOneField(Lesson, on_delete=models.CASCADE, related_name="assignment")
    submission_type = models.CharField(max_length=10, choices=SubmissionType.choices, default=SubmissionType.TEXT)
    # File name endings accepted (lower case, no dot), each checked against the file's content.
    allowed_extensions = models.JSONField(default=list, blank=True)
    max_file_mb = models.PositiveSmallIntegerField(default=10, validators=[MinValueValidator(1), MaxValueValidator(50)])
    due_at = models.DateTimeField(null=True, blank=True)
    due_after_days = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(3650)])
    accept_late = models.BooleanField("accept late submissions (marked late)", default=True)
    allow_resubmission = models.BooleanField(default=False)
    points = models.PositiveSmallIntegerField(default=100, validators=[MinValueValidator(1), MaxValueValidator(1000)])

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=1), name="lms_assignment_has_points"),
            models.CheckConstraint(
                condition=Q(max_file_mb__gte=1) & Q(max_file_mb__lte=50), name="lms_assignment_file_size_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"Assignment: {self.lesson}"

    @property
    def takes_text(self) -> bool:
        return self.submission_type in (self.SubmissionType.TEXT, self.SubmissionType.BOTH)

    @property
    def takes_file(self) -> bool:
        return self.submission_type in (self.SubmissionType.FILE, self.SubmissionType.BOTH)


class RubricCriterion(models.Model):
    """One line of an assignment's rubric: what is judged and for how many points."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    max_points = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(1000)])
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["assignment", "position", "pk"]
        constraints = [models.CheckConstraint(condition=Q(max_points__gte=1), name="lms_criterion_has_points")]

    def __str__(self) -> str:
        return f"{self.title} ({self.max_points})"


class Submission(models.Model):
    """One hand-in of an assignment by a learner (``number`` counts theirs from 1). Only the
    newest (``is_latest``) is graded; an older one is kept with its review as history."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for a grade"
        GRADED = "graded", "Graded"
        RETURNED = "returned", "Returned for resubmission"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="submissions")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveSmallIntegerField(default=1)
    text = models.TextField(blank=True, max_length=20000)
    file = models.FileField(upload_to=submission_upload_to, blank=True)
    file_name = models.CharField(max_length=120, blank=True)  # as uploaded (cleaned), for the download
    submitted_at = models.DateTimeField(default=timezone.now)
    is_late = models.BooleanField(default=False)
    is_latest = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "assignment", "number"], name="lms_submission_number"),
            models.UniqueConstraint(
                fields=["enrolment", "assignment"], condition=Q(is_latest=True), name="lms_one_latest_submission"
            ),
        ]
        indexes = [models.Index(fields=["status", "is_latest", "submitted_at"], name="lms_submission_queue")]

    def __str__(self) -> str:
        return f"Submission {self.number} of {self.assignment}"


class Review(models.Model):
    """The grade of a submission: points per rubric criterion (``scores``: criterion id -> points),
    their ``total``, feedback and who graded. ``version`` counts the gradings, so a grader who
    read an older one is told of the newer instead of overwriting it."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="review")
    scores = models.JSONField(default=dict, blank=True)
    total = models.DecimalField(max_digits=7, decimal_places=2)
    points = models.PositiveSmallIntegerField()  # the assignment's points when graded
    feedback = models.TextField(blank=True, max_length=10000)
    grader = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    graded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0) & Q(total__lte=models.F("points")), name="lms_review_total"
            )
        ]

    def __str__(self) -> str:
        return f"{self.total}/{self.points} for {self.submission}"

    @property
    def percent(self) -> Decimal:
        return (Decimal(self.total) * 100 / self.points).quantize(Decimal("0.01"))


class GradeCategory(models.Model):
    """A weighted part of a course's grade: the average of its items (each a percent) from a
    source (apps/lms/grading.py's registry: "quizzes", "assignments")."""

    class Source(models.TextChoices):
        QUIZZES = "quizzes", "Quizzes"
        ASSIGNMENTS = "assignments", "Assignments"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="grade_categories")
    name = models.CharField(max_length=80)
    weight = models.DecimalField(max_digits=5, decimal_places=2, validators=[MinValueValidator(0)])
    source = models.CharField(max_length=20, choices=Source.choices)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="lms_grade_category_weighs"),
            models.UniqueConstraint(fields=["course", "source"], name="lms_one_category_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class GradeOverride(models.Model):
    """An instructor's word on a learner's course grade, with why: append-only (never updated nor
    deleted), so the newest row is the grade in force and the others are its history."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="grade_overrides")
    old_grade = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    new_grade = models.DecimalField(max_digits=5, decimal_places=2)
    reason = models.CharField(max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_grade__gte=0) & Q(new_grade__lte=100), name="lms_override_is_a_percent"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="lms_override_has_a_reason"),
        ]
        indexes = [models.Index(fields=["enrolment", "-at"], name="lms_override_enrolment")]

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.new_grade}%"


# --- Quizzes -----------------------------------------------------------------------------------
# A course has a bank of questions; a quiz lesson's ``Quiz`` picks some of them in order. A
# learner's ``Attempt`` keeps the order it was shown in (shuffled once, at its start) and a
# deadline the server computed; ``Answer`` rows are saved as the learner goes, and graded at
# submission. What is correct lives in ``Question.answer`` and never leaves the server before an
# attempt is submitted (apps/lms/services/quizzes/ ``question_public`` is the one shape shown).


class Question(models.Model):
    """A question of a course's bank."""

    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        TRUE_FALSE = "true_false", "True or false"
        SHORT_TEXT = "short_text", "Short text"
        NUMERIC = "numeric", "Number"
        ORDERING = "ordering", "Put in order"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    prompt = models.TextField(max_length=2000)
    # [{"id": "a", "text": "..."}] for the choice kinds and ordering (in the correct order for
    # ordering: the answer data says so as well, and shuffling hides it).
    choices = models.JSONField(default=list, blank=True)
    # What is correct, by kind (services/quizzes/ validates it): {"choice": id},
    # {"choices": [ids]}, {"value": bool}, {"accepted": [texts], "case_sensitive": bool} or
    # {"pattern": regex, "case_sensitive": bool}, {"value": "3.5", "tolerance": "0.1"},
    # {"order": [ids]}.
    answer = models.JSONField(default=dict)
    points = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(100)])
    explanation = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["course", "pk"]
        constraints = [models.CheckConstraint(condition=Q(points__gte=1), name="lms_question_points_positive")]

    def __str__(self) -> str:
        return self.prompt[:60]


class Quiz(models.Model):
    """A quiz lesson's settings and its questions (from its course's bank, in order)."""

    class Feedback(models.TextChoices):
        IMMEDIATE = "immediate", "Right after each attempt"
        AFTER_LAST_ATTEMPT = "after_last_attempt", "After the last attempt"
        AFTER_DUE_DATE = "after_due_date", "After the due date"

    lesson = models.OneToOneField(Lesson, on_delete=models.CASCADE, related_name="quiz")
    questions = models.ManyToManyField(Question, through="QuizQuestion", related_name="quizzes")
    shuffle_questions = models.BooleanField(default=False)
    shuffle_choices = models.BooleanField(default=False)
    attempts_allowed = models.PositiveSmallIntegerField(
        null=True, blank=True, default=3, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )  # None: as many as the learner likes
    time_limit_seconds = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(30), MaxValueValidator(24 * 3600)]
    )  # None: no limit
    pass_percent = models.PositiveSmallIntegerField(default=60, validators=[MaxValueValidator(100)])
    feedback = models.CharField(max_length=20, choices=Feedback.choices, default=Feedback.IMMEDIATE)
    due_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(condition=Q(pass_percent__lte=100), name="lms_quiz_pass_percent"),
            models.CheckConstraint(
                condition=~Q(feedback="after_due_date") | Q(due_at__isnull=False), name="lms_quiz_due_for_feedback"
            ),
            models.CheckConstraint(
                condition=~Q(feedback="after_last_attempt") | Q(attempts_allowed__isnull=False),
                name="lms_quiz_last_attempt_is_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Quiz: {self.lesson}"


class QuizQuestion(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["quiz", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["quiz", "question"], name="lms_question_once_per_quiz")]

    def __str__(self) -> str:
        return f"{self.quiz}: question {self.question_id} at {self.position}"


class Attempt(models.Model):
    """One go of a learner at a quiz: the order it was shown in, the server's deadline, and once
    submitted its score. At most one is open per learner and quiz (a partial unique index)."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)  # None: no time limit
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Closed by its deadline: graded with the answers saved in time.
    timed_out = models.BooleanField(default=False)
    # {"questions": [ids], "choices": {"<question id>": [choice ids]}}: as it was shown.
    order = models.JSONField(default=dict)
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["quiz", "enrolment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "enrolment", "number"], name="lms_attempt_number_once"),
            models.UniqueConstraint(
                fields=["quiz", "enrolment"], condition=Q(submitted_at__isnull=True), name="lms_one_open_attempt"
            ),
        ]
        indexes = [models.Index(fields=["enrolment", "quiz", "percent"], name="lms_attempt_best")]

    def __str__(self) -> str:
        return f"{self.enrolment} at {self.quiz}, attempt {self.number}"

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class Answer(models.Model):
    """A learner's answer to one question in one attempt, saved as they go, graded at submission."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    # RESTRICT, not PROTECT: a question learners answered is not deleted alone (their attempts keep
    # it), but goes with its course, whose attempts go too.
    question = models.ForeignKey(Question, on_delete=models.RESTRICT, related_name="answers")
    response = models.JSONField(null=True)
    # The response as one comparable string (choices sorted, text folded): item statistics group by it.
    key = models.CharField(max_length=300, blank=True)
    saved_at = models.DateTimeField(default=timezone.now)
    correct = models.BooleanField(null=True)
    points = models.DecimalField(max_digits=6, decimal_places=2, null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="lms_one_answer_per_question")]
        indexes = [models.Index(fields=["question", "correct"], name="lms_answer_question")]

    def __str__(self) -> str:
        return f"{self.attempt}: {self.question_id}"
