"""The course editor's outline in a real browser: an instructor reorders lessons with the
keyboard (Move up / Move down, announced in the status region) and by dragging a handle
(SortableJS), across sections; each order is saved whole and is what the database holds.
Then they open a dripped lesson for one learner on the learners page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from apps.lms.models import Lesson, LessonOpening, Section
from tests.browser.test_accessibility import _assert_no_serious_violation
from tests.core.factories import UserFactory
from tests.lms.factories import enrol, make_course

pytestmark = pytest.mark.browser
PASSWORD = "Correct-Horse-42!"
# Screenshots for reviewers (CI keeps var/ as an artefact; nothing here is committed).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


def sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile("/dashboard/"))


def saved_order(course) -> list[list[str]]:
    return [
        list(section.lessons.order_by("position", "pk").values_list("title", flat=True))
        for section in Section.objects.filter(course=course).order_by("position", "pk")
    ]


def shown_order(page: Page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "[data-sections] > [data-section-id]",
        "sections => sections.map(s => Array.from(s.querySelectorAll('[data-lesson-id]')).map(l => l.dataset.title))",
    )


def test_an_instructor_reorders_the_outline_by_keyboard_and_by_drag(open_page):
    instructor = UserFactory(email="teacher@example.com", password=PASSWORD, roles=["instructor"])
    course = make_course(owner=instructor, title="Pottery", lessons=2, sections=2)
    page = open_page(viewport={"width": 1280, "height": 1600})  # the drag's start and end both in view
    sign_in(page, "teacher@example.com")
    page.goto(f"/courses/manage/{course.pk}/outline/")
    status = page.locator("#outline-status")
    assert page.evaluate("Sortable.version") == "1.15.7"  # the vendored, pinned SortableJS (static/vendor/README.md)

    # Keyboard: focus "Move down" of Lesson 1.1 and press Enter, twice (the second crosses into Part 2).
    button = page.get_by_role("button", name="Move down Lesson 1.1", exact=True)
    button.focus()
    page.keyboard.press("Enter")
    expect(status).to_contain_text("Moved “Lesson 1.1” down, to position 2 of 2 in “Part 1”. The new order is saved.")
    assert saved_order(course) == [["Lesson 1.2", "Lesson 1.1"], ["Lesson 2.1", "Lesson 2.2"]]
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(status).to_contain_text("position 1 of 3 in “Part 2”")
    assert saved_order(course) == [["Lesson 1.2"], ["Lesson 1.1", "Lesson 2.1", "Lesson 2.2"]]

    # Drag: Lesson 2.2's handle onto Lesson 1.2 (Part 1's only lesson).
    handle = page.locator("[data-title='Lesson 2.2'] .outline-lesson__handle")
    target = page.locator("[data-title='Lesson 1.2']")
    start, goal = handle.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + 5, start["y"] - 5, steps=5)
    page.mouse.move(goal["x"] + 20, goal["y"] + 4, steps=20)
    page.mouse.up()
    expect(status).to_contain_text("Moved “Lesson 2.2”")
    expect(status).to_contain_text("The new order is saved.")
    shown = shown_order(page)
    assert sorted(shown[0]) == ["Lesson 1.2", "Lesson 2.2"] and shown[1] == ["Lesson 1.1", "Lesson 2.1"]
    assert saved_order(course) == shown

    # The page again, from the server: the order it shows is the saved one.
    page.reload()
    assert shown_order(page) == saved_order(course)
    page.screenshot(path=str(SCREENSHOTS / "lms-outline.png"), full_page=True)
    _assert_no_serious_violation(page, "the course outline")
    page.goto(f"/courses/manage/{course.pk}/")
    page.screenshot(path=str(SCREENSHOTS / "lms-course-settings.png"), full_page=True)
    _assert_no_serious_violation(page, "the course settings")
    lesson = Lesson.objects.filter(course=course).first()
    page.goto(f"/courses/manage/{course.pk}/lessons/{lesson.pk}/")
    _assert_no_serious_violation(page, "the lesson editor")
    page.goto("/courses/manage/")
    _assert_no_serious_violation(page, "the course list")


def test_a_stale_outline_is_refused_and_reloaded(open_page):
    instructor = UserFactory(email="stale@example.com", password=PASSWORD, roles=["instructor"])
    course = make_course(owner=instructor, title="Kilns", lessons=2, sections=1)
    page = open_page(expected_failures=(f"/courses/manage/{course.pk}/outline/order/",))
    sign_in(page, "stale@example.com")
    page.goto(f"/courses/manage/{course.pk}/outline/")
    section = Section.objects.get(course=course)
    Lesson.objects.create(course=course, section=section, title="Added meanwhile", slug="added", position=3)
    page.get_by_role("button", name="Move down Lesson 1.1", exact=True).click()
    expect(page.locator("#outline-status")).to_contain_text("The outline changed since you opened it")
    expect(page.locator("[data-title='Added meanwhile']")).to_be_visible()
    assert saved_order(course) == [["Lesson 1.1", "Lesson 1.2", "Added meanwhile"]]


def test_an_instructor_opens_a_dripped_lesson_for_one_learner(open_page):
    instructor = UserFactory(email="drip@example.com", password=PASSWORD, roles=["instructor"])
    learner = UserFactory(email="learner@example.com", display_name="Lea Learner", roles=["student"])
    course = make_course(owner=instructor, title="Glazes", lessons=2)
    dripped = Lesson.objects.filter(course=course).order_by("position").last()
    Lesson.objects.filter(pk=dripped.pk).update(opens_after_days=7)
    enrolment = enrol(learner, course)
    page = open_page()
    sign_in(page, "drip@example.com")
    page.goto(f"/courses/manage/{course.pk}/learners/")
    page.get_by_role("link", name="Locked lessons of Lea Learner").click()
    row = page.locator(f"tr[data-lesson-id='{dripped.pk}']")
    expect(row).to_contain_text("Locked")
    row.get_by_role("button", name=re.compile("Open now for this learner")).click()
    expect(page.get_by_text(f"“{dripped.title}” is open now for Lea Learner.")).to_be_visible()
    expect(row).to_contain_text("Open")
    _assert_no_serious_violation(page, "a learner's drip")
    assert LessonOpening.objects.filter(enrolment=enrolment, lesson=dripped, opens_at=None).exists()
