"""A certificate as PDF (fpdf2): one landscape A4 page with what it attests (as copied at issue),
its id and a QR code (segno) of its verification page, where anyone can check that it is real
and still valid.

The QR code and the printed address are the site's canonical address (SITE_URL), whichever host
the PDF was asked from: a certificate outlives the request that printed it. Text goes through
``apps.core.platform.pdf.latin1`` (fpdf2's built-in fonts speak Latin-1 only).
"""

from __future__ import annotations

from io import BytesIO

import segno
from django.conf import settings
from django.utils import dateformat, timezone
from fpdf import FPDF

from apps.core.platform import latin1
from apps.lms.models import Certificate

WIDTH, HEIGHT = 297, 210  # A4 landscape, in millimetres
QR_SIZE = 38
MAX_NAMES = 4  # instructors named on the page
SCALES = (1, 0.9, 0.8, 0.7, 0.6)  # the text's sizes tried, largest first


def verification_url(certificate: Certificate) -> str:
    """The certificate's public page on the site's own address."""
    return f"{settings.SITE_URL.rstrip('/')}{certificate.get_absolute_url()}"


def qr_png(url: str) -> bytes:
    """``url`` as a QR code in PNG (error correction M: a printed copy survives a smudge)."""
    out = BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=10, border=2)
    return out.getvalue()


def _centred(pdf: FPDF, height: float, text: str, *, size: int, style: str = "", smallest: int = 0) -> None:
    """One centred line; with ``smallest``, a long text is set smaller (down to that size) to fit
    on one line, and wraps below it."""
    text = latin1(text)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("Helvetica", style, size)
    while smallest and size > smallest and pdf.get_string_width(text) > width:
        size -= 1
        pdf.set_font("Helvetica", style, size)
    pdf.multi_cell(0, height, text, align="C", new_x="LMARGIN", new_y="NEXT")


def _document(certificate: Certificate) -> FPDF:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(latin1(f"Certificate: {certificate.course_title}"))
    pdf.set_author(latin1(settings.SITE_NAME))
    pdf.set_subject(latin1(f"Certificate {certificate.uuid}"))
    pdf.set_creation_date(certificate.issued_at)
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(25, 25, 25)
    pdf.add_page()
    pdf.set_draw_color(40, 60, 110)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, WIDTH - 20, HEIGHT - 20)
    pdf.set_line_width(0.3)
    pdf.rect(14, 14, WIDTH - 28, HEIGHT - 28)
    return pdf


def _attestation(pdf: FPDF, certificate: Certificate, scale: float) -> None:
    """What the certificate says, from the top, every size times ``scale``."""

    def line(height: float, text: str, *, size: int, style: str = "", smallest: int = 0) -> None:
        _centred(pdf, height * scale, text, size=round(size * scale), style=style, smallest=round(smallest * scale))

    pdf.set_y(30)
    pdf.set_text_color(40, 60, 110)
    line(14, "CERTIFICATE OF COMPLETION", size=26, style="B")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(6 * scale)
    line(8, "This certifies that", size=13)
    line(16, certificate.learner_name, size=30, style="B", smallest=16)
    line(8, "has completed the course", size=13)
    line(10, certificate.course_title, size=20, style="B", smallest=14)
    pdf.ln(3 * scale)
    issued = dateformat.format(timezone.localtime(certificate.issued_at), "j F Y")
    grade = "" if certificate.grade is None else f", with a grade of {certificate.grade.normalize():f}%"
    line(8, f"on {issued}{grade}", size=13)
    names = list(certificate.instructor_names)
    if names:
        label = "Instructor" if len(names) == 1 else "Instructors"
        more = f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else ""
        line(7, f"{label}: {', '.join(names[:MAX_NAMES])}{more}", size=12, smallest=9)


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate's PDF bytes (a valid one: the views refuse revoked ones): one page, its
    text set smaller as a whole when very long names would reach the QR code's row."""
    url = verification_url(certificate)
    qr_top = HEIGHT - 25 - QR_SIZE
    for scale in SCALES:
        pdf = _document(certificate)
        _attestation(pdf, certificate, scale)
        if pdf.get_y() <= qr_top - 2:
            break
    pdf.image(BytesIO(qr_png(url)), x=WIDTH - 25 - QR_SIZE, y=qr_top, w=QR_SIZE, h=QR_SIZE)
    pdf.set_xy(25, qr_top + QR_SIZE - 16)
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 5, latin1(f"Certificate ID: {certificate.uuid}"), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, latin1(f"Verify it at {url}"), link=url, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
