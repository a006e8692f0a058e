"""Writes of a lesson's media: its video, uploaded to the default storage (S3 where configured)
and played by the browser's HTML5 player on the lesson's page.

The video is not content of the publishing engine's drafts (a 2 GB file is not copied per
revision): like the outline's rules it applies at once, and a lesson's learners see the new video
on their next visit. The old file is deleted from storage after the new one is committed.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from apps.core.models import User
from apps.lms import permissions
from apps.lms import video as videos
from apps.lms.models import Lesson
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
