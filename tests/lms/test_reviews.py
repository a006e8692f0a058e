"""Course reviews: its learners who did a lesson rate and review it (once; writing again edits),
who teaches it may not; staff hide an abusive one with a reason; the course's average and count
follow the shown reviews and show on its page and the catalogue's cards; the API reads and writes
the same."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from apps.lms import reviews, selectors
from apps.lms.models import Course
from apps.lms.services import learning
from tests.lms.api.conftest import API
from tests.lms.factories import enrol, lessons_of

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def started(learner, course, enrolment):
    learning.lesson_complete(user=learner, enrolment=enrolment, lesson=lessons_of(course)[0])
    return enrolment


def _save(user, course, rating=5, text="Clear and kind."):
    view = selectors.course_view(course, user=user)
    return reviews.review_save(
        user=user, course=course, enrolment=view.enrolment, lessons_done=view.progress.done, rating=rating, text=text
    )


def test_a_learner_who_did_a_lesson_reviews_once_and_edits_it(learner, course, started):
    _save(learner, course, rating=4)
    _save(learner, course, rating=2, text="Second thoughts.")
    (only,) = reviews.reviews_of(course)
    assert (only["rating"], only["text"], only["author"]) == (2, "Second thoughts.", "Lea Learner")
    fresh = Course.objects.get(pk=course.pk)
    assert (fresh.rating_average, fresh.rating_count) == (Decimal("2.00"), 1)


@pytest.mark.parametrize("who", ["owner", "co_instructor", "other_instructor", "outsider", "admin"])
def test_who_is_no_learner_of_the_course_may_not_review_it(people, course, started, who):
    with pytest.raises(PermissionDenied):
        _save(people[who], course)
    assert reviews.reviews_of(course) == []


def test_a_learner_who_did_no_lesson_yet_may_not(learner, course, enrolment):
    with pytest.raises(PermissionDenied, match="Do a lesson first"):
        _save(learner, course)


@pytest.mark.parametrize(("rating", "text"), [(0, "ok"), (6, "ok"), ("five", "ok"), (5, "  "), (5, "x" * 3001)])
def test_bad_input_writes_nothing(learner, course, started, rating, text):
    with pytest.raises(ValidationError):
        _save(learner, course, rating=rating, text=text)
    assert reviews.review_of(user=learner, course=course) is None
    assert Course.objects.get(pk=course.pk).rating_count == 0


def test_staff_hide_a_review_with_a_reason_and_the_average_follows(learner, course, started, admin, user_with_role):
    other = user_with_role("student")
    learning.lesson_complete(user=other, enrolment=enrol(other, course), lesson=lessons_of(course)[0])
    _save(learner, course, rating=1, text="Rude words.")
    _save(other, course, rating=5)
    assert Course.objects.get(pk=course.pk).rating_average == Decimal("3.00")
    with pytest.raises(PermissionDenied):
        reviews.review_hide(actor=course.owner, course=course, user_id=learner.pk, reason="abuse")
    with pytest.raises(ValidationError):
        reviews.review_hide(actor=admin, course=course, user_id=learner.pk, reason=" ")
    reviews.review_hide(actor=admin, course=course, user_id=learner.pk, reason="Insults the instructor.")
    assert [row["user_id"] for row in reviews.reviews_of(course)] == [other.pk]
    assert Course.objects.get(pk=course.pk).rating_average == Decimal("5.00")
    # Its author still sees it, and why.
    page = _client(learner).get(course.get_absolute_url()).content.decode()
    assert "Staff hid your review" in page and "Insults the instructor." in page


def test_the_pages_show_reviews_and_the_form_to_who_may_write(learner, course, started, outsider):
    page = _client(learner).get(course.get_absolute_url()).content.decode()
    assert "Review this course" in page
    response = _client(learner).post(f"/courses/{course.slug}/review/", {"rating": "4", "text": "Good pace."})
    assert response.status_code == 302
    for client in (_client(), _client(outsider)):  # the shared page, forgotten on the write
        page = client.get(course.get_absolute_url()).content.decode()
        assert "Good pace." in page and "4.0 of 5, 1 rating" in page and "Review this course" not in page
    assert "4.0 of 5 (1 rating)" in _client().get("/courses/").content.decode()
    mine = _client(learner).get(course.get_absolute_url()).content.decode()
    assert "Your review" in mine and "Save your review" in mine


def test_the_page_form_answers_bad_input_with_a_400_and_refusals_with_a_message(learner, course, started, outsider):
    response = _client(learner).post(f"/courses/{course.slug}/review/", {"rating": "9", "text": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a rating from 1 to 5 stars." in page and "Say a few words" in page
    refused = _client(outsider).post(f"/courses/{course.slug}/review/", {"rating": "5", "text": "Great"}, follow=True)
    assert "Only the course&#x27;s learners review it." in refused.content.decode()
    assert reviews.reviews_of(course) == []


def test_only_staff_reach_the_hide_action(learner, course, started, admin):
    _save(learner, course)
    url = f"/courses/{course.slug}/reviews/{learner.pk}/hide/"
    assert _client(course.owner).post(url, {"reason": "no"}).status_code == 403
    assert _client().post(url, {"reason": "no"}).status_code == 302  # to sign in
    assert len(reviews.reviews_of(course)) == 1
    assert _client(admin).post(url, {"reason": "Spam."}).status_code == 302
    assert reviews.reviews_of(course) == []


def test_the_api_reads_and_writes_reviews(learner, course, started, outsider):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(learner)
    written = api.put(f"{API}courses/{course.slug}/review/", {"rating": 3, "text": "Fine."}, format="json")
    assert written.status_code == 200 and written.json()["rating"] == 3
    assert api.put(f"{API}courses/{course.slug}/review/", {"rating": 7, "text": "x"}, format="json").status_code == 400
    other = APIClient()
    other.force_authenticate(outsider)
    assert (
        other.put(f"{API}courses/{course.slug}/review/", {"rating": 5, "text": "x"}, format="json").status_code == 403
    )
    assert APIClient().put(f"{API}courses/{course.slug}/review/", {"rating": 5, "text": "x"}).status_code == 401
    listed = APIClient().get(f"{API}courses/{course.slug}/reviews/").json()
    assert listed["rating_average"] == "3.00" and listed["rating_count"] == 1
    assert [row["text"] for row in listed["results"]] == ["Fine."]
    assert APIClient().get(f"{API}courses/{course.slug}/reviews/?page=0").status_code == 400
