"""Announcements over the API: a course's class reads them, who teaches it posts them (bad
input 400, a draft 409, nothing written)."""

from __future__ import annotations

import pytest

from apps.lms.models import Announcement
from apps.lms.services import announcements
from tests.lms.api.conftest import API, error_of, matrix
from tests.lms.factories import make_course

pytestmark = pytest.mark.django_db


def _post(course) -> Announcement:
    return announcements.announcement_post(actor=course.owner, course=course, title="Kiln day moved", body="Friday.")


def test_the_api_lists_a_courses_announcements_to_its_class(api_as, people, course):
    _post(course)
    url = f"{API}courses/{course.slug}/announcements/"
    assert matrix(api_as, people, "get", url) == {
        "owner": 200,
        "co_instructor": 200,
        "other_instructor": 403,
        "learner": 200,
        "outsider": 403,
        "admin": 200,
        "anonymous": 401,
    }
    (item,) = api_as(people["learner"]).get(url).json()["results"]
    assert item["title"] == "Kiln day moved" and item["author"] == course.owner.get_short_name()


def test_the_api_posts_for_who_teaches_and_refuses_the_rest(api_as, people, course):
    url = f"{API}manage/courses/{course.pk}/announcements/"
    statuses = matrix(api_as, people, "post", url, {"title": "Hi", "body": "Welcome."})
    assert statuses == {
        "owner": 201,
        "co_instructor": 201,
        "other_instructor": 404,
        "learner": 403,
        "outsider": 403,
        "admin": 201,
        "anonymous": 401,
    }
    assert Announcement.objects.count() == 3
    owner = api_as(people["owner"])
    assert error_of(owner.post(url, {"title": "", "body": "x"}, format="json"), 400)["fields"]["title"]
    assert len(owner.get(url).json()["results"]) == 3
    draft = make_course(owner=people["owner"], live=False)
    refused = owner.post(f"{API}manage/courses/{draft.pk}/announcements/", {"title": "a", "body": "b"}, format="json")
    assert error_of(refused, 409)["code"] == "not_live"
    assert Announcement.objects.count() == 3
