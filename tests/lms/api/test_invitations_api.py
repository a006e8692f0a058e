"""The invitations API (``manage/courses/<id>/invitations/``): its permission matrix, inviting
and listing, bad input."""

from __future__ import annotations

import pytest

from apps.lms.models import Invitation
from tests.lms.api.conftest import API, error_of, matrix

pytestmark = pytest.mark.django_db


def _api(course) -> str:  # type: ignore[no-untyped-def]
    return f"{API}manage/courses/{course.pk}/invitations/"


def test_the_apis_permission_matrix(api_as, people, course):
    assert matrix(api_as, people, "get", _api(course)) == {
        "owner": 200,
        "co_instructor": 200,
        "other_instructor": 404,
        "learner": 403,
        "outsider": 403,
        "admin": 200,
        "anonymous": 401,
    }
    sent = matrix(api_as, people, "post", _api(course), {"emails": ["m@example.com"]})
    assert sent == {
        "owner": 201,
        "co_instructor": 201,
        "other_instructor": 404,
        "learner": 403,
        "outsider": 403,
        "admin": 201,
        "anonymous": 401,
    }


def test_the_api_invites_and_lists(api_as, instructor, course, outsider):
    client = api_as(instructor)
    response = client.post(_api(course), {"emails": [outsider.email, "new@example.com"]}, format="json")
    assert response.status_code == 201
    assert response.json() == {"enrolled": [outsider.email.lower()], "already": [], "emailed": ["new@example.com"]}
    listed = client.get(_api(course)).json()["results"]
    states = {row["email"]: row["state"] for row in listed}
    assert states == {outsider.email.lower(): "enrolled", "new@example.com": "sent"}


@pytest.mark.parametrize(
    "body", [{}, {"emails": []}, {"emails": "a@b.c"}, {"emails": ["not an address"]}, {"emails": [None]}]
)
def test_the_api_refuses_bad_input_with_400(api_as, instructor, course, body):
    error_of(api_as(instructor).post(_api(course), body, format="json"), 400)
    assert not Invitation.objects.exists()
