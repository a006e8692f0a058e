"""A customer's own orders: the list (paid and after) and an order by its number. Someone else's
order answers 404, as if it did not exist."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.commerce.api.common import NOT_SIGNED_IN, error
from apps.commerce.api.serializers import OrderDetailOutput, OrderListOutput
from apps.commerce.models import Order
from apps.commerce.selectors import orders as selectors

ORDER_TAGS = ["shop orders"]


class OrderListView(GenericAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="List your orders",
        responses={200: OrderListOutput(many=True), 401: NOT_SIGNED_IN, 404: error("No such page.")},
        tags=ORDER_TAGS,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(OrderListOutput(page, many=True).data)

    def get_queryset(self) -> QuerySet[Order]:
        return selectors.order_list_for_customer(user=self.request.user)


class OrderDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Read one of your orders",
        responses={200: OrderDetailOutput, 401: NOT_SIGNED_IN, 404: error("No such order of yours.")},
        tags=ORDER_TAGS,
    )
    def get(self, request: Request, number: str) -> Response:
        order = selectors.order_get_for_user(user=request.user, number=number)
        if order is None:
            raise exceptions.NotFound("No such order.")
        return Response(OrderDetailOutput(order).data)
