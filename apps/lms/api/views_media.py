"""A lesson's media for who teaches its course: its video (uploaded, probed, replaced, removed)
and its files (attached, removed), as multipart uploads (apps/lms/services/media.py)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.lms import selectors
from apps.lms.api.common import (
    BAD_INPUT,
    MANAGE_TAGS,
    NOT_AN_INSTRUCTOR,
    NOT_SIGNED_IN,
    NOT_YOURS,
    InstructorView,
    absolute_url,
    managed_lesson,
    service_errors,
)
from apps.lms.api.serializers import AttachmentOutput, attachment_data
from apps.lms.services import media

REFUSED = {400: BAD_INPUT, 401: NOT_SIGNED_IN, 403: NOT_AN_INSTRUCTOR, 404: NOT_YOURS}


class VideoInput(serializers.Serializer):
    video = serializers.FileField(help_text="WebM or MP4 (H.264/VP8/VP9/AV1 with AAC/Opus), at most 2 GB and 6 hours.")


class VideoOutput(serializers.Serializer):
    video_url = serializers.URLField(allow_null=True)


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, office documents, zip, images, mp3 or text; at most 50 MB.")
    title = serializers.CharField(max_length=160, required=False, allow_blank=True)


class LessonVideoView(InstructorView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Upload or replace a lesson's video",
        request={"multipart/form-data": VideoInput},
        responses={200: VideoOutput, **REFUSED},
        tags=MANAGE_TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        lesson = managed_lesson(request.user, pk)
        data = VideoInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            media.lesson_video_set(actor=request.user, lesson=lesson, file=data.validated_data["video"])
        return Response({"video_url": absolute_url(lesson.video.url)})

    @extend_schema(summary="Remove a lesson's video", responses={204: None, **REFUSED}, tags=MANAGE_TAGS)
    def delete(self, request: Request, pk: int) -> Response:
        lesson = managed_lesson(request.user, pk)
        with service_errors():
            media.lesson_video_remove(actor=request.user, lesson=lesson)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LessonAttachmentListView(InstructorView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Attach a file to a lesson",
        request={"multipart/form-data": AttachmentInput},
        responses={201: AttachmentOutput, **REFUSED},
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        lesson = managed_lesson(request.user, pk)
        data = AttachmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            item = media.attachment_add(
                actor=request.user,
                lesson=lesson,
                file=data.validated_data["file"],
                title=data.validated_data.get("title", ""),
            )
        return Response(attachment_data(request.user, lesson.course, lesson, item), status=status.HTTP_201_CREATED)


class LessonAttachmentView(InstructorView):
    @extend_schema(summary="Remove a lesson's file", responses={204: None, **REFUSED}, tags=MANAGE_TAGS)
    def delete(self, request: Request, pk: int) -> Response:
        item = selectors.attachment_by_pk(pk)
        if item is None:
            raise exceptions.NotFound("No such file among the courses you teach.")
        item.lesson = managed_lesson(request.user, item.lesson_id)
        with service_errors():
            media.attachment_remove(actor=request.user, attachment=item)
        return Response(status=status.HTTP_204_NO_CONTENT)
