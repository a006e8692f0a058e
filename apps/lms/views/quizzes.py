"""Quiz pages. For learners, on a quiz lesson's page (templates/lms/quizzes/_quiz.html inside
lesson_detail.html): start an attempt, save each answer as it changes (htmx), submit, see the
results as the quiz's feedback setting allows. For who teaches the course, under
/courses/manage/<course>/quizzes/: the question bank, a quiz's settings and question picker, and
its item statistics.

The server is the authority on time: the countdown (static/js/lms-quiz.js) counts the seconds
the server said were left, and an answer arriving after the deadline is refused
(services/quizzes/) whatever the page shows. Questions are shown through the service's
``question_public``: the page source holds no correct answer before submission.

Who gets what: learners' actions need an open lesson (403 with its lock's reason otherwise) and
their own enrolment (403); the management pages are for who teaches the course and staff (404 for
everyone else, as the course editor's; sign-in first)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.core.platform import idempotency_exempt
from apps.lms import selectors, selectors_quizzes
from apps.lms.forms_quizzes import QuestionForm, QuizSettingsForm, picked_questions, response_of
from apps.lms.models import Attempt, Course, Lesson, Question
from apps.lms.services import quizzes
from apps.lms.views import manage


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- Learners -----------------------------------------------------------------------------------


def _open_quiz_lesson(request: HttpRequest, slug: str, lesson_slug: str) -> selectors.LessonView:
    course = selectors.course_get_for_user(user=request.user, slug=slug)
    if course is None:
        raise Http404("No such course.")
    found = selectors.lesson_view(selectors.course_view(course, user=request.user), user=request.user, slug=lesson_slug)
    if found is None or found.lesson.kind != Lesson.Kind.QUIZ:
        raise Http404("No such quiz.")
    if not found.allowed:
        raise PermissionDenied(found.lock.reason if found.lock else "Enrol in this course to take its quiz.")
    return found


def _own_attempt(request: HttpRequest, found: selectors.LessonView, pk: int) -> Attempt:
    attempt = selectors_quizzes.attempt_get_for_user(user=request.user, pk=pk)
    if attempt is None or attempt.quiz.lesson_id != found.lesson.pk:
        raise Http404("No such attempt.")
    return attempt


def _back(found: selectors.LessonView) -> HttpResponse:
    return redirect(f"{found.lesson.get_absolute_url()}#quiz")


def quiz_context(found: selectors.LessonView) -> dict[str, Any]:
    """What lesson_detail.html's quiz part reads: the learner's panel (questions and results
    with the texts to show), or the rules alone for a reader who is not enrolled."""
    enrolment = found.view.enrolment if found.view.enrolled else None
    panel = selectors_quizzes.quiz_panel(found.lesson, enrolment)
    if panel.current is not None:
        for item in panel.current.items:
            item["response_text"] = _say(item, item.get("response"))
            if "correct_answer" in item:
                item["correct_text"] = _say(item, item["correct_answer"])
            chosen = _chosen(item)
            item["options"] = [
                {**choice, "checked": choice["id"] in chosen, "rank": chosen.get(choice["id"], "")}
                for choice in item["choices"]
            ]
    return {"quiz": panel}


def _say(item: dict[str, Any], value: Any) -> str:
    """A response (or the right answer) in words: choices by their texts."""
    if value is None:
        return "No answer"
    texts = {choice["id"]: choice["text"] for choice in item["choices"]}
    if item["kind"] == Question.Kind.TRUE_FALSE:
        return "True" if value is True else "False"
    if isinstance(value, list):
        joiner = " → " if item["kind"] == Question.Kind.ORDERING else ", "
        return joiner.join(texts.get(pk, pk) for pk in value)
    return texts.get(value, str(value)) if isinstance(value, str) else str(value)


def _chosen(item: dict[str, Any]) -> dict[str, Any]:
    """The saved response as the form shows it: which choices are checked, each item's rank."""
    value = item.get("response")
    if item["kind"] == Question.Kind.TRUE_FALSE and isinstance(value, bool):
        return {"true" if value else "false": True}
    if item["kind"] == Question.Kind.ORDERING and isinstance(value, list):
        return {pk: rank for rank, pk in enumerate(value, start=1)}
    if isinstance(value, list):
        return dict.fromkeys(value, True)
    if isinstance(value, str):
        return {value: True}
    return {}


@require_POST
@login_required
def attempt_start(request: HttpRequest, slug: str, lesson_slug: str) -> HttpResponse:
    """Start an attempt (or go back to the open one), then the lesson's page shows its questions."""
    found = _open_quiz_lesson(request, slug, lesson_slug)
    quiz = selectors_quizzes.quiz_of(found.lesson)
    if quiz is None:
        raise Http404("This quiz is not set up yet.")
    try:
        quizzes.attempt_start(user=request.user, enrolment=found.view.enrolment, quiz=quiz)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return _back(found)


@idempotency_exempt  # each answer is saved again and again from the one rendered quiz form
@require_POST
@login_required
@vary_on_headers("HX-Request")
def answer_save(request: HttpRequest, slug: str, lesson_slug: str, pk: int, question_pk: int) -> HttpResponse:
    """Save one answer as it changes (htmx; the quiz form's own fields): a fragment saying it is
    saved, or why not (409 past the deadline)."""
    found = _open_quiz_lesson(request, slug, lesson_slug)
    attempt = _own_attempt(request, found, pk)
    item = next(
        (i for i in selectors_quizzes.attempt_view(attempt, attempts_used=0).items if i["id"] == question_pk), None
    )
    if item is None:
        raise Http404("No such question in this attempt.")
    status, text = 200, "Saved."
    try:
        quizzes.answer_save(
            user=request.user, attempt=attempt, question_id=question_pk, response=response_of(item, request.POST)
        )
    except ValidationError as exc:
        status, text = (409 if exc.code in {"past_deadline", "attempt_closed"} else 422), _errors(exc)
    if not request.htmx:
        (messages.success if status == 200 else messages.error)(request, text)
        return _back(found)
    context = {"question_id": question_pk, "text": text, "failed": status != 200}
    return render(request, "lms/quizzes/_saved.html", context, status=status)


@require_POST
@login_required
def attempt_submit(request: HttpRequest, slug: str, lesson_slug: str, pk: int) -> HttpResponse:
    """Submit: the form's answers are saved (while the deadline allows), then the attempt is
    graded. Past the deadline, it is graded with what was saved in time, and the page says so."""
    found = _open_quiz_lesson(request, slug, lesson_slug)
    attempt = _own_attempt(request, found, pk)
    if attempt.submitted_at is None and not quizzes.expired(attempt):
        for item in selectors_quizzes.attempt_view(attempt, attempts_used=0).items:
            response = response_of(item, request.POST)
            if response is None:
                continue
            try:
                quizzes.answer_save(user=request.user, attempt=attempt, question_id=item["id"], response=response)
            except ValidationError as exc:
                if exc.code != "bad_answer":
                    break  # the deadline passed while saving: grade what was saved in time
    try:
        graded = quizzes.attempt_submit(user=request.user, attempt=attempt)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return _back(found)
    if graded.timed_out:
        messages.error(request, f"{quizzes.time_up(graded)} Your attempt was graded with the answers saved in time.")
    elif graded.passed:
        messages.success(request, f"You passed with {graded.percent:g}%.")
    else:
        messages.info(request, f"You scored {graded.percent:g}%; the pass mark is {graded.quiz.pass_percent}%.")
    return _back(found)


# --- Who teaches the course ---------------------------------------------------------------------


def _managed_course(request: HttpRequest, pk: int) -> Course:
    course = selectors.course_get_by_pk_for_editor(user=request.user, pk=pk)
    if course is None:
        raise Http404("No such course among those you teach.")
    return course


def _managed_quiz_lesson(course: Course, lesson_pk: int) -> Lesson:
    lesson = Lesson.objects.filter(pk=lesson_pk, course=course, kind=Lesson.Kind.QUIZ).defer("body").first()
    if lesson is None:
        raise Http404("No such quiz lesson in this course.")
    lesson.course = course
    return lesson


def _bank_url(course: Course) -> str:
    return reverse("lms:quiz-bank", args=[course.pk])


@require_GET
@login_required
def question_bank(request: HttpRequest, pk: int) -> HttpResponse:
    """A course's question bank and its quiz lessons, with a form to add a question."""
    course = _managed_course(request, pk)
    context = {
        "course": course,
        "questions": selectors_quizzes.question_bank(course),
        "quiz_lessons": selectors_quizzes.quiz_lessons_of(course),
        "form": QuestionForm(),
        "tabs": manage.tabs(course, "quizzes"),
    }
    return render(request, "lms/quizzes/bank.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def question_edit(request: HttpRequest, pk: int, question_pk: int | None = None) -> HttpResponse:
    """Add a question to the bank (no ``question_pk``) or rewrite one."""
    course = _managed_course(request, pk)
    question = None
    if question_pk is not None:
        question = selectors_quizzes.question_get_for_editor(user=request.user, pk=question_pk)
        if question is None or question.course_id != course.pk:
            raise Http404("No such question in this course.")
    initial = QuestionForm.initial_of(question) if question else None
    form = QuestionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if question is None:
                quizzes.question_create(actor=request.user, course=course, data=form.to_input())
            else:
                quizzes.question_update(actor=request.user, question=question, data=form.to_input())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "The question is saved.")
            return redirect(_bank_url(course))
    status = 422 if form.is_bound else 200
    return render(
        request, "lms/quizzes/question_form.html", {"course": course, "question": question, "form": form}, status=status
    )


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_POST
@login_required
def question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    course = _managed_course(request, pk)
    question = selectors_quizzes.question_get_for_editor(user=request.user, pk=question_pk)
    if question is None or question.course_id != course.pk:
        raise Http404("No such question in this course.")
    try:
        quizzes.question_delete(actor=request.user, question=question)
        messages.success(request, "The question is deleted.")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect(_bank_url(course))


@require_http_methods(["GET", "POST"])
@login_required
def quiz_settings(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    """A quiz lesson's settings and its questions: each bank question given a position is in the
    quiz, in the order of the positions."""
    course = _managed_course(request, pk)
    lesson = _managed_quiz_lesson(course, lesson_pk)
    quiz = selectors_quizzes.quiz_of(lesson)
    bank = selectors_quizzes.question_bank(course)
    positions: dict[int, int] = {}
    if quiz is not None:
        positions = {item.question_id: i for i, item in enumerate(quiz.items.order_by("position", "pk"), start=1)}
    initial = None
    if quiz is not None:
        names = QuizSettingsForm.base_fields
        initial = {name: getattr(quiz, name) for name in names}
    form = QuizSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        positions = {qid: i for i, qid in enumerate(picked_questions(request.POST, bank), start=1)}
        if form.is_valid():
            try:
                quizzes.quiz_update(
                    actor=request.user, lesson=lesson, settings=form.to_settings(), question_ids=list(positions)
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "The quiz is saved.")
                return redirect(reverse("lms:quiz-settings", args=[course.pk, lesson.pk]))
    for question in bank:
        question.position = positions.get(question.pk, "")
    context = {"course": course, "lesson": lesson, "quiz": quiz, "form": form, "bank": bank}
    return render(request, "lms/quizzes/settings.html", context, status=422 if form.is_bound else 200)


@require_GET
@login_required
def quiz_statistics(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    """Per question of the quiz: answers, the share right, average points, the wrong answer given most."""
    course = _managed_course(request, pk)
    lesson = _managed_quiz_lesson(course, lesson_pk)
    quiz = selectors_quizzes.quiz_of(lesson)
    stats = selectors_quizzes.quiz_item_stats(quiz) if quiz is not None else []
    return render(
        request, "lms/quizzes/statistics.html", {"course": course, "lesson": lesson, "quiz": quiz, "stats": stats}
    )
