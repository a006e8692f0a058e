"""Certificates: the signed-in learner's, any one verified by its public id (anyone, as its page),
a course's for who teaches it, and revocation by who teaches the course or staff
(apps/lms/services/certificates.py).

A certificate's existence is public (its id is the proof the learner hands out), so one that
someone may not revoke is a 403 with the reason, not a 404; an unknown or malformed id is 404."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.lms import selectors
from apps.lms.api.common import (
    LEARNING_TAGS,
    MANAGE_TAGS,
    NO_PAGE,
    NOT_AN_INSTRUCTOR,
    NOT_SIGNED_IN,
    InstructorView,
    error,
    managed_course,
    service_errors,
)
from apps.lms.api.serializers_certificates import CertificateOutput, RevocationInput, certificate_data
from apps.lms.models import Certificate
from apps.lms.services import certificates

NO_CERTIFICATE = error("No such certificate (an unknown or malformed id).")


def _certificate(certificate_uuid: UUID) -> Certificate:
    certificate = selectors.certificate_get(certificate_uuid)
    if certificate is None:
        raise exceptions.NotFound("No such certificate.")
    return certificate


class CertificateListView(GenericAPIView):
    """The signed-in learner's certificates, newest first (revoked ones too, marked)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="List your certificates",
        responses={200: CertificateOutput(many=True), 401: NOT_SIGNED_IN, 404: NO_PAGE},
        tags=LEARNING_TAGS,
    )
    def get(self, request: Request) -> Response:
        # Rows read here, not in get_queryset, which the schema generator calls at import time.
        page = self.paginate_queryset(selectors.certificates_of(request.user))
        return self.get_paginated_response([certificate_data(certificate) for certificate in page])


class CertificateDetailView(APIView):
    """Verify a certificate: anyone may, as on its public page."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Verify a certificate by its id",
        responses={200: CertificateOutput, 404: NO_CERTIFICATE},
        tags=LEARNING_TAGS,
    )
    def get(self, request: Request, certificate_uuid: UUID) -> Response:
        return Response(certificate_data(_certificate(certificate_uuid)))


class CertificateRevocationView(APIView):
    """Revoke a certificate, saying why: the course's instructors and staff."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Revoke a certificate",
        request=RevocationInput,
        responses={
            200: CertificateOutput,
            400: error("No reason, or one too long (fields names it)."),
            401: NOT_SIGNED_IN,
            403: error("Only the course's instructors and staff revoke its certificates."),
            404: NO_CERTIFICATE,
            409: error("The certificate is already revoked (already_revoked)."),
        },
        tags=LEARNING_TAGS,
    )
    def post(self, request: Request, certificate_uuid: UUID) -> Response:
        certificate = _certificate(certificate_uuid)
        data = RevocationInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors({"already_revoked": 409}):
            certificates.certificate_revoke(
                actor=request.user, certificate=certificate, reason=data.validated_data["reason"]
            )
        return Response(certificate_data(certificate))


class ManagedCertificateListView(InstructorView, GenericAPIView):
    """The certificates issued in a course one teaches, to find the one to revoke."""

    @extend_schema(
        summary="List the certificates issued in a course you teach",
        responses={
            200: CertificateOutput(many=True),
            401: NOT_SIGNED_IN,
            403: NOT_AN_INSTRUCTOR,
            404: error("No such course among those you teach, or no such page."),
        },
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        course = managed_course(request.user, pk)
        page = self.paginate_queryset(selectors.certificates_of_course(course))
        return self.get_paginated_response([certificate_data(certificate) for certificate in page])
