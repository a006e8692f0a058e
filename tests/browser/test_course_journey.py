"""A learner's whole journey through a paid course in a real browser (issue 14's acceptance 3):
Stu finds the course in the catalogue, buys it through the shop's checkout with the test
provider, lands in the course, watches its video to the end (the progress rises), passes its
quiz, hands in its assignment, finds the last lesson locked by drip until the instructor opens it
for them, finishes, downloads the certificate, and its public page confirms it. The instructor
sees Stu in the grading queue (and grades the assignment there) and on their home's funnel."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from apps.lms import video as videos
from apps.lms.models import Certificate, Enrolment, Lesson
from apps.lms.services import media
from tests.browser.test_accessibility import _assert_no_serious_violation
from tests.browser.test_block_images import _daphne  # noqa: F401 (this module's server: storage on S3)
from tests.browser.test_comments import signed_in
from tests.commerce.shopping import save_address
from tests.core.factories import UserFactory
from tests.lms.factories import lessons_of, make_assignment, make_question, paid_course
from tests.utils import wait_until

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


def _course(instructor):  # type: ignore[no-untyped-def]
    """Glazes and firing, 30 EUR: a video, a quiz, an assignment and a lesson a week after enrolling."""
    from apps.lms.services import quizzes

    course = paid_course(owner=instructor, title="Glazes and firing", price="30.00", lessons=4)
    film, quiz, homework, later = lessons_of(course)
    Lesson.objects.filter(pk=film.pk).update(kind=Lesson.Kind.VIDEO, title="Watch a glaze firing")
    film.refresh_from_db()
    clip = SimpleUploadedFile("firing.webm", videos.demo_video(title="Firing", seconds=4), "video/webm")
    media.lesson_video_set(actor=instructor, lesson=film, file=clip)
    Lesson.objects.filter(pk=quiz.pk).update(kind=Lesson.Kind.QUIZ, title="Check your glaze knowledge")
    question = make_question(
        course, "single", prompt="Which cone do mid-fire glazes mature at?", choices=["Cone 04", "Cone 6"]
    )
    quizzes.quiz_update(
        actor=instructor,
        lesson=Lesson.objects.get(pk=quiz.pk),
        settings=quizzes.QuizSettings(attempts_allowed=3, pass_percent=60),
        question_ids=[question.pk],
    )
    make_assignment(course, lesson=homework)
    Lesson.objects.filter(pk=homework.pk).update(title="Your test tiles")
    Lesson.objects.filter(pk=later.pk).update(title="Reading the kiln log", opens_after_days=7)
    return course


def _progress(page: Page) -> str:
    return page.locator(".learn-lesson__aside progress").get_attribute("value") or ""


def test_a_student_buys_a_course_learns_and_earns_a_certificate(open_page, live_server_url, celery_worker):
    instructor = UserFactory(display_name="Ines Instructor", roles=["instructor"])
    student = UserFactory(display_name="Stu Student", roles=["student"])
    save_address(student)  # a returning customer's billing address
    course = _course(instructor)
    film, quiz, homework, later = lessons_of(course)

    # Finds the course in the catalogue and buys it through the shop's checkout.
    # Its last lesson answers 403 while locked: the one failed load this page expects.
    page = signed_in(open_page, live_server_url, student, expected_failures=(later.get_absolute_url(),))
    page.goto("/courses/")
    page.get_by_role("link", name="Glazes and firing").first.click()
    expect(page.get_by_role("heading", name="Glazes and firing", level=1)).to_be_visible()
    page.get_by_role("button", name="Buy for 30.00 EUR").click()
    expect(page).to_have_url(re.compile(r"/shop/cart/$"))
    page.get_by_role("button", name="Check out").click()
    page.get_by_role("button", name="Place order and pay").click()
    expect(page.get_by_role("heading", name="Test payment")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name=re.compile("Thank you: order .* is confirmed"))).to_be_visible()
    # The worker fulfils the paid order (commerce.order_paid, delivered to the LMS).
    assert wait_until(lambda: Enrolment.objects.filter(user=student, course=course, revoked_at=None).exists())
    page.get_by_role("link", name="Go to Glazes and firing").click()

    # Lands in the course's first lesson and watches its video to the end: the progress rises.
    expect(page.get_by_role("heading", name="Watch a glaze firing", level=1)).to_be_visible()
    assert _progress(page) == "0"
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; v.playbackRate = 2; v.play(); }")
    expect(page.get_by_text("You watched this lesson.")).to_be_visible(timeout=20_000)
    page.reload()
    assert _progress(page) == "1"
    _assert_no_serious_violation(page, "a video lesson")

    # Passes the quiz.
    page.get_by_role("link", name=re.compile("Check your glaze knowledge")).first.click()
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_label("Cone 6").check()
    page.get_by_role("button", name="Submit your answers").click()
    expect(page.locator("#quiz").get_by_text("Passed").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "lms-quiz-passed.png"), full_page=True)

    # Hands the assignment in.
    page.goto(homework.get_absolute_url())
    page.get_by_label("Your answer").fill("Twelve tiles, cone 6, a slow cool: the celadon crazed on two.")
    page.get_by_role("button", name="Hand it in").click()
    expect(page.get_by_text("Handed in: your instructors have been told.")).to_be_visible()

    # The last lesson opens a week after enrolling: locked, and the page says why.
    response = page.goto(later.get_absolute_url())
    assert response is not None and response.status == 403
    expect(page.get_by_text(re.compile("opens", re.I)).first).to_be_visible()

    # The instructor sees Stu waiting for a grade and grades the tiles, then opens the lesson.
    teacher = signed_in(open_page, live_server_url, instructor)
    teacher.goto("/courses/manage/grading/")
    row = teacher.get_by_role("row").filter(has_text="Stu Student")
    expect(row).to_contain_text("Your test tiles")
    row.get_by_role("link", name="Grade").click()
    teacher.get_by_label(re.compile(r"Points \(out of 100")).fill("85")
    teacher.get_by_label("Feedback").fill("Good notes on the cooling.")
    teacher.get_by_role("button", name="Save the grade").click()
    expect(teacher.get_by_text("Graded Stu Student's submission.")).to_be_visible()
    teacher.goto(f"/courses/manage/{course.pk}/learners/")
    teacher.get_by_role("link", name="Locked lessons of Stu Student").click()
    teacher.locator(f"tr[data-lesson-id='{later.pk}']").get_by_role(
        "button", name=re.compile("Open now for this learner")
    ).click()
    expect(teacher.get_by_text(f"“{later.title}” is open now for Stu Student.")).to_be_visible()

    # Stu finishes the course and earns the certificate.
    page.goto(later.get_absolute_url())
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("You completed the course.")).to_be_visible()
    page.get_by_role("link", name="See your certificate").click()
    certificate = Certificate.objects.get(user=student, course=course)
    expect(page).to_have_url(re.compile(f"/certificates/{certificate.uuid}/$"))
    pdf = page.request.get(page.get_by_role("link", name="Download the PDF").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF-")
    page.screenshot(path=str(SCREENSHOTS / "lms-certificate.png"), full_page=True)

    # Anyone holding the link can verify it.
    visitor = open_page()
    visitor.goto(certificate.get_absolute_url())
    expect(visitor.get_by_text("Valid", exact=True)).to_be_visible()
    expect(visitor.get_by_text("Stu Student").first).to_be_visible()
    _assert_no_serious_violation(visitor, "a certificate's public page")

    # The instructor's home: the course's funnel counts Stu through every lesson.
    teacher.goto("/dashboard/instructor/")
    funnel = teacher.locator(f"section[aria-labelledby='funnel-{course.pk}']")
    expect(funnel).to_contain_text("Glazes and firing (1 learner)")
    expect(funnel).to_contain_text("Reading the kiln log")
    teacher.screenshot(path=str(SCREENSHOTS / "lms-instructor-home.png"), full_page=True)
