"""Shop management for shop owners (their shops only) and admins (every shop): products (drafts
through the catalogue's publishing services), variants and stock (``stock.set_on_hand`` through
``services.catalogue.stock_set``), and their parts of orders: fulfil, cancel, refund
(services/orders.py).

Who gets what: anonymous 401; signed in but neither shop owner nor admin 403; a product, variant
or order part of a shop one does not run 404, as if it did not exist."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.commerce import permissions
from apps.commerce.api.common import MANAGE_TAGS, NOT_A_MANAGER, NOT_SIGNED_IN, error, require_manager, service_errors
from apps.commerce.api.serializers_manage import (
    CancelInput,
    DraftSavedOutput,
    FulfilInput,
    ManagedProductListFilterInput,
    ManagedProductOutput,
    ManagedShopOutput,
    ManagedVariantOutput,
    PartDetailOutput,
    PartListFilterInput,
    PartOutput,
    ProductCreateInput,
    ProductUpdateInput,
    RefundInput,
    RefundOutput,
    StockSetInput,
    VariantCreateInput,
)
from apps.commerce.models import OrderShop, Product, ProductType, Shop
from apps.commerce.selectors import catalogue
from apps.commerce.selectors import orders as order_selectors
from apps.commerce.services import catalogue as services
from apps.commerce.services import orders as order_services

NOT_YOURS = error("No such object in the shops you run.")
BAD_INPUT = error("Invalid fields (fields names them), or the service refused (the message says why).")
CONFLICT = error("Someone saved the draft after the revision you edited (based_on).")


def _managed_product(user: Any, pk: int) -> Product:
    product = catalogue.product_get_for_manager(pk=pk)
    if product is None or not permissions.can_manage_shop(user, product.shop):
        raise exceptions.NotFound("No such product in your shops.")
    return product


def _managed_part(user: Any, pk: int) -> OrderShop:
    part = order_selectors.part_get_for_manager(user=user, pk=pk)
    if part is None:
        raise exceptions.NotFound("No such order part in your shops.")
    return part


class ManagerView(APIView):
    """Signed in, then a shop owner or admin, before anything else."""

    permission_classes = [IsAuthenticated]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        require_manager(request.user)


class ManagedShopListView(ManagerView, GenericAPIView):
    @extend_schema(
        summary="List the shops you run",
        responses={
            200: ManagedShopOutput(many=True),
            401: NOT_SIGNED_IN,
            403: NOT_A_MANAGER,
            404: error("No such page."),
        },
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ManagedShopOutput(page, many=True).data)

    def get_queryset(self) -> QuerySet[Shop]:
        return catalogue.shop_list_for_manager(user=self.request.user)


class ManagedProductListView(ManagerView, GenericAPIView):
    @extend_schema(
        summary="List the products of your shops (drafts too)",
        parameters=[ManagedProductListFilterInput],
        responses={
            200: ManagedProductOutput(many=True),
            400: error("A malformed filter."),
            401: NOT_SIGNED_IN,
            403: NOT_A_MANAGER,
            404: error("No such page."),
        },
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ManagedProductOutput(page, many=True).data)

    def get_queryset(self) -> QuerySet[Product]:
        filters = ManagedProductListFilterInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        shop = None
        if "shop" in filters.validated_data:
            shop = catalogue.shop_get(pk=filters.validated_data["shop"])
            if shop is None or not permissions.can_manage_shop(self.request.user, shop):
                return Product.objects.none()
        return catalogue.product_list_for_manager(user=self.request.user, shop=shop)

    @extend_schema(
        summary="Start a product (a draft)",
        request=ProductCreateInput,
        responses={201: ManagedProductOutput, 400: BAD_INPUT, 401: NOT_SIGNED_IN, 403: NOT_A_MANAGER},
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request) -> Response:
        data = ProductCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        shop = catalogue.shop_get(pk=values["shop"])
        if shop is None or not permissions.can_manage_shop(request.user, shop):
            raise exceptions.ValidationError({"shop": ["Choose one of the shops you run."]})
        product_type = ProductType.objects.filter(pk=values["product_type"]).first()
        if product_type is None:
            raise exceptions.ValidationError({"product_type": ["No such product type."]})
        with service_errors():
            product = services.product_create(
                actor=request.user,
                shop=shop,
                product_type=product_type,
                data=services.ProductInput(
                    name=values["name"],
                    slug=values["slug"],
                    seo_description=values["seo_description"],
                    category_id=values["category"],
                ),
            )
        return Response(ManagedProductOutput(_managed_product(request.user, product.pk)).data, status=201)


class ManagedProductView(ManagerView):
    @extend_schema(
        summary="Read a product of your shops",
        responses={200: ManagedProductOutput, 401: NOT_SIGNED_IN, 403: NOT_A_MANAGER, 404: NOT_YOURS},
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ManagedProductOutput(_managed_product(request.user, pk)).data)

    @extend_schema(
        summary="Save a new revision of a product's draft (publishing makes it live)",
        request=ProductUpdateInput,
        responses={
            200: DraftSavedOutput,
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: NOT_A_MANAGER,
            404: NOT_YOURS,
            409: CONFLICT,
        },
        tags=MANAGE_TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        product = _managed_product(request.user, pk)
        data = ProductUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        draft = services.product_draft(product)
        with service_errors():
            revision = services.product_update(
                actor=request.user,
                product=product,
                based_on=values["based_on"],
                data=services.ProductInput(
                    name=values["name"],
                    slug=values["slug"],
                    # What this API does not edit is kept from the draft: its blocks and values.
                    description=draft.get("description") or [],
                    seo_description=values["seo_description"],
                    category_id=values["category"],
                    attribute_ids=tuple(draft.get("attributes") or ()),
                ),
            )
        return Response(
            {"revision": revision, "product": ManagedProductOutput(_managed_product(request.user, pk)).data}
        )


class VariantListView(ManagerView):
    @extend_schema(
        summary="Add a variant (with its stock on hand)",
        request=VariantCreateInput,
        responses={201: ManagedVariantOutput, 400: BAD_INPUT, 401: NOT_SIGNED_IN, 403: NOT_A_MANAGER, 404: NOT_YOURS},
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        product = _managed_product(request.user, pk)
        data = VariantCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with service_errors():
            variant = services.variant_create(
                actor=request.user,
                product=product,
                quantity=values["quantity"],
                data=services.VariantInput(
                    sku=values["sku"],
                    name=values["name"],
                    price=values["price"],
                    compare_at_price=values["compare_at_price"],
                    weight_grams=values["weight_grams"],
                ),
            )
        variant = catalogue.variant_get_for_manager(pk=variant.pk)
        return Response(ManagedVariantOutput(variant).data, status=201)


class StockView(ManagerView):
    @extend_schema(
        summary="Set a variant's stock on hand",
        request=StockSetInput,
        responses={
            200: ManagedVariantOutput,
            400: error("Invalid, or below what is sold or held by checkouts (the message says how many)."),
            401: NOT_SIGNED_IN,
            403: NOT_A_MANAGER,
            404: NOT_YOURS,
        },
        tags=MANAGE_TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        variant = catalogue.variant_get_for_manager(pk=pk)
        if variant is None or not permissions.can_manage_shop(request.user, variant.product.shop):
            raise exceptions.NotFound("No such variant in your shops.")
        data = StockSetInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            services.stock_set(actor=request.user, variant=variant, quantity=data.validated_data["quantity"])
        return Response(ManagedVariantOutput(catalogue.variant_get_for_manager(pk=pk)).data)


# --- Orders of one's shops ---------------------------------------------------------------------


class PartListView(ManagerView, GenericAPIView):
    @extend_schema(
        summary="List your shops' parts of orders (paid and after), newest first",
        parameters=[PartListFilterInput],
        responses={
            200: PartOutput(many=True),
            400: error("A malformed filter."),
            401: NOT_SIGNED_IN,
            403: NOT_A_MANAGER,
            404: error("No such page."),
        },
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PartOutput(page, many=True).data)

    def get_queryset(self) -> QuerySet[OrderShop]:
        filters = PartListFilterInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        return order_selectors.part_list_for_manager(
            user=self.request.user, status=values.get("status", ""), search=values["search"]
        )


class PartView(ManagerView):
    @extend_schema(
        summary="Read a part of an order",
        responses={200: PartDetailOutput, 401: NOT_SIGNED_IN, 403: NOT_A_MANAGER, 404: NOT_YOURS},
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(PartDetailOutput(_managed_part(request.user, pk)).data)


def _quantities(lines: list[dict[str, int]]) -> dict[int, int]:
    wanted: dict[int, int] = {}
    for item in lines:
        wanted[item["line"]] = wanted.get(item["line"], 0) + item["quantity"]
    return wanted


class PartFulfilView(ManagerView):
    @extend_schema(
        summary="Send lines of a part (a fulfilment with its tracking number)",
        request=FulfilInput,
        responses={200: PartDetailOutput, 400: BAD_INPUT, 401: NOT_SIGNED_IN, 403: NOT_A_MANAGER, 404: NOT_YOURS},
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        part = _managed_part(request.user, pk)
        data = FulfilInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with service_errors():
            order_services.part_fulfil(
                user=request.user,
                part=part,
                lines=_quantities(values["lines"]),
                tracking_number=values["tracking_number"],
                carrier=values["carrier"],
            )
        return Response(PartDetailOutput(_managed_part(request.user, pk)).data)


class PartCancelView(ManagerView):
    @extend_schema(
        summary="Cancel a part nothing of was sent (refunded through the provider)",
        request=CancelInput,
        responses={200: PartDetailOutput, 400: BAD_INPUT, 401: NOT_SIGNED_IN, 403: NOT_A_MANAGER, 404: NOT_YOURS},
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        part = _managed_part(request.user, pk)
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            order_services.part_cancel(user=request.user, part=part, reason=data.validated_data["reason"])
        return Response(PartDetailOutput(_managed_part(request.user, pk)).data)


class PartRefundView(ManagerView):
    @extend_schema(
        summary="Refund lines, an amount, or everything left of a part",
        request=RefundInput,
        responses={200: RefundOutput, 400: BAD_INPUT, 401: NOT_SIGNED_IN, 403: NOT_A_MANAGER, 404: NOT_YOURS},
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        part = _managed_part(request.user, pk)
        data = RefundInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with service_errors():
            refund = order_services.order_refund(
                user=request.user,
                order=part.order,
                part=part,
                lines=_quantities(values["lines"]) if values.get("lines") else None,
                amount=values.get("amount"),
                restock=values["restock"],
                reason=values["reason"],
            )
        body = {"status": refund.status, "amount": refund.amount, "part": _managed_part(request.user, pk)}
        return Response(RefundOutput(body).data)
