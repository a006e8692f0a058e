"""The cart (anyone: a visitor's in their session, a customer's on their account, by JWT or
session) and the checkout (signed-in customers), through apps/commerce/services/cart.py and
checkout.py. Every read re-checks the cart against the catalogue; what that changed comes back
in ``messages``.

Completing the checkout takes an ``Idempotency-Key`` header: the platform's idempotency
middleware replays the first answer for the same key and body, and answers 422 for the same key
with another body; the checkout's own row lock makes one order of any number of completions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from apps.commerce import checkout_selectors
from apps.commerce.api.common import NOT_SIGNED_IN, error, service_errors
from apps.commerce.api.serializers import (
    AddressInput,
    CartAddInput,
    CartLineInput,
    CartOutput,
    CheckoutOutput,
    CompleteInput,
    CompletionOutput,
    ShippingChoiceInput,
    VoucherInput,
)
from apps.commerce.models import Checkout
from apps.commerce.services import cart as carts
from apps.commerce.services import checkout as checkouts

IDEMPOTENCY_HEADER = "Idempotency-Key"  # the platform's header (apps/core/platform/idempotency.py)

CART_TAGS = ["shop cart and checkout"]
BAD_LINE = error("A malformed body, a variant not for sale, sold out, or priced in another currency.")
NO_CHECKOUT = error("No checkout in progress: start one from the cart.")


def _session(request: Request) -> Any:
    # A bearer token's caller has an account cart; a visitor's cart lives in their session.
    return None if request.user.is_authenticated else request.session


def _cart(cart: carts.CartView, messages: list[str]) -> dict[str, Any]:
    return CartOutput(
        {
            "items": cart.items,
            "messages": [*cart.notices, *messages],
            "count": cart.count,
            "currency": cart.currency,
            "subtotal": cart.subtotal,
            "max_quantity": cart.max_quantity,
        }
    ).data


class CartView(APIView):
    """The cart, re-checked now (lines no longer for sale dropped, quantities lowered to the stock)."""

    permission_classes = [AllowAny]

    @extend_schema(summary="Read the cart", responses=CartOutput, tags=CART_TAGS)
    def get(self, request: Request) -> Response:
        return Response(_cart(carts.cart_get(user=request.user, session=_session(request)), []))


class CartLineListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Add a variant to the cart",
        request=CartAddInput,
        responses={200: CartOutput, 400: BAD_LINE},
        tags=CART_TAGS,
    )
    def post(self, request: Request) -> Response:
        data = CartAddInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            cart, message = carts.cart_add(
                user=request.user,
                session=_session(request),
                variant_id=data.validated_data["variant"],
                quantity=data.validated_data["quantity"],
            )
        return Response(_cart(cart, [message]))


class CartLineView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Change a line's quantity (0 removes it)",
        request=CartLineInput,
        responses={200: CartOutput, 400: error("A malformed quantity."), 404: error("No such line in your cart.")},
        tags=CART_TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        data = CartLineInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._set(request, pk, data.validated_data["quantity"])

    @extend_schema(
        summary="Remove a line", responses={200: CartOutput, 404: error("No such line in your cart.")}, tags=CART_TAGS
    )
    def delete(self, request: Request, pk: int) -> Response:
        return self._set(request, pk, 0)

    def _set(self, request: Request, variant_id: int, quantity: int) -> Response:
        session = _session(request)
        cart = carts.cart_get(user=request.user, session=session)
        if not any(item.variant.pk == variant_id for item in cart.items):
            raise exceptions.NotFound("That item is not in your cart.")
        with service_errors():
            cart, message = carts.cart_set_quantity(
                user=request.user, session=session, variant_id=variant_id, quantity=quantity
            )
        return Response(_cart(cart, [message]))


# --- Checkout ----------------------------------------------------------------------------------


def checkout_data(checkout: Checkout, message: str = "") -> dict[str, Any]:
    """The checkout with what it costs now (shipping per shop part, discount, tax, total)."""
    totals = checkout_selectors.checkout_totals(checkout)
    money = totals.money
    parts = [
        {
            "shop_id": part.shop_id,
            "shop_name": part.shop_name,
            "ships": part.ships,
            "lines": [
                {
                    "variant_id": line.variant_id,
                    "name": line.name,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_price": money(line.unit_price),
                    "total": money(line.total),
                    "discount": money(line.discount),
                }
                for line in part.lines
            ],
            "options": [{"id": m.pk, "name": m.name, "price": money(p)} for m, p in part.options],
            "method": {"id": part.method.pk, "name": part.method.name, "price": money(part.shipping)}
            if part.method
            else None,
            "shipping": money(part.shipping),
        }
        for part in totals.parts
    ]
    data = {
        "token": checkout.token,
        "state": checkout.state,
        "email": checkout.email,
        "expires_at": checkout.expires_at,
        "shipping_address": checkout.shipping_address,
        "voucher": checkout.voucher.code if checkout.voucher else None,
        "parts": parts,
        "subtotal": money(totals.subtotal),
        "shipping": money(totals.shipping),
        "discount": money(totals.discount),
        "tax": money(totals.tax),
        "total": money(totals.total),
        "prices_include_tax": totals.prices_include_tax,
    }
    if message:
        data["message"] = message
    return CheckoutOutput(data).data


def current_checkout(request: Request) -> Checkout:
    checkout = checkout_selectors.checkout_get_current(user=request.user)
    if checkout is None:
        raise exceptions.NotFound("No checkout in progress: start one from your cart.")
    return checkout


class CheckoutView(APIView):
    """The signed-in customer's checkout in progress; POST starts one from the cart."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Read the checkout in progress",
        responses={200: CheckoutOutput, 401: NOT_SIGNED_IN, 404: NO_CHECKOUT},
        tags=CART_TAGS,
    )
    def get(self, request: Request) -> Response:
        return Response(checkout_data(current_checkout(request)))

    @extend_schema(
        summary="Start a checkout of the cart (its stock reserved for a while)",
        request=None,
        responses={
            201: CheckoutOutput,
            400: error("The cart is empty, changed (review it), or some of it is not available."),
            401: NOT_SIGNED_IN,
        },
        tags=CART_TAGS,
    )
    def post(self, request: Request) -> Response:
        with service_errors():
            checkout = checkouts.checkout_start(user=request.user)
        return Response(checkout_data(checkout), status=status.HTTP_201_CREATED)


class CheckoutAddressView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Set the address to ship to",
        request=AddressInput,
        responses={
            200: CheckoutOutput,
            400: error("Invalid fields, or a finished checkout."),
            401: NOT_SIGNED_IN,
            404: NO_CHECKOUT,
        },
        tags=CART_TAGS,
    )
    def put(self, request: Request) -> Response:
        data = AddressInput(data=request.data)
        data.is_valid(raise_exception=True)
        checkout = current_checkout(request)
        address = {k: v for k, v in data.validated_data.items() if k != "save_to_account"}
        with service_errors():
            checkout = checkouts.checkout_set_address(
                user=request.user,
                checkout=checkout,
                address=address,
                save_to_account=data.validated_data["save_to_account"],
            )
        return Response(checkout_data(checkout))


class CheckoutShippingView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Choose a shop part's shipping method",
        request=ShippingChoiceInput,
        responses={
            200: CheckoutOutput,
            400: error("Not one of that part's options."),
            401: NOT_SIGNED_IN,
            404: NO_CHECKOUT,
        },
        tags=CART_TAGS,
    )
    def put(self, request: Request) -> Response:
        data = ShippingChoiceInput(data=request.data)
        data.is_valid(raise_exception=True)
        checkout = current_checkout(request)
        with service_errors():
            checkout = checkouts.checkout_choose_shipping(
                user=request.user,
                checkout=checkout,
                shop_id=data.validated_data["shop"],
                method_id=data.validated_data["method"],
            )
        return Response(checkout_data(checkout))


class CheckoutVoucherView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Apply a voucher",
        request=VoucherInput,
        responses={
            200: CheckoutOutput,
            400: error("The voucher does not apply (the message says why)."),
            401: NOT_SIGNED_IN,
            404: NO_CHECKOUT,
        },
        tags=CART_TAGS,
    )
    def put(self, request: Request) -> Response:
        data = VoucherInput(data=request.data)
        data.is_valid(raise_exception=True)
        checkout = current_checkout(request)
        with service_errors():
            message = checkouts.checkout_apply_voucher(
                user=request.user, checkout=checkout, code=data.validated_data["code"]
            )
        return Response(checkout_data(checkout, message))

    @extend_schema(
        summary="Remove the voucher",
        responses={200: CheckoutOutput, 400: error("A finished checkout."), 401: NOT_SIGNED_IN, 404: NO_CHECKOUT},
        tags=CART_TAGS,
    )
    def delete(self, request: Request) -> Response:
        checkout = current_checkout(request)
        with service_errors():
            message = checkouts.checkout_remove_voucher(user=request.user, checkout=checkout)
        return Response(checkout_data(checkout, message))


IDEMPOTENCY_REQUIRED = OpenApiParameter(
    name=IDEMPOTENCY_HEADER,
    location=OpenApiParameter.HEADER,
    required=True,
    type={"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[!-~]([ -~]*[!-~])?$"},
    description=(
        "Required here: a key of the client's choosing naming this attempt. The same key and body "
        "replay the first answer (Idempotent-Replayed: true), for 24 hours; the same key with another "
        "body answers 422."
    ),
)


class CheckoutCompleteView(APIView):
    """Place the order and start its payment; the answer says where the customer pays."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Complete the checkout (place the order)",
        request=CompleteInput,
        parameters=[IDEMPOTENCY_REQUIRED],
        responses={
            201: CompletionOutput,
            400: error("No Idempotency-Key, or the checkout changed (prices, stock, voucher): the reasons."),
            401: NOT_SIGNED_IN,
            404: NO_CHECKOUT,
        },
        tags=CART_TAGS,
    )
    def post(self, request: Request) -> Response:
        if not request.headers.get(IDEMPOTENCY_HEADER):
            raise exceptions.ValidationError(f"Send an {IDEMPOTENCY_HEADER} header: it makes a retry safe.")
        data = CompleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        token = data.validated_data.get("checkout")
        if token is None:
            checkout = current_checkout(request)
        elif (checkout := checkout_selectors.checkout_get_for_user(user=request.user, token=token)) is None:
            raise exceptions.NotFound("No such checkout of yours.")
        with service_errors():
            completion = checkouts.checkout_complete(user=request.user, checkout=checkout)
        order = completion.order
        data = {
            "number": order.number,
            "token": order.token,
            "status": order.status,
            "total": order.total,
            "redirect_url": request.build_absolute_uri(completion.redirect_url),
            "order_url": reverse("api-shop-order", args=[order.number], request=request),
        }
        return Response(CompletionOutput(data).data, status=status.HTTP_201_CREATED)
