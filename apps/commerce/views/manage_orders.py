"""Shop owners' side of orders: the list of their parts (filters, CSV export) and an order's
page with the parts they manage (fulfil with a tracking number, cancel, refund, answer returns).
Staff see every shop's. The services check who may act; these views only parse and render."""

from __future__ import annotations

import csv
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.commerce import permissions, reviews
from apps.commerce.models import OrderShop, ReturnRequest
from apps.commerce.selectors import orders as selectors
from apps.commerce.services import orders as services


class OrderFilter(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *OrderShop.Status.choices], required=False)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label="Order number or email", max_length=100, required=False)


def _manager_or_403(request: HttpRequest) -> None:
    if not (permissions.can_open_shop(request.user) or permissions.is_shop_staff(request.user)):
        raise PermissionDenied("Shop owners and staff only.")


def _filtered(request: HttpRequest, form: OrderFilter):  # type: ignore[no-untyped-def]
    data = form.cleaned_data if form.is_valid() else {}
    date_from: date | None = data.get("date_from")
    date_to: date | None = data.get("date_to")
    return selectors.part_list_for_manager(
        user=request.user,
        status=data.get("status", ""),
        date_from=date_from,
        date_to=date_to,
        search=data.get("q", ""),
    )


@login_required
@require_GET
def manage_order_list(request: HttpRequest) -> HttpResponse:
    _manager_or_403(request)
    form = OrderFilter(request.GET or None)
    parts = _filtered(request, form)
    page = Paginator(parts, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "commerce/manage_order_list.html",
        {"form": form, "page": page, "parts": page.object_list, "query": query.urlencode()},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def manage_order_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV, streamed (a long history never sits in memory)."""
    _manager_or_403(request)
    parts = _filtered(request, OrderFilter(request.GET or None))
    writer = csv.writer(_Echo())
    header = ["order", "date", "customer", "shop", "status", "items", "subtotal", "shipping", "currency"]

    def rows():  # type: ignore[no-untyped-def]
        yield writer.writerow(header)
        for part in parts.iterator(chunk_size=500):
            yield writer.writerow(
                [
                    part.order.number,
                    part.order.created_at.date().isoformat(),
                    part.order.email,
                    part.shop.name,
                    part.get_status_display(),
                    part.items,
                    part.subtotal.amount,
                    part.shipping_price.amount,
                    part.order.currency,
                ]
            )

    parts = parts.annotate(items=Sum("lines__quantity"))
    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="orders.csv"'
    return response


@login_required
@require_GET
def manage_order(request: HttpRequest, number: str) -> HttpResponse:
    order, parts = selectors.managed_parts_of(user=request.user, number=number)
    if order is None:
        raise Http404("No such order among your shops'.")
    for part in parts:
        part.lines_left = [
            (line, services.left_to_ship(line), services.left_to_refund(line)) for line in part.lines.all()
        ]
        part.can_cancel = part.status != OrderShop.Status.CANCELLED and not any(
            line.quantity_fulfilled for line in part.lines.all()
        )
        part.refundable = services.part_refundable(part)
    return render(request, "commerce/manage_order_detail.html", {"order": order, "parts": parts})


def _part(request: HttpRequest, number: str, part_id: int) -> OrderShop:
    part = get_object_or_404(OrderShop.objects.select_related("order", "shop"), pk=part_id, order__number=number)
    if not permissions.can_manage_part(request.user, part):
        raise Http404("No such order among your shops'.")
    return part


def _quantities(request: HttpRequest) -> dict[str, str]:
    return {
        key.removeprefix("line-"): value for key, value in request.POST.items() if key.startswith("line-") and value
    }


def _act(request: HttpRequest, part: OrderShop, action, done: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(reverse("commerce:manage-order", args=[part.order.number]))


@login_required
@require_POST
def part_fulfil(request: HttpRequest, number: str, part_id: int) -> HttpResponse:
    part = _part(request, number, part_id)
    return _act(
        request,
        part,
        lambda: services.part_fulfil(
            user=request.user,
            part=part,
            lines=_quantities(request),
            tracking_number=request.POST.get("tracking_number", ""),
            carrier=request.POST.get("carrier", ""),
        ),
        "Marked as sent; the customer is told.",
    )


@login_required
@require_POST
def part_cancel(request: HttpRequest, number: str, part_id: int) -> HttpResponse:
    part = _part(request, number, part_id)
    return _act(
        request,
        part,
        lambda: services.part_cancel(user=request.user, part=part, reason=request.POST.get("reason", "")),
        "Cancelled and refunded.",
    )


@login_required
@require_POST
def part_refund(request: HttpRequest, number: str, part_id: int) -> HttpResponse:
    part = _part(request, number, part_id)
    return _act(
        request,
        part,
        lambda: services.order_refund(
            user=request.user,
            order=part.order,
            part=part,
            lines=_quantities(request),
            amount=request.POST.get("amount") or None,
            restock=request.POST.get("restock") == "on",
            reason=request.POST.get("reason", ""),
        ),
        "Refunded through the payment provider.",
    )


def _return(request: HttpRequest, return_id: int) -> ReturnRequest:
    found = get_object_or_404(ReturnRequest.objects.select_related("order", "part__shop"), pk=return_id)
    if not permissions.can_manage_part(request.user, found.part):
        raise Http404("No such return among your shops'.")
    return found


@login_required
@require_POST
def return_approve(request: HttpRequest, return_id: int) -> HttpResponse:
    found = _return(request, return_id)
    return _act(
        request,
        found.part,
        lambda: services.return_request_approve(
            user=request.user,
            request=found,
            response=request.POST.get("response", ""),
            restock=request.POST.get("restock") == "on",
        ),
        "Return accepted and refunded.",
    )


@login_required
@require_POST
def return_reject(request: HttpRequest, return_id: int) -> HttpResponse:
    found = _return(request, return_id)
    return _act(
        request,
        found.part,
        lambda: services.return_request_reject(
            user=request.user, request=found, response=request.POST.get("response", "")
        ),
        "Return declined; the customer is told why.",
    )


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Staff's review queue: the oldest waiting first."""
    if not permissions.is_shop_staff(request.user):
        raise PermissionDenied("Staff moderate reviews.")
    return render(request, "commerce/manage_review_queue.html", {"reviews": reviews.reviews_pending()})


@login_required
@require_POST
def review_moderate(request: HttpRequest, review_id: str, decision: str) -> HttpResponse:
    if decision not in ("approve", "reject"):
        raise Http404("No such decision.")
    try:
        reviews.review_moderate(user=request.user, review_id=review_id, approve=decision == "approve")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Review approved." if decision == "approve" else "Review rejected.")
    return redirect("commerce:review-queue")
