""" "Instructor online": a course's landing page and its lessons show its learners each
instructor's presence badge (as the social network's settings allow), read in one batch lookup;
readers who are not enrolled (and anonymous visitors) see none, and the shared main column kept
for them (apps/lms/fragments.py) never carries a status."""

from __future__ import annotations

import pytest
from django.conf import settings

from apps.core.platform import presence
from apps.lms import fragments
from apps.lms.models import CourseInstructor
from apps.social.models import Follow, Profile
from tests.core.factories import UserFactory
from tests.lms.factories import enrol, lessons_of, make_course
from tests.social.factories import BlockFactory, ProfileFactory
from tests.social.presence_helpers import presence_lookups

pytestmark = pytest.mark.django_db

Audience = Profile.Presence


@pytest.fixture(autouse=True)
def _presence_forgotten() -> None:
    # The embedded store is presence's own local-memory cache, which the suite's clean slate does not empty.
    presence.reset_local()


def online(user):  # type: ignore[no-untyped-def]
    presence.service().heartbeat(user.pk, f"tab-{user.pk}")
    return user


def badge(user) -> str:  # type: ignore[no-untyped-def]
    return f'data-presence="{user.pk}"'


def course_page(client_for, user, course) -> str:  # type: ignore[no-untyped-def]
    response = client_for(user).get(course.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def lesson_page(client_for, user, course) -> str:  # type: ignore[no-untyped-def]
    response = client_for(user).get(lessons_of(course)[0].get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_an_enrolled_learner_sees_each_instructor_online_on_the_course_page(
    client_for, course, learner, enrolment, instructor, co_instructor
):
    online(instructor)

    body = course_page(client_for, learner, course)

    assert "Your instructors" in body
    assert badge(instructor) in body and "Online" in body
    assert badge(co_instructor) in body  # never seen: offline


def test_an_enrolled_learner_sees_the_instructors_on_each_lesson_too(
    client_for, course, learner, enrolment, instructor, co_instructor
):
    online(instructor)

    body = lesson_page(client_for, learner, course)

    assert badge(instructor) in body and badge(co_instructor) in body


@pytest.mark.parametrize("who", ["outsider", "anonymous", "owner", "other_instructor", "admin"])
def test_who_is_not_enrolled_sees_no_instructor_status(client_for, course, people, who, instructor, co_instructor):
    online(instructor)
    online(co_instructor)

    body = course_page(client_for, people[who], course)

    assert badge(instructor) not in body and badge(co_instructor) not in body


def test_the_shared_main_column_stays_the_same_for_every_reader(client_for, course, learner, enrolment, outsider):
    online(course.owner)
    course_page(client_for, learner, course)  # a learner's visit first: nothing of theirs may be kept

    body = course_page(client_for, outsider, course)

    assert "data-presence" not in str(fragments.course_shared(course).main)
    assert badge(course.owner) not in body


@pytest.mark.parametrize(
    ("audience", "follows_learner", "shown"),
    [
        (Audience.EVERYONE, False, True),
        (Audience.FOLLOWING, True, True),
        (Audience.FOLLOWING, False, False),
        (Audience.NOBODY, True, False),
    ],
)
def test_an_instructors_privacy_setting_applies(
    client_for, course, learner, enrolment, instructor, audience, follows_learner, shown
):
    ProfileFactory(user=online(instructor), presence_audience=audience)
    if follows_learner:
        Follow.objects.create(follower=instructor, followee=learner, state=Follow.State.ACCEPTED)

    assert (badge(instructor) in course_page(client_for, learner, course)) is shown
    assert (badge(instructor) in lesson_page(client_for, learner, course)) is shown


def test_a_block_hides_the_instructors_status(client_for, course, learner, enrolment, instructor, co_instructor):
    online(instructor)
    BlockFactory(blocker=instructor, blocked=learner)

    body = course_page(client_for, learner, course)

    assert badge(instructor) not in body
    assert badge(co_instructor) in body


def crowded_course(instructor, learner, co_instructors: int):  # type: ignore[no-untyped-def]
    """A course ``learner`` is enrolled in, taught by ``instructor`` and that many others (online)."""
    course = make_course(owner=online(instructor), lessons=3)
    others = [online(UserFactory(roles=["instructor"])) for _ in range(co_instructors)]
    for person in others:
        CourseInstructor.objects.create(course=course, user=person, granted_by=instructor)
    enrol(learner, course)
    return course, others


@pytest.mark.parametrize("page", ["course", "lesson"])
def test_many_instructors_cost_one_lookup_and_as_many_queries_as_one(
    client_for, learner, instructor, page, django_assert_max_num_queries
):
    def url(course) -> str:  # type: ignore[no-untyped-def]
        return course.get_absolute_url() if page == "course" else lessons_of(course)[0].get_absolute_url()

    client = client_for(learner)
    small, _ = crowded_course(instructor, learner, 1)
    big, others = crowded_course(instructor, learner, 6)
    client.get(url(small))  # both pages once: what they keep rendered is then kept for both
    client.get(url(big))
    with django_assert_max_num_queries(80) as few:
        client.get(url(small))

    with django_assert_max_num_queries(len(few.captured_queries)), presence_lookups() as counted:
        body = client.get(url(big)).content.decode()

    assert all(badge(person) in body for person in [instructor, *others])
    assert counted["reads"] == 1
    if settings.REDIS_URL:
        assert counted["round_trips"] == 1
