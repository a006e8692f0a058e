"""The course editor's outline and lessons (/courses/manage/<pk>/outline/ and .../lessons/<pk>/):
sections and lessons added, renamed, deleted and reordered, and the lesson editor (its draft,
rules, video and publication). Access as in manage.py.

Reordering: static/js/lms-outline.js (SortableJS for the mouse, Move up / Move down buttons for
the keyboard) posts the whole outline to ``outline_save``, which ``outline_reorder`` refuses whole
when it is stale (409: the page then reloads the outline as it is). Without JavaScript the same
buttons are plain forms that move one lesson or section a step (``lesson_move``, ``section_move``).
Other outline actions are plain POSTs too; htmx sends them in place and gets the outline back.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.core.api import json_error
from apps.core.publishing import DraftConflict
from apps.core.publishing import selectors as publishing_selectors
from apps.lms import selectors
from apps.lms.forms_manage import (
    AttachmentForm,
    LessonContentForm,
    LessonCreateForm,
    LessonRulesForm,
    SectionForm,
    VideoForm,
)
from apps.lms.models import Course, Lesson, Section
from apps.lms.services import courses as services
from apps.lms.services import media
from apps.lms.views.manage import (
    autosaved,
    conflict,
    errors_of,
    form_error,
    manage_context,
    managed_course,
    save_draft,
)

PAGE = "lms/manage/course_outline.html"


def _outline_page(request: HttpRequest, course: Course, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = manage_context(
        course,
        "outline",
        outline=selectors.outline(course, with_drafts=True),
        section_form=extra.pop("section_form", None) or SectionForm(),
        lesson_form=LessonCreateForm(),
        **extra,
    )
    template = f"{PAGE}#outline" if request.htmx and not request.htmx.history_restore_request else PAGE
    return render(request, template, context, status=status)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def outline(request: HttpRequest, pk: int) -> HttpResponse:
    """Sections and lessons, drafts too (htmx: the outline alone, to reload it in place)."""
    return _outline_page(request, managed_course(request, pk))


def _after(request: HttpRequest, course: Course, text: str, *, error: bool = False) -> HttpResponse:
    """An outline action's answer: htmx gets the outline with the message; a plain POST goes
    back to the page (or, refused, gets it again with the message: 422)."""
    if request.htmx:
        return _outline_page(request, course, status=422 if error else 200, status_text=text, status_error=error)
    if error:
        messages.error(request, text)
        return _outline_page(request, course, status=422)
    messages.success(request, text)
    return redirect("lms:manage-outline", course.pk)


def _section(request: HttpRequest, pk: int, section_pk: int) -> Section:
    course = managed_course(request, pk)
    section = Section.objects.filter(course=course, pk=section_pk).first()
    if section is None:
        raise Http404("No such section in this course.")
    section.course = course
    return section


def _lesson(request: HttpRequest, pk: int, lesson_pk: int) -> Lesson:
    course = managed_course(request, pk)
    lesson = Lesson.objects.filter(course=course, pk=lesson_pk).first()
    if lesson is None:
        raise Http404("No such lesson in this course.")
    lesson.course = course
    return lesson


@login_required
@require_POST
def outline_save(request: HttpRequest, pk: int) -> JsonResponse:
    """The whole order, as the script sends it: ``outline`` = JSON [{"section": id, "lessons":
    [ids]}, ...]. 400 for what is not such a list, 409 when the outline changed meanwhile."""
    course = managed_course(request, pk)
    try:
        items = json.loads(request.POST.get("outline", ""))
        if not isinstance(items, list) or len(items) > services.MAX_SECTIONS:
            raise ValueError
        order = [(_id(item["section"]), [_id(i) for i in item["lessons"]]) for item in items]
        if sum(len(ids) for _, ids in order) > services.MAX_LESSONS:
            raise ValueError
    except (ValueError, TypeError, KeyError):
        return json_error(400, code="invalid", message="The outline could not be read.")
    try:
        services.outline_reorder(actor=request.user, course=course, outline=order)
    except ValidationError as exc:
        status = 409 if exc.code == "stale_outline" else 400
        return json_error(status, code=exc.code or "invalid", message=errors_of(exc))
    return JsonResponse({"message": "The new order is saved."})


def _id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise ValueError
    return value


def _step(request: HttpRequest) -> int:
    return {"up": -1, "down": 1}.get(request.POST.get("direction", ""), 0)


@login_required
@require_POST
def lesson_move(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    lesson = _lesson(request, pk, lesson_pk)
    try:
        services.lesson_move(actor=request.user, lesson=lesson, step=_step(request))
    except ValidationError as exc:
        return _after(request, lesson.course, errors_of(exc), error=True)
    return _after(request, lesson.course, f"Moved “{lesson.title}” {request.POST['direction']}.")


@login_required
@require_POST
def section_move(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    section = _section(request, pk, section_pk)
    try:
        services.section_move(actor=request.user, section=section, step=_step(request))
    except ValidationError as exc:
        return _after(request, section.course, errors_of(exc), error=True)
    return _after(request, section.course, f"Moved the section “{section.title}” {request.POST['direction']}.")


@login_required
@require_POST
def section_create(request: HttpRequest, pk: int) -> HttpResponse:
    course = managed_course(request, pk)
    form = SectionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("A section needs a title (at most 200 characters).")
        section = services.section_create(actor=request.user, course=course, title=form.cleaned_data["title"])
    except ValidationError as exc:
        return _after(request, course, errors_of(exc), error=True)
    return _after(request, course, f"Section “{section.title}” added.")


@login_required
@require_POST
def section_rename(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    section = _section(request, pk, section_pk)
    form = SectionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("A section needs a title (at most 200 characters).")
        services.section_rename(actor=request.user, section=section, title=form.cleaned_data["title"])
    except ValidationError as exc:
        return _after(request, section.course, errors_of(exc), error=True)
    return _after(request, section.course, f"Section renamed “{section.title}”.")


@login_required
@require_POST
def section_delete(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    section = _section(request, pk, section_pk)
    try:
        services.section_delete(actor=request.user, section=section)
    except ValidationError as exc:
        return _after(request, section.course, errors_of(exc), error=True)
    return _after(request, section.course, f"Section “{section.title}” deleted.")


@login_required
@require_POST
def lesson_create(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    section = _section(request, pk, section_pk)
    form = LessonCreateForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("A lesson needs a title (at most 200 characters) and a kind.")
        lesson = services.lesson_create(
            actor=request.user,
            section=section,
            kind=form.cleaned_data["kind"],
            data=services.LessonInput(title=form.cleaned_data["title"]),
        )
    except ValidationError as exc:
        return _after(request, section.course, errors_of(exc), error=True)
    return _after(request, section.course, f"Lesson “{lesson.title}” added as a draft.")


# --- The lesson editor --------------------------------------------------------------------------


def _lesson_draft(lesson: Lesson) -> dict[str, Any]:
    return publishing_selectors.draft_content(lesson) or lesson.content_of()


def _earlier(lesson: Lesson) -> Any:
    order = list(
        Lesson.objects.filter(course=lesson.course)
        .order_by("section__position", "section_id", "position", "pk")
        .values_list("pk", flat=True)
    )
    return Lesson.objects.filter(pk__in=order[: order.index(lesson.pk)]).order_by("section__position", "position")


def _lesson_page(request: HttpRequest, lesson: Lesson, *, status: int = 200, **forms: Any) -> HttpResponse:
    context = manage_context(
        lesson.course,
        "outline",
        lesson=lesson,
        content_form=forms.get("content_form")
        or LessonContentForm(initial=LessonContentForm.initial_for(_lesson_draft(lesson), lesson.latest_revision)),
        rules_form=forms.get("rules_form")
        or LessonRulesForm(initial=LessonRulesForm.initial_for(lesson), earlier=_earlier(lesson)),
        video_form=forms.get("video_form") or VideoForm(),
        attachment_form=forms.get("attachment_form") or AttachmentForm(),
        attachments=list(lesson.attachments.all()),
    )
    return render(request, "lms/manage/lesson_form.html", context, status=status)


def _lesson_done(request: HttpRequest, lesson: Lesson, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("lms:manage-lesson", lesson.course_id, lesson.pk)


@login_required
@require_http_methods(["GET", "POST"])
def lesson_edit(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    """The lesson's draft: a new revision (a stale form is told of the conflict, 409)."""
    lesson = _lesson(request, pk, lesson_pk)
    if request.method == "GET":
        return _lesson_page(request, lesson)
    form = LessonContentForm(request.POST)
    revision, status = save_draft(
        form,
        lambda: services.lesson_update(
            actor=request.user, lesson=lesson, data=form.lesson_input(), based_on=form.cleaned_data["based_on"]
        ),
    )
    if revision is not None:
        return _lesson_done(request, lesson, f"Draft saved (revision {revision}).")
    return _lesson_page(request, lesson, status=status, content_form=form)


@require_POST
def lesson_autosave(request: HttpRequest, pk: int, lesson_pk: int) -> JsonResponse:
    """The writer's editor's autosave of the lesson's draft (as the course's, manage.py)."""
    if not request.user.is_authenticated:
        return json_error(403, message="Sign in to save drafts.")
    course = selectors.course_get_by_pk_for_editor(user=request.user, pk=pk)
    lesson = Lesson.objects.filter(course=course, pk=lesson_pk).first() if course else None
    if lesson is None:
        return json_error(404, message="No such lesson among the courses you teach.")
    lesson.course = course
    form = LessonContentForm(request.POST)
    if not form.is_valid():
        return form_error(form)
    try:
        revision = services.lesson_update(
            actor=request.user, lesson=lesson, data=form.lesson_input(), based_on=form.cleaned_data["based_on"]
        )
    except DraftConflict as exc:
        return conflict(exc, _lesson_draft(lesson), "body")
    except ValidationError as exc:
        return json_error(400, code="invalid", message=errors_of(exc))
    url = reverse("lms:manage-lesson", args=[pk, lesson.pk])
    return autosaved(revision, url, reverse("lms:manage-lesson-autosave", args=[pk, lesson.pk]))


@login_required
@require_POST
def lesson_rules(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    lesson = _lesson(request, pk, lesson_pk)
    form = LessonRulesForm(request.POST, earlier=_earlier(lesson))
    if form.is_valid():
        try:
            services.lesson_set_rules(actor=request.user, lesson=lesson, rules=form.rules())
        except ValidationError as exc:
            lesson.refresh_from_db()
            form.add_error(None, exc)
        else:
            return _lesson_done(request, lesson, "Kind, preview and opening rules saved.")
    return _lesson_page(request, lesson, status=422, rules_form=form)


@login_required
@require_POST
def lesson_video(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    lesson = _lesson(request, pk, lesson_pk)
    form = VideoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            media.lesson_video_set(actor=request.user, lesson=lesson, file=form.cleaned_data["video"])
        except ValidationError as exc:
            form.add_error("video", exc.message_dict.get("video") if hasattr(exc, "error_dict") else exc)
        else:
            return _lesson_done(request, lesson, "Video saved.")
    return _lesson_page(request, lesson, status=422, video_form=form)


@login_required
@require_POST
def lesson_attachment_add(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    lesson = _lesson(request, pk, lesson_pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            media.attachment_add(
                actor=request.user, lesson=lesson, file=form.cleaned_data["file"], title=form.cleaned_data["title"]
            )
        except ValidationError as exc:
            form.add_error("file", exc.message_dict.get("file") if hasattr(exc, "error_dict") else exc)
        else:
            return _lesson_done(request, lesson, "File attached.")
    return _lesson_page(request, lesson, status=422, attachment_form=form)


@login_required
@require_POST
def lesson_attachment_remove(request: HttpRequest, pk: int, lesson_pk: int, attachment_pk: int) -> HttpResponse:
    lesson = _lesson(request, pk, lesson_pk)
    attachment = selectors.attachment_get(lesson=lesson, pk=attachment_pk)
    if attachment is None:
        raise Http404("No such file on this lesson.")
    attachment.lesson = lesson
    media.attachment_remove(actor=request.user, attachment=attachment)
    return _lesson_done(request, lesson, f"“{attachment.title}” removed.")


@login_required
@require_POST
def lesson_video_remove(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    lesson = _lesson(request, pk, lesson_pk)
    media.lesson_video_remove(actor=request.user, lesson=lesson)
    return _lesson_done(request, lesson, "Video removed.")


@login_required
@require_POST
def lesson_publish(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    lesson = _lesson(request, pk, lesson_pk)
    try:
        services.lesson_publish(actor=request.user, lesson=lesson)
    except ValidationError as exc:
        messages.error(request, errors_of(exc))
        return _lesson_page(request, lesson, status=422)
    return _lesson_done(request, lesson, f"“{lesson.title}” is published.")


@login_required
@require_POST
def lesson_unpublish(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    lesson = _lesson(request, pk, lesson_pk)
    services.lesson_unpublish(actor=request.user, lesson=lesson)
    return _lesson_done(request, lesson, f"“{lesson.title}” is taken down; its learners' progress is kept.")
