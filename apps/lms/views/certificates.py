"""A certificate's public verification page and its PDF.

The verification page (the QR code's target) is public and always says the certificate's current
state: valid, or revoked with when and why. It is kept out of search engines (robots meta and
``X-Robots-Tag``): a learner's name and course should be found by who holds the link, not by
searching for the person. The PDF is for the learner, who teaches the course and staff
(``permissions.can_download_certificate`` says why); a revoked certificate's PDF is gone (410).
Neither is page-cached: a revocation shows at once.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.lms import permissions, selectors
from apps.lms.forms import CertificateRevokeForm
from apps.lms.models import Certificate
from apps.lms.pdf import certificate_pdf, verification_url
from apps.lms.services import certificates

NOINDEX = "noindex, nofollow"


def _certificate_or_404(certificate_uuid: UUID) -> Certificate:
    certificate = selectors.certificate_get(certificate_uuid)
    if certificate is None:
        raise Http404("No such certificate.")
    return certificate


def _detail(
    request: HttpRequest, certificate: Certificate, *, form: CertificateRevokeForm | None = None, status: int = 200
) -> HttpResponse:
    may_revoke = certificate.is_valid and permissions.can_revoke_certificate(request.user, certificate)
    context = {
        "certificate": certificate,
        "verification_url": verification_url(certificate),
        "may_download": permissions.can_download_certificate(request.user, certificate),
        "revoke_form": (form or CertificateRevokeForm()) if may_revoke else None,
    }
    response = render(request, "lms/certificate_detail.html", context, status=status)
    response["X-Robots-Tag"] = NOINDEX
    return response


@require_GET
def certificate_detail(request: HttpRequest, certificate_uuid: UUID) -> HttpResponse:
    """Anyone may check a certificate: valid or revoked, whose, of which course, when, the grade.
    Who teaches the course (and staff) also find the form that revokes it."""
    return _detail(request, _certificate_or_404(certificate_uuid))


@require_POST
@login_required
def certificate_revoke(request: HttpRequest, certificate_uuid: UUID) -> HttpResponse:
    """Revoke the certificate, saying why (who teaches the course, and staff; others 403)."""
    certificate = _certificate_or_404(certificate_uuid)
    form = CertificateRevokeForm(request.POST)
    if not form.is_valid():
        return _detail(request, certificate, form=form, status=422)
    try:
        certificates.certificate_revoke(actor=request.user, certificate=certificate, reason=form.cleaned_data["reason"])
    except ValidationError as exc:  # already revoked meanwhile; PermissionDenied answers 403
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The certificate is revoked.")
    return redirect(certificate.get_absolute_url())


@require_GET
@login_required
def certificate_download(request: HttpRequest, certificate_uuid: UUID) -> HttpResponse:
    """The PDF, for its learner, the course's instructors and staff; 410 once revoked."""
    certificate = _certificate_or_404(certificate_uuid)
    if not permissions.can_download_certificate(request.user, certificate):
        raise PermissionDenied("Only the certificate's learner and the course's instructors download its PDF.")
    if not certificate.is_valid:
        response = render(request, "lms/certificate_revoked.html", {"certificate": certificate}, status=410)
    else:
        response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="certificate-{certificate.uuid}.pdf"'
    response["X-Robots-Tag"] = NOINDEX
    return response
