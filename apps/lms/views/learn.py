"""What learners and visitors use: the catalogue, a course's landing page, enrolment, a lesson,
marking it done and a video's progress, and "my learning".

A locked lesson answers 403 with its reason and when it opens (the landing page lists the same
reasons beside each lesson); a draft course or lesson is shown only to who teaches it, marked and
never cached nor indexed. Visitors without cookies get the catalogue, landing pages and free previews from
the page cache (namespace "lms", cleared by every write of a course or its outline).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.core.comments import comment_thread_for
from apps.core.platform import cache_public_page, idempotency_exempt, presence
from apps.core.publishing import as_draft
from apps.lms import fragments, permissions, reviews, selectors
from apps.lms.forms import SubmissionForm
from apps.lms.models import Course, Lesson
from apps.lms.selectors import NAMESPACE
from apps.lms.selectors_assignments import assignment_view
from apps.lms.services import invitations, learning, selling
from apps.lms.views import quizzes as quiz_views

public = cache_public_page(NAMESPACE)
LIST_VARY = ("HX-Request", "HX-History-Restore-Request", "Cookie")


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_GET
@public
@vary_on_headers(*LIST_VARY)
def catalogue(request: HttpRequest) -> HttpResponse:
    """Live courses, filtered by subject and level and searched by words; htmx swaps the results."""
    filters = {
        "category": request.GET.get("category", "")[:80],
        "level": request.GET.get("level", "") if request.GET.get("level") in Course.Level.values else "",
        "query": " ".join(request.GET.get("q", "").split())[:200],
    }
    page = Paginator(selectors.course_list_live(**filters), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    context = {
        "page": page,
        "courses": page.object_list,
        "filters": filters,
        "query": query,
        "categories": selectors.category_list(),
        "levels": Course.Level.choices,
        "indexable": not query,
    }
    template = (
        "lms/catalogue.html#results"
        if request.htmx and not request.htmx.history_restore_request
        else "lms/catalogue.html"
    )
    return render(request, template, context)


def _course_or_404(request: HttpRequest, slug: str) -> Course:
    course = selectors.course_get_for_user(user=request.user, slug=slug)
    if course is None:
        raise Http404("No such course.")
    return course


ANNOUNCEMENTS_SHOWN = 3  # the newest on a course's page; the notification centre keeps the rest


@require_GET
@public
@vary_on_headers("Cookie")
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A course's landing page: what it teaches, its syllabus, instructors, price and the call to
    enrol (or to continue, for its learners)."""
    course = _course_or_404(request, slug)
    user = request.user
    teaches = permissions.can_edit_course(user, course)
    if course.live and not teaches and selectors.enrolment_get(user=user, course=course) is None:
        # What every such reader sees: the main column is kept rendered (apps/lms/fragments.py).
        shared = fragments.course_shared(course)
        context = {"course": course, "shared": shared, "lesson_count": shared.lesson_count, "minutes": shared.minutes}
        if not user.is_authenticated:
            context["visitor_aside"] = shared.visitor_aside
    else:
        context = _member_context(request, course, selectors.course_view(course, user=user))
    if not course.is_free and course.live and not teaches:
        # The call to buy: the course's cohorts with their seats (one query, paid courses only).
        context["cohorts"] = selectors.cohorts_on_offer(course)
    response = render(request, "lms/course_detail.html", context)
    return response if course.live else as_draft(response)


RATING_CHOICES = [
    (5, "5 stars: excellent"),
    (4, "4 stars: good"),
    (3, "3 stars: fair"),
    (2, "2 stars: poor"),
    (1, "1 star: bad"),
]


def _review_context(user: Any, course: Course, view: selectors.CourseView) -> dict[str, Any]:
    """The review form for who may review (their earlier review in it), and the hide forms for staff."""
    refusal = permissions.review_refusal(user, course, enrolment=view.enrolment, lessons_done=view.progress.done)
    return {
        "may_review": refusal is None,
        "my_review": reviews.review_of(user=user, course=course) if refusal is None else None,
        "rating_choices": RATING_CHOICES,
        "can_hide": permissions.can_hide_review(user),
    }


def _instructor_presence(user: Any, view: selectors.CourseView, instructors: list[Any]) -> dict[str, Any]:
    """ "Instructor online", for the course's learners: the instructors' statuses as ``user`` may
    see them (the social network's settings apply), in one batch lookup. Only for member pages:
    a shared fragment (fragments.py) is the same for every reader and never carries a status."""
    if not view.enrolled:
        return {}
    return {"instructors": instructors, "instructor_presence": presence.statuses(user, instructors)}


def _member_context(request: HttpRequest, course: Course, view: selectors.CourseView) -> dict[str, Any]:
    """The landing page as its learners and teachers see it: the main column rendered for them,
    their certificate, the review form and the announcements (each as the policy allows)."""
    user = request.user
    context = fragments.course_main_context(course, view, request=request)
    context["certificate"] = selectors.certificate_of(view.enrolment) if view.enrolled else None
    context.update(_instructor_presence(user, view, context["instructors"]))
    context.update(_review_context(user, course, view))
    if permissions.can_read_announcements(user, course, enrolment=view.enrolment):
        context["announcements"] = selectors.announcements_of(course, limit=ANNOUNCEMENTS_SHOWN)
        context["can_announce"] = permissions.can_announce(user, course)
    return context


@require_POST
@login_required
def course_review(request: HttpRequest, slug: str) -> HttpResponse:
    """Write (or edit) one's review of the course; refusals and bad input back on its page."""
    course = _course_or_404(request, slug)
    view = selectors.course_view(course, user=request.user)
    try:
        reviews.review_save(
            user=request.user,
            course=course,
            enrolment=view.enrolment,
            lessons_done=view.progress.done,
            rating=request.POST.get("rating"),
            text=request.POST.get("text", ""),
        )
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
        return redirect(course.get_absolute_url())
    except ValidationError as exc:
        context = {**_member_context(request, course, view), "review_errors": exc.messages}
        return render(request, "lms/course_detail.html", context, status=400)
    messages.success(request, "Thank you: your review is on the course's page.")
    return redirect(course.get_absolute_url() + "#reviews")


@require_POST
@login_required
def review_hide(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """Staff hide a review from the course's page, saying why."""
    course = _course_or_404(request, slug)
    if not permissions.can_hide_review(request.user):
        raise PermissionDenied("Staff hide reviews.")
    try:
        reviews.review_hide(actor=request.user, course=course, user_id=user_id, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "The review is hidden from the course's page.")
    return redirect(course.get_absolute_url() + "#reviews")


@require_POST
def course_buy(request: HttpRequest, slug: str) -> HttpResponse:
    """Buy a place (a seat of the chosen ``cohort`` when the course has cohorts): it goes into the
    shop's cart, which anyone may fill, and the buyer checks out there."""
    course = _course_or_404(request, slug)
    cohort = None
    if "cohort" in request.POST:
        cohort = selectors.cohort_of(course, request.POST["cohort"])
        if cohort is None:
            raise Http404("No such cohort.")
    try:
        message = selling.place_add_to_cart(user=request.user, session=request.session, course=course, cohort=cohort)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(course.get_absolute_url())
    messages.success(request, message)
    return redirect("commerce:cart")


@require_POST
@login_required
def course_enrol(request: HttpRequest, slug: str) -> HttpResponse:
    """One click: a free place in the course, then its first open lesson."""
    course = _course_or_404(request, slug)
    try:
        learning.course_enrol(user=request.user, course=course)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(course.get_absolute_url())
    messages.success(request, f"You are enrolled in “{course.title}”.")
    view = selectors.course_view(course, user=request.user)
    return redirect(view.next.get_absolute_url() if view.next else course.get_absolute_url())


def _lesson_or_404(request: HttpRequest, slug: str, lesson_slug: str) -> selectors.LessonView:
    course = _course_or_404(request, slug)
    found = selectors.lesson_view(selectors.course_view(course, user=request.user), user=request.user, slug=lesson_slug)
    if found is None:
        raise Http404("No such lesson.")
    return found


def _lesson_context(found: selectors.LessonView) -> dict[str, Any]:
    return {"found": found, "view": found.view, "course": found.view.course, "lesson": found.lesson}


@require_GET
@public  # a free preview, for visitors without cookies; a locked (403) or draft lesson is never stored
@vary_on_headers("Cookie")
def lesson_detail(request: HttpRequest, slug: str, lesson_slug: str) -> HttpResponse:
    """A lesson: its content, the course's outline beside it, "Mark as done" and the way on. A
    lesson the reader may not open yet answers 403 with why and when it opens."""
    course = _course_or_404(request, slug)
    user = request.user
    if course.live and not permissions.can_edit_course(user, course):
        lesson = selectors.lesson_get(course=course, slug=lesson_slug)
        if lesson is None:
            raise Http404("No such lesson.")
        if selectors.enrolment_get(user=user, course=course) is None:
            # A free preview reads the same for every such reader: kept rendered (fragments.py).
            shared = fragments.lesson_shared(course, lesson)
            if shared is not None:
                return render(request, "lms/lesson_detail.html", {"course": course, "lesson": lesson, "shared": shared})
    found = _lesson_or_404(request, slug, lesson_slug)
    context = _lesson_context(found)
    if not found.allowed:
        return render(request, "lms/lesson_locked.html", context, status=403)
    lesson, course = found.lesson, found.view.course
    context.update(_instructor_presence(user, found.view, selectors.instructors_of(course)))
    # The lesson's questions and answers, for its course's people (apps/lms/comments.py).
    context["comments"] = comment_thread_for(target=lesson, viewer=request.user)
    context["body"] = fragments.body_html(
        f"lesson:{lesson.pk}", lesson.body, live=lesson.live and course.live, request=request
    )
    if lesson.kind == lesson.Kind.ASSIGNMENT:
        # The learner's due date, tries and feedback (apps/lms/selectors_assignments.py).
        context["assignment"] = assignment_view(lesson, user=user, enrolment=found.view.enrolment, lock=found.lock)
        context["submit_form"] = (
            SubmissionForm(assignment=context["assignment"].assignment) if context["assignment"] else None
        )
    if lesson.kind == Lesson.Kind.QUIZ:  # the quiz: its rules, the learner's attempt or results
        context.update(quiz_views.quiz_context(found))
    response = render(request, "lms/lesson_detail.html", context)
    return response if found.lesson.live and found.view.course.live else as_draft(response)


@require_GET
def lesson_attachment(request: HttpRequest, slug: str, lesson_slug: str, pk: int) -> HttpResponse:
    """A lesson's file, for who may open the lesson (the same policy as its page: a locked
    lesson's files answer 403 with why) or with a link the API signed for such a reader; streamed
    from storage and never cached by others."""
    token = request.GET.get("token", "")
    if token:  # a link the API signed for someone who may open the lesson (clients have no session)
        course = _course_or_404(request, slug)
        lesson = selectors.lesson_get(course=course, slug=lesson_slug, with_drafts=True)
        attachment = selectors.attachment_get(lesson=lesson, pk=pk) if lesson is not None else None
        if attachment is None or not selectors.attachment_token_valid(token, attachment):
            raise Http404("No such file, or the link expired.")
    else:
        found = _lesson_or_404(request, slug, lesson_slug)
        if not found.allowed:
            return render(request, "lms/lesson_locked.html", _lesson_context(found), status=403)
        attachment = selectors.attachment_get(lesson=found.lesson, pk=pk)
        if attachment is None:
            raise Http404("No such file.")
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@login_required
@vary_on_headers("HX-Request")
def lesson_complete(request: HttpRequest, slug: str, lesson_slug: str) -> HttpResponse:
    """Mark a lesson as done; then on to the next one (htmx: the button's place says it is done)."""
    found = _lesson_or_404(request, slug, lesson_slug)
    context = _lesson_context(found)
    try:
        enrolment = learning.lesson_complete(user=request.user, enrolment=found.view.enrolment, lesson=found.lesson)
    except ValidationError as exc:  # a lesson locked meanwhile; PermissionDenied answers 403
        text = _errors(exc)
        if request.htmx:
            return render(request, "lms/lesson_detail.html#done", {**context, "error": text}, status=422)
        messages.error(request, text)
        return redirect(found.lesson.get_absolute_url())
    certificate = selectors.certificate_of(enrolment)  # issued with the course's completion
    if request.htmx:
        context.update(completed=True, course_done=enrolment.completed_at is not None, certificate=certificate)
        return render(request, "lms/lesson_detail.html#done", context)
    if enrolment.completed_at is not None:
        earned = " and earned its certificate" if certificate is not None and certificate.is_valid else ""
        messages.success(request, f"You completed “{found.view.course.title}”{earned}.")
        return redirect(found.view.course.get_absolute_url())
    following = found.following
    return redirect(following.get_absolute_url() if following else found.view.course.get_absolute_url())


@idempotency_exempt  # a player's heartbeat, sent every few seconds: each report replaces the last
@require_POST
def lesson_progress(request: HttpRequest, slug: str, lesson_slug: str) -> HttpResponse:
    """Where a video lesson's learner is (``position``, ``watched`` percent); JSON."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Sign in to record your progress."}, status=401)
    # A heartbeat: the course's row, the lesson and the enrolment alone, not the outline and
    # teachers a page reads.
    course = selectors.course_get_for_user(user=request.user, slug=slug, teachers=False)
    if course is None:
        raise Http404("No such course.")
    lesson = selectors.lesson_get(
        course=course, slug=lesson_slug, with_drafts=permissions.can_edit_course(request.user, course)
    )
    if lesson is None:
        raise Http404("No such lesson.")
    enrolment = selectors.enrolment_get(user=request.user, course=course)
    try:
        progressed = learning.lesson_progress_record(
            user=request.user,
            enrolment=enrolment,
            lesson=lesson,
            position_seconds=request.POST.get("position", 0),
            watched_percent=request.POST.get("watched"),
        )
    except PermissionDenied as exc:
        return JsonResponse({"detail": str(exc)}, status=403)
    except ValidationError as exc:
        return JsonResponse({"detail": _errors(exc)}, status=422)
    return JsonResponse({"completed": progressed.completed})


@require_GET
@login_required
def course_continue(request: HttpRequest, slug: str) -> HttpResponse:
    """Where "Continue" leads: the next lesson to study, else the course's page."""
    view = selectors.course_view(_course_or_404(request, slug), user=request.user)
    return redirect(view.next.get_absolute_url() if view.next else view.course.get_absolute_url())


@require_GET
@login_required
def my_learning(request: HttpRequest) -> HttpResponse:
    """The learner's courses with their progress, most recently studied first, each with
    "Continue" to where they left off; then their certificates."""
    context = {"rows": selectors.my_learning(request.user), "certificates": selectors.certificates_of(request.user)}
    return render(request, "lms/my_learning.html", context)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's link: a visitor signs in (or signs up) first and comes back here; a signed-in
    reader sees the course and accepts it (POST). A bad or expired link is a 404 page saying so."""
    invitation = invitations.invitation_from_token(token)
    if invitation is None:
        return render(request, "lms/invitation_accept.html", {"invalid": True}, status=404)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        try:
            invitations.invitation_accept(user=request.user, invitation=invitation)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect(invitation.course.get_absolute_url())
        messages.success(request, f"You are enrolled in “{invitation.course.title}”.")
        return redirect(invitation.course.get_absolute_url())
    context = {"invitation": invitation, "course": invitation.course, "token": token}
    return render(request, "lms/invitation_accept.html", context)
