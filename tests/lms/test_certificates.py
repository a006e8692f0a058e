"""Certificates: issued once with the course's completion (what they attest copied at issue),
the one issue rule, revocation with its reason, the public verification page, the PDF with its QR
code, notifications, and who may do what on every page."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from apps.core.models import Notification, OutboxEvent
from apps.core.platform import events
from apps.lms import permissions, selectors
from apps.lms.models import Certificate, CourseInstructor, Enrolment
from apps.lms.pdf import certificate_pdf, qr_png, verification_url
from apps.lms.services import certificates, learning
from tests.core.factories import UserFactory
from tests.lms.factories import complete_all, enrol, lessons_of, make_course
from tests.utils import race

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(learner, course, enrolment) -> Certificate:
    complete_all(learner, course)
    return Certificate.objects.select_related("course").get(enrolment=enrolment)


def _issued_events() -> int:
    return OutboxEvent.objects.filter(name="lms.certificate_issued").count()


# --- Issue --------------------------------------------------------------------------------------


def test_completing_every_lesson_issues_one_certificate_that_copies_what_it_attests(
    learner, course, enrolment, time_machine
):
    time_machine.move_to("2026-03-14 10:00:00+00:00", tick=False)
    first, *rest = lessons_of(course)
    learning.lesson_complete(user=learner, enrolment=enrolment, lesson=first)
    assert not Certificate.objects.exists()  # not before the last lesson

    complete_all(learner, course)

    certificate = Certificate.objects.get()
    enrolment.refresh_from_db()
    assert certificate.enrolment == enrolment and certificate.user == learner and certificate.course == course
    assert certificate.learner_name == "Lea Learner"
    assert certificate.course_title == "Pottery for beginners"
    assert certificate.instructor_names == ["Ines Instructor", "Cora Coinstructor"]
    assert certificate.issued_at == enrolment.completed_at
    assert certificate.grade is None and certificate.is_valid
    assert _issued_events() == 1


def test_issuing_again_answers_the_same_certificate_and_publishes_nothing(certificate, enrolment):
    again = certificates.certificate_issue(enrolment=enrolment)

    assert again.pk == certificate.pk
    assert Certificate.objects.count() == 1 and _issued_events() == 1


def test_an_issued_certificate_keeps_the_names_it_was_issued_with(certificate, learner, course, instructor):
    learner.display_name, instructor.display_name = "Lea Renamed", "Ines Renamed"
    learner.save()
    instructor.save()
    course.title = "Advanced pottery"
    course.save()

    certificate.refresh_from_db()
    assert certificate.learner_name == "Lea Learner"
    assert certificate.course_title == "Pottery for beginners"
    assert certificate.instructor_names == ["Ines Instructor", "Cora Coinstructor"]


def test_a_learner_without_a_display_name_is_named_without_their_email(course):
    person = UserFactory(email="private.person@example.com", display_name="", roles=["student"])
    enrol(person, course)
    complete_all(person, course)

    assert Certificate.objects.get(user=person).learner_name == "private.person"


def test_the_issue_rule_wants_the_course_completed_the_place_kept_and_a_grade_at_least_the_pass_mark(
    learner, course, enrolment
):
    assert permissions.certificate_refusal(enrolment) == "Complete every lesson of the course first."
    assert certificates.certificate_issue(enrolment=enrolment) is None

    Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=timezone.now())
    enrolment.refresh_from_db()
    assert "below the course's pass mark (60%)" in permissions.certificate_refusal(enrolment, grade=Decimal("59.5"))
    assert certificates.certificate_issue(enrolment=enrolment, grade=Decimal("59.5")) is None
    assert not Certificate.objects.exists()

    Enrolment.objects.filter(pk=enrolment.pk).update(revoked_at=timezone.now())
    enrolment.refresh_from_db()
    assert permissions.certificate_refusal(enrolment) == "Your place in this course has ended."
    assert certificates.certificate_issue(enrolment=enrolment) is None

    Enrolment.objects.filter(pk=enrolment.pk).update(revoked_at=None)
    enrolment.refresh_from_db()
    certificate = certificates.certificate_issue(enrolment=enrolment, grade=Decimal("60"))
    assert certificate.grade == Decimal("60")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the races run on PostgreSQL (CI does)")
@pytest.mark.django_db(transaction=True)
def test_two_completions_of_the_last_lesson_at_once_issue_one_certificate():
    learner = UserFactory(roles=["student"])
    course = make_course(lessons=2)
    enrolment = enrol(learner, course)
    first, last = lessons_of(course)
    learning.lesson_complete(user=learner, enrolment=enrolment, lesson=first)
    Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=timezone.now())

    def issue(index: int) -> int:
        fresh = Enrolment.objects.get(pk=enrolment.pk)
        return certificates.certificate_issue(enrolment=fresh).pk

    results = race(issue, times=8)

    assert len(set(results)) == 1, results
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1
    assert OutboxEvent.objects.filter(name="lms.certificate_issued").count() == 1


def test_the_learner_is_told_of_their_certificate(certificate, learner):
    events.deliver_pending()

    note = Notification.objects.get(recipient=learner, kind="lms.certificate_issued")
    assert note.target_url == f"/certificates/{certificate.uuid}/"


# --- Revoke -------------------------------------------------------------------------------------


def test_revoking_needs_a_reason_and_changes_nothing_without_one(certificate, instructor):
    with pytest.raises(ValidationError) as refused:
        certificates.certificate_revoke(actor=instructor, certificate=certificate, reason="   ")

    assert "Say why" in str(refused.value)
    certificate.refresh_from_db()
    assert certificate.is_valid and certificate.revoke_reason == ""


def test_revoking_records_when_by_whom_and_why_and_tells_the_learner(certificate, co_instructor, learner):
    certificates.certificate_revoke(actor=co_instructor, certificate=certificate, reason="  Plagiarised  work. ")

    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_by == co_instructor
    assert certificate.revoke_reason == "Plagiarised work."
    events.deliver_pending()
    assert Notification.objects.filter(recipient=learner, kind="lms.certificate_revoked").exists()
    with pytest.raises(ValidationError) as again:
        certificates.certificate_revoke(actor=co_instructor, certificate=certificate, reason="Twice")
    assert again.value.code == "already_revoked"


def test_a_revoked_certificate_is_not_issued_again_by_completing_again(certificate, instructor, enrolment):
    certificates.certificate_revoke(actor=instructor, certificate=certificate, reason="Cheated")

    assert not certificates.certificate_issue(enrolment=enrolment).is_valid
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("owner", True),
        ("co_instructor", True),
        ("admin", True),
        ("other_instructor", False),
        ("learner", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_who_may_revoke_a_certificate(people, certificate, who, allowed):
    if allowed:
        certificates.certificate_revoke(actor=people[who], certificate=certificate, reason="Wrong person")
        assert not Certificate.objects.get(pk=certificate.pk).is_valid
    else:
        with pytest.raises(PermissionDenied):
            certificates.certificate_revoke(actor=people[who], certificate=certificate, reason="Wrong person")
        assert Certificate.objects.get(pk=certificate.pk).is_valid


# --- The PDF ------------------------------------------------------------------------------------


def test_the_pdf_is_a_landscape_page_with_what_the_certificate_attests_and_its_id(certificate):
    from pypdf import PdfReader

    data = certificate_pdf(certificate)

    assert data.startswith(b"%PDF")
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    text = " ".join(page.extract_text().split())
    assert str(certificate.uuid) in text
    for words in ("Lea Learner", "Pottery for beginners", "Ines Instructor, Cora Coinstructor"):
        assert words in text
    assert "grade" not in text  # the course gives none


def test_long_names_and_many_instructors_keep_the_certificate_on_one_page(certificate):
    from pypdf import PdfReader

    certificate.learner_name, certificate.course_title = "Maximiliana " * 16, "A very long course title " * 8
    certificate.instructor_names = [f"Instructor number {n} with a long name" for n in range(9)]

    (page,) = PdfReader(io.BytesIO(certificate_pdf(certificate))).pages
    assert "and 5 more" in " ".join(page.extract_text().split())
    heights: list[float] = []  # each line's baseline, in points from the page's foot
    page.extract_text(visitor_text=lambda text, cm, tm, *_: heights.append(tm[5]) if text.strip() else None)
    qr_top = (25 + 38) / 25.4 * 72  # the QR code's top edge (25 mm margin, 38 mm code), in points
    attestation = [y for y in heights if y > 130]  # above the id and address beside the code
    assert len(attestation) < len(heights) and min(attestation) > qr_top


def test_the_pdf_shows_the_grade_when_there_is_one(certificate):
    from pypdf import PdfReader

    certificate.grade = Decimal("87.50")
    text = PdfReader(io.BytesIO(certificate_pdf(certificate))).pages[0].extract_text()

    assert "with a grade of 87.5%" in " ".join(text.split())


def test_the_pdf_qr_code_reads_as_the_certificate_s_verification_url(certificate, settings):
    import zxingcpp
    from PIL import Image
    from pypdf import PdfReader

    settings.SITE_URL = "https://learn.example.org"
    url = verification_url(certificate)
    assert url == f"https://learn.example.org/certificates/{certificate.uuid}/"

    (image,) = PdfReader(io.BytesIO(certificate_pdf(certificate))).pages[0].images
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))
    assert found.text == url
    (direct,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(url))))
    assert direct.text == url


# --- Pages --------------------------------------------------------------------------------------

PDF_ACCESS = {
    "owner": 200,
    "co_instructor": 200,
    "admin": 200,
    "learner": 200,
    "other_instructor": 403,
    "outsider": 403,
    "anonymous": 302,  # to sign in
}


def test_everyone_may_verify_a_certificate_and_its_page_is_not_indexed(client_for, people, certificate):
    for who, user in people.items():
        response = client_for(user).get(f"/certificates/{certificate.uuid}/")
        assert response.status_code == 200, who
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        page = response.content.decode()
        assert '<meta name="robots" content="noindex, nofollow">' in page
        assert "Valid" in page and "Lea Learner" in page and "Pottery for beginners" in page
        assert str(certificate.uuid) in page
        assert ("Download the PDF" in page) is (PDF_ACCESS[who] == 200), who


def test_the_pdf_is_for_the_learner_the_course_s_instructors_and_staff(client_for, people, certificate):
    statuses = {}
    for who, user in people.items():
        response = client_for(user).get(f"/certificates/{certificate.uuid}/pdf/")
        statuses[who] = response.status_code
        if response.status_code == 200:
            assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert statuses == PDF_ACCESS


def test_a_revoked_certificate_says_so_and_its_pdf_is_gone(client_for, certificate, instructor, learner):
    certificates.certificate_revoke(actor=instructor, certificate=certificate, reason="Work was not their own.")

    page = client_for(None).get(f"/certificates/{certificate.uuid}/").content.decode()
    assert "REVOKED" in page and "Work was not their own." in page
    assert timezone.localdate().strftime("%Y") in page and "Download the PDF" not in page
    response = client_for(learner).get(f"/certificates/{certificate.uuid}/pdf/")
    assert response.status_code == 410
    assert "was revoked" in response.content.decode()


# A fixed id that names no certificate: parameters must be the same in every xdist worker.
UNKNOWN = "6edad059-9494-431f-953d-bad43ceb8810"


@pytest.mark.parametrize("address", [f"/certificates/{UNKNOWN}/", f"/certificates/{UNKNOWN}/pdf/"])
def test_an_unknown_certificate_is_a_clean_404(client_for, learner, address):
    assert client_for(learner).get(address).status_code == 404


@pytest.mark.parametrize("address", ["/certificates/not-a-uuid/", "/certificates/1/", "/certificates/1/pdf/"])
def test_a_malformed_certificate_id_is_a_clean_404(client, address):
    assert client.get(address).status_code == 404


def test_the_verification_page_wants_the_same_queries_however_many_instructors(
    client, certificate, course, django_assert_num_queries
):
    client.get(f"/certificates/{certificate.uuid}/")  # the site's own reads (theme, menus), cached after
    # The certificate with its course and who revoked it; the course's co-instructors (the policy's).
    with django_assert_num_queries(2):
        client.get(f"/certificates/{certificate.uuid}/")
    for _ in range(3):
        CourseInstructor.objects.create(course=course, user=UserFactory(roles=["instructor"]))
    with django_assert_num_queries(2):
        assert client.get(f"/certificates/{certificate.uuid}/").status_code == 200


def test_my_learning_lists_my_certificates_with_their_pdf(client_for, learner, certificate, course):
    page = client_for(learner).get("/courses/mine/").content.decode()

    assert "My certificates" in page
    assert f'href="/certificates/{certificate.uuid}/"' in page
    assert f'href="/certificates/{certificate.uuid}/pdf/"' in page


def test_my_learning_marks_a_revoked_certificate(client_for, learner, certificate, instructor):
    certificates.certificate_revoke(actor=instructor, certificate=certificate, reason="Cheated")

    page = client_for(learner).get("/courses/mine/").content.decode()
    assert "Revoked" in page and f"/certificates/{certificate.uuid}/pdf/" not in page


def test_my_learning_without_certificates_has_no_such_section(client_for, learner, enrolment):
    assert "My certificates" not in client_for(learner).get("/courses/mine/").content.decode()


def test_the_course_page_tells_a_holder_they_earned_a_certificate(client_for, people, certificate, course):
    for who, user in people.items():
        page = client_for(user).get(course.get_absolute_url()).content.decode()
        assert ("You earned a certificate" in page) is (who == "learner"), who
    assert (
        f'href="/certificates/{certificate.uuid}/"'
        in client_for(people["learner"]).get(course.get_absolute_url()).content.decode()
    )


def test_selectors_read_certificates_in_one_query(learner, certificate, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert [c.course.title for c in selectors.certificates_of(learner)] == ["Pottery for beginners"]
    assert selectors.certificates_of(None) == []


def test_the_certificates_address_is_the_lms_s_and_no_free_page_may_take_it():
    from apps.core.models import reserved_page_slugs

    assert "certificates" in reserved_page_slugs()
    assert (
        Certificate(uuid=uuid.UUID(int=1)).get_absolute_url() == "/certificates/00000000-0000-0000-0000-000000000001/"
    )


# --- Revoking on the page -----------------------------------------------------------------------

REVOKE_ACCESS = {
    "owner": 302,
    "co_instructor": 302,
    "admin": 302,
    "other_instructor": 403,
    "learner": 403,
    "outsider": 403,
    "anonymous": 302,  # to sign in
}


@pytest.mark.parametrize(("who", "status"), REVOKE_ACCESS.items())
def test_who_may_revoke_on_the_certificate_s_page(client_for, people, certificate, who, status):
    address = f"/certificates/{certificate.uuid}/"
    page = client_for(people[who]).get(address).content.decode()
    assert ("Revoke this certificate" in page) is (who in {"owner", "co_instructor", "admin"})

    response = client_for(people[who]).post(f"{address}revoke/", {"reason": "Copied answers."})

    assert response.status_code == status
    certificate.refresh_from_db()
    if who in {"owner", "co_instructor", "admin"}:
        assert response["Location"] == address and certificate.revoke_reason == "Copied answers."
        assert "Revoke this certificate" not in client_for(people[who]).get(address).content.decode()
    else:
        assert certificate.is_valid


def test_revoking_on_the_page_without_a_reason_says_so_and_changes_nothing(client_for, instructor, certificate):
    response = client_for(instructor).post(f"/certificates/{certificate.uuid}/revoke/", {"reason": "  "})

    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_revoking_a_revoked_certificate_on_the_page_says_it_already_is(client_for, instructor, certificate):
    certificates.certificate_revoke(actor=instructor, certificate=certificate, reason="First")

    response = client_for(instructor).post(
        f"/certificates/{certificate.uuid}/revoke/", {"reason": "Again"}, follow=True
    )

    assert "already revoked" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoke_reason == "First"


def test_the_certificate_pages_answer_only_their_methods(client_for, instructor, certificate):
    client = client_for(instructor)
    assert client.post(f"/certificates/{certificate.uuid}/").status_code == 405
    assert client.post(f"/certificates/{certificate.uuid}/pdf/").status_code == 405
    assert client.get(f"/certificates/{certificate.uuid}/revoke/").status_code == 405


def test_completing_the_last_lesson_on_the_page_leads_to_the_certificate(client_for, learner, course, enrolment):
    *first, last = lessons_of(course)
    for lesson in first:
        learning.lesson_complete(user=learner, enrolment=enrolment, lesson=lesson)
    client = client_for(learner)

    response = client.post(f"{last.get_absolute_url()}done/", HTTP_HX_REQUEST="true")

    certificate = Certificate.objects.get(enrolment=enrolment)
    assert "You completed the course." in response.content.decode()
    assert f'href="/certificates/{certificate.uuid}/"' in response.content.decode()
    page = client.post(f"{last.get_absolute_url()}done/", follow=True).content.decode()
    assert "and earned its certificate" in page and "You earned a certificate" in page
