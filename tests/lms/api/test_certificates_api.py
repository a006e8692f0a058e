"""Certificates over the API: the learner's list, verification by anyone, revocation by who
teaches the course or staff (400 without a reason, 409 when already revoked, nothing changed);
unknown and malformed ids 404 in the one error shape."""

from __future__ import annotations

import pytest

from apps.lms.models import Certificate
from tests.core.factories import UserFactory
from tests.lms.api.conftest import API, error_of, matrix
from tests.lms.factories import complete_all, enrol, make_course

pytestmark = pytest.mark.django_db

CERTIFICATES = f"{API}certificates/"


@pytest.fixture
def certificate(learner, course, enrolment) -> Certificate:
    complete_all(learner, course)
    return Certificate.objects.get(enrolment=enrolment)


def test_the_root_links_the_certificates(api_as):
    assert api_as(None).get(API).json()["links"]["certificates"].endswith("/api/v1/lms/certificates/")


def test_my_certificates_are_mine_alone(api_as, people, certificate, django_assert_max_num_queries):
    assert matrix(api_as, people, "get", CERTIFICATES) == {
        "owner": 200,
        "co_instructor": 200,
        "other_instructor": 200,
        "learner": 200,
        "outsider": 200,
        "admin": 200,
        "anonymous": 401,
    }
    assert api_as(people["outsider"]).get(CERTIFICATES).json()["results"] == []
    (mine,) = api_as(people["learner"]).get(CERTIFICATES).json()["results"]
    assert mine["id"] == str(certificate.uuid) and mine["valid"] is True
    assert mine["url"].endswith(f"/certificates/{certificate.uuid}/")
    assert mine["pdf_url"].endswith(f"/certificates/{certificate.uuid}/pdf/")


def test_listing_certificates_costs_the_same_however_many(api_as, learner, certificate, django_assert_num_queries):
    client = api_as(learner)
    client.get(CERTIFICATES)
    with django_assert_num_queries(3) as one:  # the user, the page's count, its rows
        client.get(CERTIFICATES)
    for _ in range(3):
        course = make_course()
        enrol(learner, course)
        complete_all(learner, course)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(CERTIFICATES).json()["results"]) == 4


def test_anyone_verifies_a_certificate_by_its_id(api_as, people, certificate):
    url = f"{CERTIFICATES}{certificate.uuid}/"

    assert set(matrix(api_as, people, "get", url).values()) == {200}
    body = api_as(None).get(url).json()
    assert body["learner_name"] == "Lea Learner" and body["course_title"] == "Pottery for beginners"
    assert body["instructors"] == ["Ines Instructor", "Cora Coinstructor"]
    assert body["grade"] is None and body["revoked_at"] is None and body["revoke_reason"] is None


# A fixed id that names no certificate: parameters must be the same in every xdist worker.
UNKNOWN = "5b0cb302-94fe-48b9-b45c-9d0e5b57f2d8"


@pytest.mark.parametrize("tail", [f"{UNKNOWN}/", f"{UNKNOWN}/revocation/", "not-a-uuid/", "12/"])
def test_an_unknown_or_malformed_certificate_is_a_404_in_the_error_shape(api_as, admin, tail):
    client = api_as(admin)
    response = client.post(f"{CERTIFICATES}{tail}", {"reason": "x"}, format="json")
    if tail.endswith("revocation/"):
        error_of(response, 404)
    else:
        error_of(client.get(f"{CERTIFICATES}{tail}"), 404)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("co_instructor", 200),
        ("admin", 200),
        ("other_instructor", 403),
        ("learner", 403),
        ("outsider", 403),
        ("anonymous", 401),
    ],
)
def test_who_may_revoke_a_certificate_over_the_api(api_as, people, certificate, who, status):
    url = f"{CERTIFICATES}{certificate.uuid}/revocation/"

    response = api_as(people[who]).post(url, {"reason": "Not their own work."}, format="json")

    assert response.status_code == status, response.content
    certificate.refresh_from_db()
    if status == 200:
        body = response.json()
        assert body["valid"] is False and body["revoke_reason"] == "Not their own work." and body["pdf_url"] is None
        assert certificate.revoked_by == people[who]
    else:
        assert certificate.is_valid


@pytest.mark.parametrize("data", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 501}, {"reason": ["a"]}])
def test_a_revocation_without_a_fit_reason_is_refused_and_changes_nothing(api_as, instructor, certificate, data):
    response = api_as(instructor).post(f"{CERTIFICATES}{certificate.uuid}/revocation/", data, format="json")

    assert "reason" in error_of(response, 400)["fields"]
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_revoking_twice_is_a_conflict(api_as, instructor, certificate):
    client = api_as(instructor)
    url = f"{CERTIFICATES}{certificate.uuid}/revocation/"
    assert client.post(url, {"reason": "First"}, format="json").status_code == 200

    assert error_of(client.post(url, {"reason": "Second"}, format="json"), 409)["code"] == "already_revoked"
    certificate.refresh_from_db()
    assert certificate.revoke_reason == "First"


def test_who_teaches_a_course_lists_its_certificates(api_as, people, certificate, course):
    url = f"{API}manage/courses/{course.pk}/certificates/"

    assert matrix(api_as, people, "get", url) == {
        "owner": 200,
        "co_instructor": 200,
        "admin": 200,
        "other_instructor": 404,  # a course one does not teach does not exist for them
        "learner": 403,
        "outsider": 403,
        "anonymous": 401,
    }
    (row,) = api_as(people["owner"]).get(url).json()["results"]
    assert row["id"] == str(certificate.uuid) and row["learner_name"] == "Lea Learner"
    assert api_as(people["owner"]).get(f"{API}manage/courses/{make_course().pk}/certificates/").status_code == 404


def test_a_course_s_certificates_cost_the_same_however_many(api_as, instructor, course, django_assert_num_queries):
    client = api_as(instructor)
    url = f"{API}manage/courses/{course.pk}/certificates/"
    client.get(url)
    with django_assert_num_queries(5) as few:  # the user, the course and its teachers, the count, the rows
        assert client.get(url).json()["results"] == []
    for _ in range(3):
        person = UserFactory(roles=["student"])
        enrol(person, course)
        complete_all(person, course)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(url).json()["results"]) == 3
