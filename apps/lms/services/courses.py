"""Writes of courses and their outline: courses and lessons through the publishing engine,
sections and the outline's order, and co-instructors.

Services take the acting user and plain values (never a request), ask apps/lms/permissions.py
once, run in one transaction, raise ValidationError (or PermissionDenied) and change nothing when
they refuse. Every write a visitor can see makes the LMS's cached pages stale
(``pagecache.invalidate("lms")``, now and again on commit).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from PIL import Image

from apps.core.accounts import RoleName, has_role
from apps.core.models import User
from apps.core.platform import encode_clean, open_upright, pagecache, validate_image
from apps.core.publishing import selectors as publishing_selectors
from apps.core.publishing import services as publishing
from apps.lms import permissions
from apps.lms.models import RESERVED_COURSE_SLUGS, Course, CourseCategory, CourseInstructor, Lesson, Section
from apps.lms.selectors import NAMESPACE
from apps.lms.services import selling

MAX_SECTIONS = 100
MAX_LESSONS = 500
MAX_COVER_SIDE = 2400


def forget_course_pages() -> None:
    """Make every cached page and fragment of the LMS stale (now, and again on commit)."""
    pagecache.invalidate(NAMESPACE)


def _require_edit(actor: User | None, course: Course) -> None:
    if not permissions.can_edit_course(actor, course):
        raise PermissionDenied("You do not teach this course.")


def _unique_slug(
    model: type[Any],
    text: str,
    *,
    max_length: int,
    exclude_pk: int | None = None,
    reserved: frozenset[str] = frozenset(),
    **scope: Any,
) -> str:
    base = slugify(text)[: max_length - 4].strip("-") or "untitled"
    slug, n = base, 2
    while slug in reserved or model.objects.filter(slug=slug, **scope).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- Courses ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CourseInput:
    title: str
    slug: str = ""
    summary: str = ""
    description: list[Any] = field(default_factory=list)
    category_id: int | None = None
    level: str = Course.Level.ALL
    language: str = "en"
    outcomes: Sequence[str] = ()
    requirements: Sequence[str] = ()


def _content(data: CourseInput, *, current_slug: str = "", pk: int | None = None) -> dict[str, Any]:
    if not data.title.strip():
        raise ValidationError({"title": "A course needs a title."})
    if data.category_id is not None and not CourseCategory.objects.filter(pk=data.category_id).exists():
        raise ValidationError({"category": "No such category."})
    slug = (
        data.slug.strip()
        or current_slug
        or _unique_slug(Course, data.title, max_length=100, exclude_pk=pk, reserved=RESERVED_COURSE_SLUGS)
    )
    if slug in RESERVED_COURSE_SLUGS:
        raise ValidationError({"slug": f"“{slug}” is an address of the course pages: choose another."})
    if Course.objects.filter(slug=slug).exclude(pk=pk).exists():
        raise ValidationError({"slug": "Another course has this address."})
    return {
        "title": data.title.strip(),
        "slug": slug,
        "summary": data.summary.strip(),
        "description": data.description,
        "category": data.category_id,
        "level": data.level,
        "language": data.language.strip() or "en",
        "outcomes": list(data.outcomes),
        "requirements": list(data.requirements),
    }


def course_create(*, actor: User, data: CourseInput) -> Course:
    """A new course owned by ``actor``: revision 1 of its draft. Nobody else sees it until it is
    published."""
    if not permissions.can_create_course(actor):
        raise PermissionDenied("Only instructors create courses.")
    return publishing.draft_create(model=Course, content=_content(data), author=actor, attrs={"owner": actor})


def course_draft(course: Course) -> dict[str, Any]:
    """The newest revision's content (what the editor opens)."""
    return publishing_selectors.draft_content(course) or course.content_of()


def course_update(*, actor: User, course: Course, data: CourseInput, based_on: int) -> int:
    """Save a new revision of the course's landing page; the live one does not change until
    published. DraftConflict when someone saved after revision ``based_on``."""
    _require_edit(actor, course)
    content = _content(data, current_slug=course_draft(course).get("slug", ""), pk=course.pk)
    return publishing.draft_save(obj=course, content=content, author=actor, based_on=based_on)


def course_settings_update(
    *,
    actor: User,
    course: Course,
    price: Any = None,
    currency: str | None = None,
    pass_mark: int | None = None,
    prerequisite: Course | None | str = "keep",
) -> Course:
    """What is not landing-page content: the price (None or 0: free), the pass mark and the
    course a learner must have completed first. Applies at once."""
    _require_edit(actor, course)
    if price is not None:
        try:
            amount = Decimal(str(price))
        except InvalidOperation:
            raise ValidationError({"price": "A price is a number."}) from None
        if amount < 0 or amount >= Decimal("100000000"):
            raise ValidationError({"price": "A price is between 0 and 99,999,999.99."})
        course.price = amount or None
    if currency is not None:
        course.currency = currency.upper()[:3]
    if pass_mark is not None:
        if not 0 <= int(pass_mark) <= 100:
            raise ValidationError({"pass_mark": "A pass mark is between 0 and 100."})
        course.pass_mark = int(pass_mark)
    if prerequisite != "keep":
        if prerequisite is not None and (prerequisite.pk == course.pk or prerequisite.prerequisite_id == course.pk):
            raise ValidationError({"prerequisite": "A course cannot require itself."})
        course.prerequisite = prerequisite  # type: ignore[assignment]
    with transaction.atomic():
        course.save(update_fields=["price", "currency", "pass_mark", "prerequisite"])
        selling.course_offer_sync(course)  # a new price (or free now) shows in the shop at once
        forget_course_pages()
    return course


def course_cover_set(*, actor: User, course: Course, upload: UploadedFile) -> Course:
    """Store ``upload`` as the course's cover: its pixels only (no EXIF, upright), at most
    MAX_COVER_SIDE a side, under a random name; anything that is not an image is refused and
    nothing changes. Applies at once (a cover is not content of the drafts, like the price); the
    old file is deleted once the new one is committed."""
    _require_edit(actor, course)
    try:
        suffix = validate_image(upload)
        image, transparent = open_upright(upload)
    except ValidationError as exc:
        raise ValidationError({"cover": exc.messages}) from None
    image.thumbnail((MAX_COVER_SIDE, MAX_COVER_SIDE), Image.Resampling.LANCZOS)
    content, suffix = encode_clean(image, suffix=suffix, transparent=transparent)
    old = course.cover.name if course.cover else ""
    course.cover.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(content), save=False)
    with transaction.atomic():
        Course.objects.filter(pk=course.pk).update(cover=course.cover.name)
        forget_course_pages()
    if old:
        storage = course.cover.storage
        transaction.on_commit(lambda: storage.delete(old))
    return course


def course_cover_remove(*, actor: User, course: Course) -> Course:
    """Take the cover off a course (its file is deleted from storage once that is committed)."""
    _require_edit(actor, course)
    old = course.cover.name if course.cover else ""
    with transaction.atomic():
        Course.objects.filter(pk=course.pk).update(cover="")
        forget_course_pages()
    course.cover = ""  # type: ignore[assignment]
    if old:
        storage = Course._meta.get_field("cover").storage
        transaction.on_commit(lambda: storage.delete(old))
    return course


def course_publish(*, actor: User, course: Course) -> Course:
    """Publish the newest draft of the landing page: it needs at least one lesson."""
    _require_edit(actor, course)
    if not course.lessons.exists():
        raise ValidationError("Add a lesson before publishing the course.", code="no_lessons")
    with transaction.atomic():
        publishing.publish(obj=course, author=actor)
        course.refresh_from_db()
        selling.course_offer_sync(course)
        forget_course_pages()
    return course


def course_unpublish(*, actor: User, course: Course) -> Course:
    """Take a course off the catalogue: its learners keep their enrolments and progress but
    cannot open its lessons until it is published again."""
    _require_edit(actor, course)
    with transaction.atomic():
        publishing.unpublish(obj=course, author=actor)
        course.refresh_from_db()
        selling.course_offer_sync(course)  # off sale: its buyers keep their places
        forget_course_pages()
    return course


def course_schedule(*, actor: User, course: Course, go_live_at: datetime | None) -> Course:
    """Publish the newest draft at ``go_live_at`` (beat's publish_due does it); None cancels."""
    _require_edit(actor, course)
    with transaction.atomic():
        publishing.schedule(obj=course, author=actor, revision=None, go_live_at=go_live_at)
    return course


# --- Co-instructors -----------------------------------------------------------------------------


def instructor_grant(*, actor: User, course: Course, user: User) -> CourseInstructor:
    """Make ``user`` (an instructor) a co-instructor of ``course``: they edit and teach it."""
    if not permissions.can_grant_instructor(actor, course):
        raise PermissionDenied("Only the course's owner and admins add co-instructors.")
    if not has_role(user, RoleName.INSTRUCTOR):
        raise ValidationError("Only instructors can teach a course.", code="not_instructor")
    if user.pk == course.owner_id:
        raise ValidationError("The owner already teaches this course.", code="owner")
    grant, _ = CourseInstructor.objects.get_or_create(course=course, user=user, defaults={"granted_by": actor})
    course.__dict__.pop("_instructor_ids", None)
    forget_course_pages()  # the landing page lists its teachers
    return grant


def instructor_revoke(*, actor: User, course: Course, user: User) -> None:
    if not permissions.can_grant_instructor(actor, course):
        raise PermissionDenied("Only the course's owner and admins remove co-instructors.")
    CourseInstructor.objects.filter(course=course, user=user).delete()
    course.__dict__.pop("_instructor_ids", None)
    forget_course_pages()


# --- Outline: sections and lessons --------------------------------------------------------------


def _next_position(queryset: Any) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


def section_create(*, actor: User, course: Course, title: str) -> Section:
    _require_edit(actor, course)
    if not title.strip():
        raise ValidationError({"title": "A section needs a title."})
    if course.sections.count() >= MAX_SECTIONS:
        raise ValidationError(f"A course has at most {MAX_SECTIONS} sections.", code="too_many_sections")
    with transaction.atomic():
        section = Section.objects.create(
            course=course, title=title.strip()[:200], position=_next_position(course.sections)
        )
        forget_course_pages()
    return section


def section_rename(*, actor: User, section: Section, title: str) -> Section:
    _require_edit(actor, section.course)
    if not title.strip():
        raise ValidationError({"title": "A section needs a title."})
    section.title = title.strip()[:200]
    with transaction.atomic():
        section.save(update_fields=["title"])
        forget_course_pages()
    return section


def section_delete(*, actor: User, section: Section) -> None:
    """Delete an empty section (move or delete its lessons first: learners' progress is theirs)."""
    _require_edit(actor, section.course)
    if section.lessons.exists():
        raise ValidationError("Move or delete this section's lessons first.", code="section_not_empty")
    with transaction.atomic():
        section.delete()
        forget_course_pages()


@dataclass(frozen=True, kw_only=True)
class LessonInput:
    title: str
    body: list[Any] = field(default_factory=list)
    duration_minutes: int = 5


@dataclass(frozen=True, kw_only=True)
class LessonRules:
    """A lesson's place in the outline and what opens it (not content: it applies at once)."""

    is_preview: bool = False
    kind: str | None = None  # None: keep the lesson's kind
    opens_at: datetime | None = None
    opens_after_days: int | None = None
    prerequisite_id: int | None = None


def _lesson_content(data: LessonInput) -> dict[str, Any]:
    if not data.title.strip():
        raise ValidationError({"title": "A lesson needs a title."})
    return {"title": data.title.strip(), "body": data.body, "duration_minutes": data.duration_minutes}


def lesson_create(
    *, actor: User, section: Section, data: LessonInput, kind: str = Lesson.Kind.TEXT, slug: str = ""
) -> Lesson:
    """A new lesson at the end of ``section``: revision 1 of its draft (learners see it once it is
    published)."""
    course = section.course
    _require_edit(actor, course)
    if kind not in Lesson.Kind.values:
        raise ValidationError({"kind": "No such kind of lesson."})
    if course.lessons.count() >= MAX_LESSONS:
        raise ValidationError(f"A course has at most {MAX_LESSONS} lessons.", code="too_many_lessons")
    slug = slugify(slug)[:100] or _unique_slug(Lesson, data.title, max_length=100, course=course)
    if Lesson.objects.filter(course=course, slug=slug).exists():
        raise ValidationError({"slug": "Another lesson of this course has this address."})
    attrs = {
        "course": course,
        "section": section,
        "slug": slug,
        "kind": kind,
        "position": _next_position(section.lessons),
    }
    with transaction.atomic():
        lesson = publishing.draft_create(model=Lesson, content=_lesson_content(data), author=actor, attrs=attrs)
        forget_course_pages()
    return lesson


def lesson_update(*, actor: User, lesson: Lesson, data: LessonInput, based_on: int) -> int:
    """Save a new revision of a lesson's content; learners see the live one until it is published."""
    _require_edit(actor, lesson.course)
    return publishing.draft_save(obj=lesson, content=_lesson_content(data), author=actor, based_on=based_on)


def lesson_publish(*, actor: User, lesson: Lesson) -> Lesson:
    _require_edit(actor, lesson.course)
    with transaction.atomic():
        publishing.publish(obj=lesson, author=actor)
        forget_course_pages()
    return lesson


def lesson_unpublish(*, actor: User, lesson: Lesson) -> Lesson:
    _require_edit(actor, lesson.course)
    with transaction.atomic():
        publishing.unpublish(obj=lesson, author=actor)
        forget_course_pages()
    return lesson


def lesson_set_rules(*, actor: User, lesson: Lesson, rules: LessonRules) -> Lesson:
    """Set a lesson's free preview, drip date or days, and prerequisite (an earlier lesson of
    the same course)."""
    _require_edit(actor, lesson.course)
    if rules.prerequisite_id is not None:
        earlier = _outline_order(lesson.course)
        if rules.prerequisite_id not in earlier or earlier.index(rules.prerequisite_id) >= earlier.index(lesson.pk):
            raise ValidationError({"prerequisite": "A prerequisite is an earlier lesson of this course."})
    if rules.opens_after_days is not None and not 0 <= rules.opens_after_days <= 3650:
        raise ValidationError({"opens_after_days": "Between 0 and 3650 days."})
    if rules.kind is not None and rules.kind not in Lesson.Kind.values:
        raise ValidationError({"kind": "No such kind of lesson."})
    lesson.kind = rules.kind or lesson.kind
    lesson.is_preview = rules.is_preview
    lesson.opens_at = rules.opens_at
    lesson.opens_after_days = rules.opens_after_days
    lesson.prerequisite_id = rules.prerequisite_id
    with transaction.atomic():
        lesson.save(update_fields=["kind", "is_preview", "opens_at", "opens_after_days", "prerequisite"])
        forget_course_pages()
    return lesson


def _outline_order(course: Course) -> list[int]:
    return list(
        Lesson.objects.filter(course=course)
        .order_by("section__position", "section_id", "position", "pk")
        .values_list("pk", flat=True)
    )


def outline_reorder(*, actor: User, course: Course, outline: Sequence[tuple[int, Sequence[int]]]) -> None:
    """Set the whole outline's order at once: ``outline`` lists (section id, [lesson ids]) in
    order, naming every section and lesson of the course exactly once (what the editor's drag
    and keyboard moves send). A lesson may change section. Anything else is refused whole."""
    _require_edit(actor, course)
    with transaction.atomic():
        sections = {s.pk: s for s in Section.objects.select_for_update().filter(course=course).order_by("pk")}
        lessons = {lesson.pk: lesson for lesson in Lesson.objects.filter(course=course).order_by("pk")}
        named_sections = [section_id for section_id, _ in outline]
        named_lessons = [lesson_id for _, ids in outline for lesson_id in ids]
        if sorted(named_sections) != sorted(sections) or sorted(named_lessons) != sorted(lessons):
            raise ValidationError(
                "The outline changed since you opened it: reload to see it as it is.", code="stale_outline"
            )
        for position, (section_id, lesson_ids) in enumerate(outline, start=1):
            Section.objects.filter(pk=section_id).update(position=position)
            for lesson_position, lesson_id in enumerate(lesson_ids, start=1):
                Lesson.objects.filter(pk=lesson_id).update(section_id=section_id, position=lesson_position)
        forget_course_pages()


def _current_outline(course: Course) -> list[tuple[int, list[int]]]:
    sections = list(Section.objects.filter(course=course).order_by("position", "pk").values_list("pk", flat=True))
    lessons: dict[int, list[int]] = {pk: [] for pk in sections}
    for lesson_id, section_id in (
        Lesson.objects.filter(course=course).order_by("position", "pk").values_list("pk", "section_id")
    ):
        lessons[section_id].append(lesson_id)
    return [(pk, lessons[pk]) for pk in sections]


def lesson_move(*, actor: User, lesson: Lesson, step: int) -> None:
    """Move a lesson one place up (``step`` -1) or down (+1) in the outline, for keyboards and
    pages without JavaScript: past the first (last) lesson of its section it goes to the end
    (start) of the section before (after). At either end of the course it stays."""
    if step not in (-1, 1):
        raise ValidationError("A lesson moves one place up or down.", code="bad_step")
    course = lesson.course
    _require_edit(actor, course)
    with transaction.atomic():
        # The sections' locks first, as outline_reorder takes them: no move reads a stale order.
        list(Section.objects.select_for_update().filter(course=course).order_by("pk"))
        outline = _current_outline(course)
        where = next((i for i, (_, ids) in enumerate(outline) if lesson.pk in ids), None)
        if where is None:
            raise ValidationError("This lesson is no longer in the course.", code="stale_outline")
        ids = outline[where][1]
        index = ids.index(lesson.pk)
        target = index + step
        if 0 <= target < len(ids):
            ids[index], ids[target] = ids[target], ids[index]
        elif 0 <= where + step < len(outline):
            ids.remove(lesson.pk)
            neighbour = outline[where + step][1]
            if step < 0:
                neighbour.append(lesson.pk)
            else:
                neighbour.insert(0, lesson.pk)
        else:
            return
        outline_reorder(actor=actor, course=course, outline=outline)


def section_move(*, actor: User, section: Section, step: int) -> None:
    """Move a section (with its lessons) one place up (``step`` -1) or down (+1)."""
    if step not in (-1, 1):
        raise ValidationError("A section moves one place up or down.", code="bad_step")
    course = section.course
    _require_edit(actor, course)
    with transaction.atomic():
        list(Section.objects.select_for_update().filter(course=course).order_by("pk"))
        outline = _current_outline(course)
        index = next((i for i, (pk, _) in enumerate(outline) if pk == section.pk), None)
        if index is None:
            raise ValidationError("This section is no longer in the course.", code="stale_outline")
        target = index + step
        if not 0 <= target < len(outline):
            return
        outline[index], outline[target] = outline[target], outline[index]
        outline_reorder(actor=actor, course=course, outline=outline)
