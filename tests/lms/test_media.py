"""A lesson's video: what is taken (WebM/MP4 that browsers play, probed with PyAV, not judged by
its name), what is refused with a clear message and nothing stored, who may upload, and that a
replaced video's file leaves storage once the change is committed."""

from __future__ import annotations

import io

import av
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.lms import video as videos
from apps.lms.models import Lesson
from apps.lms.services import media
from tests.lms.factories import lessons_of

pytestmark = pytest.mark.django_db


def _webm(title: str = "Clay", seconds: int = 2) -> SimpleUploadedFile:
    return SimpleUploadedFile("my holiday.webm", videos.demo_video(title=title, seconds=seconds), "video/webm")


def _mp4(codec: str = "libx264") -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream(codec, rate=5)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for _ in range(5):
            for packet in stream.encode(av.VideoFrame.from_image(Image.new("RGB", (64, 64), (200, 10, 10)))):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def test_a_webm_video_is_stored_under_a_random_name_and_shown_on_the_lesson(course, instructor, enrolment, client):
    lesson = lessons_of(course)[0]
    media.lesson_video_set(actor=instructor, lesson=lesson, file=_webm())
    lesson.refresh_from_db()
    assert lesson.video.name.endswith(".webm")
    assert "holiday" not in lesson.video.name
    with lesson.video.open("rb") as stored:
        assert videos.probe(stored).codec == "vp8"
    client.force_login(enrolment.user)
    page = client.get(lesson.get_absolute_url())
    assert page.status_code == 200
    assert lesson.video.url in page.content.decode()


def test_an_h264_mp4_is_taken_and_described(course, instructor):
    lesson = lessons_of(course)[0]
    media.lesson_video_set(actor=instructor, lesson=lesson, file=SimpleUploadedFile("talk.mp4", _mp4(), "video/mp4"))
    lesson.refresh_from_db()
    assert lesson.video.name.endswith(".mp4")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.webm", b"this is only text, whatever its name says", "not a video we can read"),
        ("cat.mp4", None, "Upload a WebM or MP4 video."),  # a PNG under a video's name
        ("old.mp4", "mpeg4", "Browsers cannot play mpeg4 video"),
    ],
)
def test_what_browsers_cannot_play_is_refused_and_nothing_is_stored(course, instructor, name, content, message):
    lesson = lessons_of(course)[0]
    if content is None:
        picture = io.BytesIO()
        Image.new("RGB", (8, 8)).save(picture, "PNG")
        content = picture.getvalue()
    elif content == "mpeg4":
        content = _mp4("mpeg4")
    with pytest.raises(ValidationError) as refused:
        media.lesson_video_set(actor=instructor, lesson=lesson, file=SimpleUploadedFile(name, content))
    assert message in " ".join(refused.value.message_dict["video"])
    assert Lesson.objects.get(pk=lesson.pk).video.name == ""


def test_only_the_course_instructors_and_admins_set_a_video(course, people):
    lesson = lessons_of(course)[0]
    for who in ("other_instructor", "learner", "outsider", "anonymous"):
        with pytest.raises(PermissionDenied):
            media.lesson_video_set(actor=people[who], lesson=lesson, file=_webm())
    for who in ("owner", "co_instructor", "admin"):
        media.lesson_video_set(actor=people[who], lesson=lesson, file=_webm())
    with pytest.raises(PermissionDenied):
        media.lesson_video_remove(actor=people["other_instructor"], lesson=lesson)


def test_a_replaced_or_removed_video_leaves_storage_after_commit(
    course, instructor, django_capture_on_commit_callbacks
):
    lesson = lessons_of(course)[0]
    with django_capture_on_commit_callbacks(execute=True):
        media.lesson_video_set(actor=instructor, lesson=lesson, file=_webm("first"))
    first = Lesson.objects.get(pk=lesson.pk).video.name
    storage = lesson.video.storage
    with django_capture_on_commit_callbacks(execute=True):
        media.lesson_video_set(actor=instructor, lesson=lesson, file=_webm("second"))
    second = Lesson.objects.get(pk=lesson.pk).video.name
    assert second != first and storage.exists(second) and not storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        media.lesson_video_remove(actor=instructor, lesson=lesson)
    assert Lesson.objects.get(pk=lesson.pk).video.name == ""
    assert not storage.exists(second)
