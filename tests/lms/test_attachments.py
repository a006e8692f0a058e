"""A lesson's files: what is taken (judged by content, not by name), what is refused with nothing
stored, who attaches and removes (page policy and API), and that a download asks the lesson's own
policy: a locked lesson's files are locked, a free preview's are anyone's."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.lms.models import Lesson, LessonAttachment
from apps.lms.services import media
from tests.lms.factories import lessons_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name: str = "Glaze recipes.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "application/pdf")


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _url(item: LessonAttachment) -> str:
    lesson = item.lesson
    return f"/courses/{lesson.course.slug}/lessons/{lesson.slug}/files/{item.pk}/"


def test_a_file_is_stored_under_a_random_name_and_listed_on_the_lesson(course, instructor, enrolment):
    lesson = lessons_of(course)[0]
    item = media.attachment_add(actor=instructor, lesson=lesson, file=_pdf())
    assert (item.title, item.filename, item.size) == ("Glaze recipes", "Glaze recipes.pdf", len(PDF))
    assert "recipes" not in item.file.name and item.file.name.endswith(".pdf")
    page = _client(enrolment.user).get(lesson.get_absolute_url()).content.decode()
    assert "Files for this lesson" in page and _url(item) in page
    download = _client(enrolment.user).get(_url(item))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert 'filename="Glaze recipes.pdf"' in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("setup.exe", b"MZ\x90\x00", "file_type"),
        ("notes.pdf", b"MZ\x90\x00 a program", "file_content"),
        ("slides.pptx", b"%PDF-1.4", "file_content"),
        ("notes.txt", b"binary\x00\x01", "file_content"),
        ("empty.pdf", b"", "file_content"),
        ("noextension", PDF, "file_type"),
    ],
)
def test_what_is_not_what_it_says_is_refused_and_nothing_stored(course, instructor, name, data, code):
    with pytest.raises(ValidationError) as refused:
        media.attachment_add(actor=instructor, lesson=lessons_of(course)[0], file=_pdf(name, data))
    assert refused.value.error_dict["file"][0].code == code
    assert not LessonAttachment.objects.exists()


def test_text_and_office_files_are_taken_by_their_content(course, instructor):
    lesson = lessons_of(course)[0]
    media.attachment_add(actor=instructor, lesson=lesson, file=_pdf("steps.md", "# Centring — étape 1\n".encode()))
    media.attachment_add(actor=instructor, lesson=lesson, file=_pdf("sheet.xlsx", b"PK\x03\x04rest"))
    assert list(LessonAttachment.objects.values_list("filename", "position")) == [("steps.md", 0), ("sheet.xlsx", 1)]


def test_a_lesson_holds_at_most_twenty_files(course, instructor, monkeypatch):
    monkeypatch.setattr(media, "MAX_ATTACHMENTS", 2)
    lesson = lessons_of(course)[0]
    for n in range(2):
        media.attachment_add(actor=instructor, lesson=lesson, file=_pdf(f"{n}.pdf"))
    with pytest.raises(ValidationError):
        media.attachment_add(actor=instructor, lesson=lesson, file=_pdf("3.pdf"))
    assert LessonAttachment.objects.count() == 2


@pytest.mark.parametrize("who", ["other_instructor", "learner", "outsider"])
def test_only_who_teaches_attaches_or_removes(people, course, instructor, who):
    lesson = lessons_of(course)[0]
    with pytest.raises(PermissionDenied):
        media.attachment_add(actor=people[who], lesson=lesson, file=_pdf())
    item = media.attachment_add(actor=people["co_instructor"], lesson=lesson, file=_pdf())
    with pytest.raises(PermissionDenied):
        media.attachment_remove(actor=people[who], attachment=item)
    assert LessonAttachment.objects.count() == 1


def test_a_removed_file_leaves_storage_once_committed(course, instructor, django_capture_on_commit_callbacks):
    item = media.attachment_add(actor=instructor, lesson=lessons_of(course)[0], file=_pdf())
    name = item.file.name
    with django_capture_on_commit_callbacks(execute=True):
        media.attachment_remove(actor=instructor, attachment=item)
    assert not default_storage.exists(name)
    assert not LessonAttachment.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("co_instructor", 200),
        ("admin", 200),
        ("learner", 403),  # enrolled, but the lesson opens in a week
        ("other_instructor", 403),
        ("outsider", 403),
        ("anonymous", 403),
    ],
)
def test_a_locked_lessons_files_are_locked(people, course, instructor, who, status):
    lesson = lessons_of(course)[1]
    Lesson.objects.filter(pk=lesson.pk).update(opens_after_days=7)
    item = media.attachment_add(actor=instructor, lesson=lesson, file=_pdf())
    assert _client(people[who]).get(_url(item)).status_code == status


@pytest.mark.parametrize("who", ["learner", "outsider", "anonymous"])
def test_a_free_previews_files_are_anyones(people, course, instructor, who):
    lesson = lessons_of(course)[1]
    Lesson.objects.filter(pk=lesson.pk).update(is_preview=True)
    item = media.attachment_add(actor=instructor, lesson=lesson, file=_pdf())
    assert _client(people[who]).get(_url(item)).status_code == 200


def test_another_lessons_file_id_is_not_found(course, instructor, enrolment):
    first, second = lessons_of(course)[:2]
    item = media.attachment_add(actor=instructor, lesson=second, file=_pdf())
    url = f"/courses/{course.slug}/lessons/{first.slug}/files/{item.pk}/"
    assert _client(enrolment.user).get(url).status_code == 404
    assert (
        _client(enrolment.user).get(f"/courses/{course.slug}/lessons/{first.slug}/files/99999999999/").status_code
        == 404
    )


def _editor(course, lesson) -> str:
    return f"/courses/manage/{course.pk}/lessons/{lesson.pk}/"


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 302), ("co_instructor", 302), ("admin", 302), ("other_instructor", 404), ("learner", 403)],
)
def test_the_lesson_editor_attaches_and_removes_files(people, course, who, status):
    lesson = lessons_of(course)[0]
    client = _client(people[who])
    response = client.post(f"{_editor(course, lesson)}files/", {"file": _pdf(), "title": "Recipes"})
    assert response.status_code in ((status,) if status != 403 else (403, 404))
    attached = LessonAttachment.objects.filter(lesson=lesson)
    assert attached.count() == (1 if status == 302 else 0)
    if status == 302:
        page = client.get(_editor(course, lesson)).content.decode()
        assert "Files for learners" in page and "Recipes" in page
        item = attached.get()
        assert client.post(f"{_editor(course, lesson)}files/{item.pk}/remove/").status_code == 302
        assert not attached.exists()


def test_the_lesson_editor_shows_a_refused_file_as_a_form_error(course, instructor):
    lesson = lessons_of(course)[0]
    response = _client(instructor).post(f"{_editor(course, lesson)}files/", {"file": _pdf("tool.pdf", b"MZ")})
    assert response.status_code == 422 and "This file is not a .pdf file." in response.content.decode()
    assert not LessonAttachment.objects.exists()
