"""The LMS's cast: who is asking, for the permission matrix of every page, action and endpoint."""

from __future__ import annotations

import pytest

from apps.lms import reviews
from apps.lms.models import CourseInstructor
from tests.lms.factories import enrol, make_course


@pytest.fixture(autouse=True)
def _no_course_reviews():
    """Reviews live in the document store, which outlives each test's database transaction: a
    course and learner of one test may have the ids of another's."""
    reviews._reviews().delete_many({})
    yield
    reviews._reviews().delete_many({})


@pytest.fixture
def instructor(user_with_role):
    return user_with_role("instructor", display_name="Ines Instructor")


@pytest.fixture
def co_instructor(user_with_role):
    return user_with_role("instructor", display_name="Cora Coinstructor")


@pytest.fixture
def other_instructor(user_with_role):
    return user_with_role("instructor", display_name="Otis Otherinstructor")


@pytest.fixture
def learner(user_with_role):
    return user_with_role("student", display_name="Lea Learner")


@pytest.fixture
def outsider(user_with_role):
    return user_with_role("student", display_name="Nico Notenrolled")


@pytest.fixture
def admin(user_with_role):
    return user_with_role("admin", display_name="Ada Admin")


@pytest.fixture
def course(instructor, co_instructor):
    course = make_course(owner=instructor, title="Pottery for beginners", lessons=3)
    CourseInstructor.objects.create(course=course, user=co_instructor, granted_by=instructor)
    return course


@pytest.fixture
def enrolment(learner, course):
    return enrol(learner, course)


@pytest.fixture
def people(instructor, co_instructor, other_instructor, learner, outsider, admin, enrolment):
    """The LMS's permission matrix: the course's owner instructor, its co-instructor, another
    instructor, an enrolled learner, a learner not enrolled, an admin and an anonymous visitor."""
    return {
        "owner": instructor,
        "co_instructor": co_instructor,
        "other_instructor": other_instructor,
        "learner": learner,
        "outsider": outsider,
        "admin": admin,
        "anonymous": None,
    }
