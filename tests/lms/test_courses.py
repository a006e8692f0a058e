"""Courses and their outline: drafts and publication through the engine, co-instructors, the
outline's order and the rules of a lesson."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.lms import selectors
from apps.lms.models import Course, Lesson, Section
from apps.lms.services import courses
from apps.lms.services.courses import CourseInput, LessonInput, LessonRules
from tests.lms.factories import lessons_of

pytestmark = pytest.mark.django_db


def _new_course(actor, **fields) -> Course:
    return courses.course_create(actor=actor, data=CourseInput(title="Wheel throwing", **fields))


def test_an_instructor_drafts_a_course_that_only_its_teachers_see(instructor, other_instructor, learner):
    course = _new_course(instructor, outcomes=["Centre clay", "", "Pull a wall"])
    assert not course.live and course.owner == instructor and course.slug == "wheel-throwing"
    assert courses.course_draft(course)["outcomes"] == ["Centre clay", "Pull a wall"]
    assert selectors.course_get_for_user(user=instructor, slug=course.slug) == course
    for user in (other_instructor, learner, None):
        assert selectors.course_get_for_user(user=user, slug=course.slug) is None


def test_only_instructors_create_courses(learner):
    with pytest.raises(PermissionDenied):
        _new_course(learner)
    assert not Course.objects.exists()


def test_a_course_is_published_once_it_has_a_lesson_and_revisions_wait_for_the_next_publication(instructor, learner):
    course = _new_course(instructor)
    with pytest.raises(ValidationError, match="Add a lesson"):
        courses.course_publish(actor=instructor, course=course)
    section = courses.section_create(actor=instructor, course=course, title="Centring")
    courses.lesson_create(actor=instructor, section=section, data=LessonInput(title="Cone up, cone down"))
    courses.course_publish(actor=instructor, course=course)
    course.refresh_from_db()
    assert course.live
    courses.course_update(
        actor=instructor,
        course=course,
        data=CourseInput(title="Wheel throwing, the basics"),
        based_on=course.latest_revision,
    )
    course.refresh_from_db()
    assert course.title == "Wheel throwing" and course.has_unpublished_changes
    assert selectors.course_get_for_user(user=learner, slug=course.slug) == course


def test_a_stale_course_draft_is_refused(instructor, co_instructor, course):
    from apps.core.publishing.services import DraftConflict

    courses.course_update(actor=co_instructor, course=course, data=CourseInput(title="Theirs"), based_on=0)
    with pytest.raises(DraftConflict):
        courses.course_update(actor=instructor, course=course, data=CourseInput(title="Mine"), based_on=0)


def test_co_instructors_edit_but_only_the_owner_grants(course, instructor, co_instructor, other_instructor, learner):
    courses.course_settings_update(actor=co_instructor, course=course, pass_mark=70)
    with pytest.raises(PermissionDenied):
        courses.instructor_grant(actor=co_instructor, course=course, user=other_instructor)
    with pytest.raises(ValidationError, match="Only instructors"):
        courses.instructor_grant(actor=instructor, course=course, user=learner)
    courses.instructor_grant(actor=instructor, course=course, user=other_instructor)
    fresh = Course.objects.get(pk=course.pk)
    courses.section_create(actor=other_instructor, course=fresh, title="Glazes")
    courses.instructor_revoke(actor=instructor, course=fresh, user=other_instructor)
    with pytest.raises(PermissionDenied):
        courses.section_create(actor=other_instructor, course=Course.objects.get(pk=course.pk), title="More")


def test_the_outline_is_reordered_whole_and_a_stale_order_is_refused(course, instructor):
    first, second, third = lessons_of(course)
    part_one = course.sections.get()
    part_two = courses.section_create(actor=instructor, course=course, title="Part 2")
    courses.outline_reorder(
        actor=instructor, course=course, outline=[(part_two.pk, [third.pk]), (part_one.pk, [second.pk, first.pk])]
    )
    order = [(part.section.title, [lesson.title for lesson in part.lessons]) for part in selectors.outline(course)]
    assert order == [("Part 2", ["Lesson 1.3"]), ("Part 1", ["Lesson 1.2", "Lesson 1.1"])]
    with pytest.raises(ValidationError, match="outline changed"):
        courses.outline_reorder(actor=instructor, course=course, outline=[(part_one.pk, [first.pk, second.pk])])
    assert [lesson.title for lesson in selectors.lessons_in_order(selectors.outline(course))] == [
        "Lesson 1.3",
        "Lesson 1.2",
        "Lesson 1.1",
    ]


def test_learners_see_live_lessons_and_teachers_see_drafts_too(course, instructor):
    section = course.sections.get()
    draft = courses.lesson_create(actor=instructor, section=section, data=LessonInput(title="Trimming"))
    assert draft not in selectors.lessons_in_order(selectors.outline(course))
    assert draft in selectors.lessons_in_order(selectors.outline(course, with_drafts=True))
    courses.lesson_publish(actor=instructor, lesson=draft)
    assert Lesson.objects.get(pk=draft.pk) in selectors.lessons_in_order(selectors.outline(course))


def test_an_outline_costs_two_queries_however_long(course, instructor, django_assert_num_queries):
    for n in range(3):
        section = Section.objects.create(course=course, title=f"More {n}", position=10 + n)
        for m in range(4):
            Lesson.objects.create(course=course, section=section, title=f"L{n}{m}", slug=f"l{n}{m}", live=True)
    with django_assert_num_queries(2):
        parts = selectors.outline(course)
    assert sum(len(part.lessons) for part in parts) == 15


def test_a_lessons_prerequisite_must_come_before_it(course, instructor):
    first, second, third = lessons_of(course)
    with pytest.raises(ValidationError, match="earlier lesson"):
        courses.lesson_set_rules(actor=instructor, lesson=first, rules=LessonRules(prerequisite_id=third.pk))
    courses.lesson_set_rules(
        actor=instructor, lesson=third, rules=LessonRules(prerequisite_id=first.pk, opens_after_days=3)
    )
    third.refresh_from_db()
    assert third.prerequisite_id == first.pk and third.opens_after_days == 3


def test_an_empty_section_is_deleted_and_one_with_lessons_is_not(course, instructor):
    with pytest.raises(ValidationError, match="Move or delete"):
        courses.section_delete(actor=instructor, section=course.sections.get())
    empty = courses.section_create(actor=instructor, course=course, title="Later")
    courses.section_delete(actor=instructor, section=empty)
    assert course.sections.count() == 1


def test_lesson_bodies_are_cleaned_like_every_body(course, instructor):
    section = course.sections.get()
    body = [{"type": "rich_text", "html": "<p>Hi<script>alert(1)</script></p>"}]
    lesson = courses.lesson_create(actor=instructor, section=section, data=LessonInput(title="Clean", body=body))
    courses.lesson_publish(actor=instructor, lesson=lesson)
    lesson.refresh_from_db()
    assert "script" not in lesson.body[0]["html"]


def test_a_course_cannot_take_an_address_of_the_course_pages(instructor):
    assert courses.course_create(actor=instructor, data=CourseInput(title="Manage")).slug == "manage-2"
    with pytest.raises(ValidationError, match="address of the course pages"):
        courses.course_create(actor=instructor, data=CourseInput(title="Mine", slug="mine"))
