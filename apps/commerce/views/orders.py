"""The customer's side of orders: the history, an order's page (status, timeline, lines,
shipping per shop, downloads, invoice, a return request), the invoice PDF and the downloads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from apps.commerce import downloads, invoices, reviews
from apps.commerce.models import Product
from apps.commerce.selectors import orders as selectors
from apps.commerce.services import orders as services


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.order_list_for_customer(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "commerce/order_list.html", {"page": page, "orders": page.object_list})


def _order_or_404(request: HttpRequest, number: str):  # type: ignore[no-untyped-def]
    order = selectors.order_get_for_user(user=request.user, number=number)
    if order is None:
        raise Http404("No such order.")
    return order


@login_required
@require_GET
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _order_or_404(request, number)
    parts = list(order.parts.all())
    own = order.user_id == request.user.pk
    products = {line.variant.product for part in parts for line in part.lines.all() if line.variant_id}
    done = reviews.reviewed_by(user=request.user, product_ids=[p.pk for p in products]) if own else set()
    # A product of this order its buyer may still review (paid, kept, not reviewed yet).
    reviewable = sorted(
        (p for p in products if p.pk not in done and order.status in reviews.BOUGHT and not p.is_sellable),
        key=lambda p: p.name,
    )
    for part in parts:
        part.returnable = [
            (line, line.quantity_fulfilled - line.quantity_refunded)
            for line in part.lines.all()
            if line.quantity_fulfilled > line.quantity_refunded
        ]
        part.pending_return = any(r.status == "requested" for r in part.returns.all())
        for line in part.lines.all():
            grant = getattr(line, "download", None) if line.is_digital else None
            line.grant = grant
            line.download_url = downloads.download_url(grant) if grant and not grant.revoked else ""
    return render(
        request,
        "commerce/order_detail.html",
        {"order": order, "parts": parts, "timeline": list(order.events.all()), "own": own, "reviewable": reviewable},
    )


@login_required
@require_POST
def order_return(request: HttpRequest, number: str) -> HttpResponse:
    order = _order_or_404(request, number)
    part = next((p for p in order.parts.all() if str(p.pk) == request.POST.get("part", "")), None)
    if part is None:
        messages.error(request, "Choose the shop whose items you send back.")
        return redirect(order)
    lines = {key.removeprefix("line-"): value for key, value in request.POST.items() if key.startswith("line-")}
    try:
        services.return_request_create(
            user=request.user, order=order, part=part, lines=lines, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"Your return request went to {part.shop.name}.")
    return redirect(order)


@login_required
@require_GET
def order_invoice(request: HttpRequest, number: str) -> HttpResponse:
    """The customer and staff get the whole order; a shop owner their parts of it."""
    order = selectors.order_get_for_user(user=request.user, number=number)
    if order is not None:
        parts = list(order.parts.all())
    else:
        order, parts = selectors.managed_parts_of(user=request.user, number=number)
        if order is None:
            raise Http404("No such order.")
    pdf = invoices.invoice_pdf(order=order, parts=parts)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{order.number}.pdf"'
    return response


@login_required
@require_GET
def download(request: HttpRequest, token: str) -> HttpResponse:
    """Stream a bought file: a genuine, unexpired link of the buyer's, within the download limit."""
    try:
        grant = downloads.grant_for_token(user=request.user, token=token)
        downloads.download_take(grant=grant)
    except ValidationError as error:
        # A forged link is not found; a genuine one expired, revoked or used up is gone.
        status = 404 if error.code == "bad_link" else 410
        return render(request, "commerce/download_refused.html", {"message": _error_text(error)}, status=status)
    response = FileResponse(
        default_storage.open(grant.asset.file.name, "rb"), as_attachment=True, filename=grant.asset.filename
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def review_create(request: HttpRequest, product_id: int) -> HttpResponse:
    """A verified buyer's review (it waits for moderation); back to where the form was."""
    product = get_object_or_404(Product.objects.select_related("shop"), pk=product_id)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("commerce:orders")
    try:
        reviews.review_create(
            user=request.user, product=product, rating=request.POST.get("rating"), text=request.POST.get("text", "")
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Thank you: your review shows once a moderator has read it.")
    return redirect(back)
