"""The test provider's payment page (Approve, Decline, Requires action then "Complete
authentication") and the providers' webhooks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from apps.commerce import checkout_selectors as selectors
from apps.commerce.models import Payment
from apps.commerce.payments import ProviderError, WebhookRejected
from apps.commerce.payments.testprovider import APPROVE, COMPLETE_ACTION, DECLINE, REQUIRE_ACTION, read_reference
from apps.commerce.services import payments

OUTCOMES = (APPROVE, DECLINE, REQUIRE_ACTION, COMPLETE_ACTION)


@login_required
@require_http_methods(["GET", "POST"])
def test_pay(request: HttpRequest, reference: str) -> HttpResponse:
    """The built-in provider's page for one payment: its customer's (and staff's) only."""
    try:
        read_reference(reference)
    except signing.BadSignature:
        raise Http404("No such payment.") from None
    payment = selectors.payment_get_for_customer(user=request.user, reference=reference)
    if payment is None:
        raise Http404("No such payment.")
    if request.method == "POST":
        if payment.order.user_id != request.user.pk:  # staff may look; only the customer pays
            raise PermissionDenied("Only the customer pays their order.")
        outcome = request.POST.get("outcome")
        if outcome not in OUTCOMES:
            context = {"payment": payment, "order": payment.order, "error": "Choose one of the buttons."}
            return render(request, "commerce/pay.html", context, status=422)
        payment = payments.payment_confirm(payment=payment, data={"outcome": outcome})
        if payment.status == Payment.Status.CAPTURED:
            return redirect("commerce:checkout-done", payment.order.token)
        if payment.status == Payment.Status.FAILED:
            messages.error(
                request,
                f"Your payment was declined: {payment.failure_message} Nothing was charged and your cart is "
                "as it was; you can check out again.",
            )
            return redirect("commerce:cart")
        return redirect("commerce:test-pay", reference)
    done_url = reverse("commerce:checkout-done", args=[payment.order.token])
    return render(request, "commerce/pay.html", {"payment": payment, "order": payment.order, "done_url": done_url})


@csrf_exempt  # the provider signs its webhooks; it has no CSRF token to send
@require_POST
def payment_webhook(request: HttpRequest, provider: str) -> JsonResponse:
    """A provider's notification: 400 and nothing changed for a bad signature, 200 for a replay."""
    headers = {key: value for key, value in request.headers.items()}
    try:
        outcome = payments.payment_webhook(provider_name=provider, body=request.body, headers=headers)
    except (LookupError, ImportError):  # no such provider (or not installed in this build)
        return JsonResponse({"error": "unknown_provider", "message": f"No payment provider {provider}."}, status=404)
    except WebhookRejected as exc:
        return JsonResponse({"error": "bad_signature", "message": str(exc)}, status=400)
    except ProviderError as exc:
        # The provider could not be asked what the event is about (Stripe away while a payment
        # intent's session is looked up): nothing changed, and a 503 makes it send the event again.
        response = JsonResponse({"error": "provider_unavailable", "message": str(exc)}, status=503)
        response["Retry-After"] = "60"
        return response
    return JsonResponse({"received": True, "outcome": outcome})
