"""A lesson's video and files over the API: who teaches the course uploads, replaces and removes
them (multipart; bad files 400 with nothing stored); learners read the files with the lesson and
download them under the lesson's own policy."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.lms import video as videos
from apps.lms.models import Lesson, LessonAttachment
from apps.lms.services import media
from tests.lms.api.conftest import API, error_of
from tests.lms.factories import lessons_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
TEACHERS = {"owner": 201, "co_instructor": 201, "admin": 201}
OTHERS = {"other_instructor": 404, "learner": 403, "outsider": 403, "anonymous": 401}


def _pdf(name: str = "Kiln log.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "application/pdf")


def test_who_teaches_attaches_files_and_no_one_else(api_as, people, course):
    lesson = lessons_of(course)[0]
    url = f"{API}manage/lessons/{lesson.pk}/attachments/"

    def upload(who, user):
        return api_as(user).post(url, {"file": _pdf(), "title": who}, format="multipart").status_code

    statuses = {who: upload(who, user) for who, user in people.items()}
    assert statuses == {**TEACHERS, **OTHERS}
    assert sorted(LessonAttachment.objects.values_list("title", flat=True)) == ["admin", "co_instructor", "owner"]


def test_a_bad_file_is_a_400_and_nothing_is_stored(api_as, instructor, course):
    url = f"{API}manage/lessons/{lessons_of(course)[0].pk}/attachments/"
    refused = api_as(instructor).post(url, {"file": _pdf("run.pdf", b"MZ\x90")}, format="multipart")
    assert "is not a .pdf file" in str(error_of(refused, 400)["fields"]["file"])
    assert error_of(api_as(instructor).post(url, {}, format="multipart"), 400)["fields"]["file"]
    assert not LessonAttachment.objects.exists()


def test_removing_a_file_is_for_who_teaches(api_as, people, instructor, course):
    lesson = lessons_of(course)[0]
    item = media.attachment_add(actor=instructor, lesson=lesson, file=_pdf())
    url = f"{API}manage/attachments/{item.pk}/"
    for who in OTHERS:
        assert api_as(people[who]).delete(url).status_code == OTHERS[who]
    assert api_as(people["co_instructor"]).delete(url).status_code == 204
    assert not LessonAttachment.objects.exists()
    assert error_of(api_as(instructor).delete(url), 404)


def test_learners_read_files_with_the_lesson_and_download_them(
    api_as, instructor, learner, outsider, course, enrolment
):
    lesson = lessons_of(course)[0]
    item = media.attachment_add(actor=instructor, lesson=lesson, file=_pdf())
    body = api_as(learner).get(f"{API}courses/{course.slug}/lessons/{lesson.slug}/").json()
    (listed,) = body["attachments"]
    assert (listed["title"], listed["filename"], listed["size"]) == ("Kiln log", "Kiln log.pdf", len(PDF))
    link = "/" + listed["url"].split("://", 1)[1].split("/", 1)[1]
    download = api_as(None).get(link)  # the signed link needs no token nor session
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert api_as(None).get(link.replace("token=", "token=x")).status_code == 404
    other = LessonAttachment.objects.create(lesson=lesson, file=item.file.name, title="b", filename="b.pdf", size=1)
    assert api_as(None).get(link.replace(f"/files/{item.pk}/", f"/files/{other.pk}/")).status_code == 404
    refused = api_as(outsider).get(f"{API}courses/{course.slug}/lessons/{lesson.slug}/")
    assert error_of(refused, 403)["code"] == "lesson_locked"


def test_a_video_is_uploaded_replaced_and_removed_by_who_teaches(api_as, people, instructor, course):
    lesson = lessons_of(course)[0]
    url = f"{API}manage/lessons/{lesson.pk}/video/"

    def clip() -> SimpleUploadedFile:
        return SimpleUploadedFile("clip.webm", videos.demo_video(title="Clay", seconds=1), "video/webm")

    assert api_as(people["learner"]).put(url, {"video": clip()}, format="multipart").status_code == 403
    assert api_as(people["other_instructor"]).put(url, {"video": clip()}, format="multipart").status_code == 404
    answer = api_as(instructor).put(url, {"video": clip()}, format="multipart")
    assert answer.status_code == 200 and answer.json()["video_url"].endswith(".webm")
    bad = api_as(instructor).put(url, {"video": _pdf("clip.webm")}, format="multipart")
    assert error_of(bad, 400)["fields"]["video"]
    assert api_as(instructor).delete(url).status_code == 204
    assert not Lesson.objects.get(pk=lesson.pk).video


def test_a_quiz_or_assignment_lesson_links_to_its_own_endpoints(api_as, instructor, learner, course, enrolment):
    from tests.lms.factories import make_assignment, make_quiz

    quiz_lesson, homework = lessons_of(course)[0], lessons_of(course)[1]
    make_quiz(course, lesson=quiz_lesson)
    make_assignment(course, lesson=homework)
    client = api_as(instructor)
    quiz = client.get(f"{API}courses/{course.slug}/lessons/{quiz_lesson.slug}/").json()
    assert quiz["quiz_url"].endswith(f"/courses/{course.slug}/lessons/{quiz_lesson.slug}/quiz/")
    assert quiz["submissions_url"] is None
    work = client.get(f"{API}courses/{course.slug}/lessons/{homework.slug}/").json()
    assert work["submissions_url"].endswith("/submissions/") and work["quiz_url"] is None
