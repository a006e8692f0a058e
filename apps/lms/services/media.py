"""Writes of a lesson's media: its video, uploaded to the default storage (S3 where configured)
and played by the browser's HTML5 player on the lesson's page, and its attachments (files
downloaded through a view that asks the lesson's policy).

The video is not content of the publishing engine's drafts (a 2 GB file is not copied per
revision): like the outline's rules it applies at once, and a lesson's learners see the new video
on their next visit. The old file is deleted from storage after the new one is committed.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from apps.core.models import User
from apps.lms import permissions
from apps.lms import video as videos
from apps.lms.models import Lesson, LessonAttachment
from apps.lms.services.courses import forget_course_pages


def _require_edit(actor: User, lesson: Lesson) -> None:
    if not permissions.can_edit_course(actor, lesson.course):
        raise PermissionDenied("Only the course's instructors change its lessons.")


def lesson_video_set(*, actor: User, lesson: Lesson, file: UploadedFile) -> Lesson:
    """Store ``file`` as ``lesson``'s video after checking it is one browsers play. Refused with
    a ValidationError (and nothing stored) for anything else or anything too large or too long."""
    _require_edit(actor, lesson)
    if file.size is not None and file.size > videos.MAX_VIDEO_BYTES:
        raise ValidationError({"video": "A video is at most 2 GB."}, code="video_too_large")
    try:
        info = videos.probe(file)
    except videos.NotAVideo as exc:
        raise ValidationError({"video": str(exc)}, code="not_a_video") from None
    if info.seconds > videos.MAX_VIDEO_SECONDS:
        raise ValidationError({"video": "A video is at most 6 hours long."}, code="video_too_long")
    old = lesson.video.name if lesson.video else ""
    # A random name: the uploader's file name says nothing the page needs and may say too much.
    lesson.video.save(f"{uuid.uuid4().hex}.{info.extension}", file, save=False)
    with transaction.atomic():
        Lesson.objects.filter(pk=lesson.pk).update(video=lesson.video.name)
        forget_course_pages()
    if old:
        storage = lesson.video.storage
        transaction.on_commit(lambda: storage.delete(old))
    return lesson


def lesson_video_remove(*, actor: User, lesson: Lesson) -> Lesson:
    """Take the video off a lesson (the file is deleted from storage once that is committed)."""
    _require_edit(actor, lesson)
    old = lesson.video.name if lesson.video else ""
    with transaction.atomic():
        Lesson.objects.filter(pk=lesson.pk).update(video="")
        forget_course_pages()
    lesson.video = ""
    if old:
        storage = Lesson._meta.get_field("video").storage
        transaction.on_commit(lambda: storage.delete(old))
    return lesson


# --- Attachments ---------------------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
MAX_ATTACHMENTS = 20  # per lesson
ZIP = b"PK\x03\x04"
# What a file of each accepted extension starts with (None: text, checked as UTF-8 without NULs).
SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    "pdf": (b"%PDF-",),
    "zip": (ZIP,),
    "docx": (ZIP,),
    "xlsx": (ZIP,),
    "pptx": (ZIP,),
    "odt": (ZIP,),
    "ods": (ZIP,),
    "odp": (ZIP,),
    "epub": (ZIP,),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    "txt": None,
    "md": None,
    "csv": None,
}


def _refused(message: str, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def _sniff(file: UploadedFile, extension: str) -> bool:
    """Whether the file's first bytes are what its extension says (a renamed program is refused)."""
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    signatures = SIGNATURES[extension]
    if signatures is None:
        if b"\x00" in head:
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:  # a multi-byte character cut at the end is fine
            return exc.start >= len(head) - 3
        return True
    return any(head.startswith(signature) for signature in signatures)


def attachment_add(*, actor: User, lesson: Lesson, file: UploadedFile, title: str = "") -> LessonAttachment:
    """Attach ``file`` to ``lesson`` (at its end). Refused with a ValidationError, and nothing
    stored, for a type not accepted, a file whose content is not its type, or one too large."""
    _require_edit(actor, lesson)
    original = PurePath(file.name or "file").name[:200]
    extension = PurePath(original).suffix.lower().lstrip(".")
    if extension not in SIGNATURES:
        accepted = ", ".join(sorted(SIGNATURES))
        raise _refused(f"Attach one of these kinds of file: {accepted}.", "file_type")
    if file.size is None or file.size > MAX_ATTACHMENT_BYTES:
        raise _refused("An attachment is at most 50 MB.", "file_too_large")
    if file.size == 0 or not _sniff(file, extension):
        raise _refused(f"This file is not a .{extension} file.", "file_content")
    title = " ".join(str(title or "").split())[:160] or PurePath(original).stem[:160]
    with transaction.atomic():
        # The lesson's row lock keeps the count and the positions right when two uploads race.
        Lesson.objects.select_for_update().filter(pk=lesson.pk).first()
        count = LessonAttachment.objects.filter(lesson=lesson).count()
        if count >= MAX_ATTACHMENTS:
            raise _refused(f"A lesson has at most {MAX_ATTACHMENTS} attachments.", "too_many")
        attachment = LessonAttachment(
            lesson=lesson, title=title, filename=original, size=file.size, position=count, uploaded_by=actor
        )
        attachment.file.save(f"{uuid.uuid4().hex}.{extension}", file, save=False)
        name = attachment.file.name
        storage = attachment.file.storage
        try:  # a failed insert must not leave its file behind
            attachment.save()
        except Exception:
            storage.delete(name)
            raise
        forget_course_pages()
    return attachment


def attachment_remove(*, actor: User, attachment: LessonAttachment) -> None:
    """Take a file off its lesson (deleted from storage once that is committed)."""
    _require_edit(actor, attachment.lesson)
    name, storage = attachment.file.name, attachment.file.storage
    with transaction.atomic():
        LessonAttachment.objects.filter(pk=attachment.pk).delete()
        forget_course_pages()
    transaction.on_commit(lambda: storage.delete(name))
