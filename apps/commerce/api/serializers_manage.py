"""Shapes of the shop owners' API: their shops, products (drafts too) with variants and stock,
and their parts of orders (fulfil, cancel, refund)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.commerce.api.serializers import FulfilmentOutput, MoneyOutput, OrderLineOutput, ShopRefOutput
from apps.commerce.models import OrderShop
from apps.core.api import BoundedIntegerField, IdField

MAX_PRICE_DIGITS = 12  # MoneyField's max_digits (apps/commerce/models.py MONEY)


class ManagedShopOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.SlugField()
    currency = serializers.CharField()
    is_active = serializers.BooleanField()


class StockOutput(serializers.Serializer):
    quantity = serializers.IntegerField(help_text="On hand.")
    allocated = serializers.IntegerField(help_text="Sold, not yet shipped.")
    reserved = serializers.IntegerField(help_text="Held by checkouts.")
    available = serializers.IntegerField()


class ManagedVariantOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    price = MoneyOutput()
    compare_at_price = MoneyOutput(allow_null=True)
    weight_grams = serializers.IntegerField()
    is_active = serializers.BooleanField()
    stock = serializers.SerializerMethodField()

    @extend_schema_field(StockOutput(allow_null=True))
    def get_stock(self, variant: Any) -> dict[str, int] | None:
        row = getattr(variant, "stock", None)
        if row is None:
            return None
        return {
            "quantity": row.quantity,
            "allocated": row.allocated,
            "reserved": row.reserved,
            "available": row.available,
        }


class ManagedProductOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.SlugField()
    live = serializers.BooleanField()
    latest_revision = serializers.IntegerField(help_text="Send it back as based_on when you update the draft.")
    shop = ManagedShopOutput()
    product_type = serializers.CharField(source="product_type.name")
    variants = ManagedVariantOutput(many=True, source="variant_list")


class ManagedProductListFilterInput(serializers.Serializer):
    shop = IdField(required=False, help_text="Only this shop's products.")


class ProductCreateInput(serializers.Serializer):
    shop = IdField()
    product_type = IdField()
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=100, required=False, allow_blank=True, default="")
    seo_description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    category = IdField(required=False, allow_null=True, default=None)


class ProductUpdateInput(serializers.Serializer):
    based_on = BoundedIntegerField(min_value=0, help_text="The revision you edited (latest_revision).")
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=100, required=False, allow_blank=True, default="")
    seo_description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    category = IdField(required=False, allow_null=True, default=None)


class DraftSavedOutput(serializers.Serializer):
    revision = serializers.IntegerField()
    product = ManagedProductOutput()


class VariantCreateInput(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    price = serializers.DecimalField(max_digits=MAX_PRICE_DIGITS, decimal_places=2, min_value=0)
    compare_at_price = serializers.DecimalField(
        max_digits=MAX_PRICE_DIGITS, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    weight_grams = BoundedIntegerField(min_value=0, required=False, default=0)
    quantity = BoundedIntegerField(min_value=0, required=False, default=0, help_text="Units on hand.")


class StockSetInput(serializers.Serializer):
    quantity = BoundedIntegerField(min_value=0, help_text="Units on hand.")


class PartListFilterInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=OrderShop.Status.values,
        required=False,
    )
    search = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class PartOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(source="order.number")
    order_status = serializers.CharField(source="order.status")
    email = serializers.EmailField(source="order.email")
    created_at = serializers.DateTimeField(source="order.created_at")
    shop = ShopRefOutput()
    status = serializers.CharField()
    shipping_name = serializers.CharField()
    shipping_price = MoneyOutput()
    subtotal = MoneyOutput()


class PartDetailOutput(PartOutput):
    shipping_address = serializers.DictField(child=serializers.CharField(), source="order.shipping_address")
    lines = OrderLineOutput(many=True, source="lines.all")
    fulfilments = FulfilmentOutput(many=True, source="fulfilments.all")


class LineQuantityInput(serializers.Serializer):
    line = IdField()
    quantity = BoundedIntegerField(min_value=1)


class FulfilInput(serializers.Serializer):
    lines = LineQuantityInput(many=True, help_text="The lines sent and how many of each.")
    tracking_number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    carrier = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")

    def validate_lines(self, lines: list[dict[str, int]]) -> list[dict[str, int]]:
        if not lines or len(lines) > 200:
            raise serializers.ValidationError("Name 1 to 200 lines.")
        return lines


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RefundInput(serializers.Serializer):
    lines = LineQuantityInput(many=True, required=False, help_text="Units refunded; none: everything left.")
    amount = serializers.DecimalField(
        max_digits=MAX_PRICE_DIGITS,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text="Money only.",
    )
    restock = serializers.BooleanField(required=False, default=True)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate_lines(self, lines: list[dict[str, int]]) -> list[dict[str, int]]:
        if len(lines) > 200:
            raise serializers.ValidationError("At most 200 lines.")
        return lines


class RefundOutput(serializers.Serializer):
    status = serializers.CharField(help_text="succeeded, pending or failed (the provider's answer).")
    amount = MoneyOutput()
    part = PartDetailOutput()
