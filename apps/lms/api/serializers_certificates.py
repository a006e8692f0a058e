"""Shapes of the certificates' API: a certificate as anyone may verify it, and the revocation
an instructor sends."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from apps.lms.api.common import absolute_url
from apps.lms.models import Certificate
from apps.lms.pdf import verification_url


class CertificateOutput(serializers.Serializer):
    id = serializers.UUIDField(help_text="The certificate's public id (its address).")
    url = serializers.URLField(help_text="Its public verification page (the QR code's target).")
    api_url = serializers.URLField()
    pdf_url = serializers.URLField(
        allow_null=True, help_text="Its PDF, for its learner, the course's instructors and staff (null: revoked)."
    )
    learner_name = serializers.CharField(help_text="As it was when the certificate was issued.")
    course_title = serializers.CharField(help_text="As it was when the certificate was issued.")
    course_slug = serializers.CharField(help_text="The course's address now.")
    instructors = serializers.ListField(child=serializers.CharField(), help_text="Their names at issue.")
    issued_at = serializers.DateTimeField()
    grade = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="Percent (null: the course gives no grade)."
    )
    valid = serializers.BooleanField(help_text="False once revoked.")
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoke_reason = serializers.CharField(allow_null=True, help_text="Why it was revoked (null: it was not).")


class RevocationInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why the certificate is revoked (shown publicly).")


def certificate_data(certificate: Certificate) -> Any:
    """``certificate`` (with its course loaded) as the API answers it."""
    valid = certificate.is_valid
    return CertificateOutput(
        {
            "id": certificate.uuid,
            "url": verification_url(certificate),
            "api_url": absolute_url(reverse("api-lms-certificate", args=[certificate.uuid])),
            "pdf_url": absolute_url(reverse("lms_certificates:pdf", args=[certificate.uuid])) if valid else None,
            "learner_name": certificate.learner_name,
            "course_title": certificate.course_title,
            "course_slug": certificate.course.slug,
            "instructors": list(certificate.instructor_names),
            "issued_at": certificate.issued_at,
            "grade": certificate.grade,
            "valid": valid,
            "revoked_at": certificate.revoked_at,
            "revoke_reason": None if valid else certificate.revoke_reason,
        }
    ).data
