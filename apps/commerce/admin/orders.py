"""Orders in the admin, for staff: read the whole story of an order (parts, lines, payments,
refunds, the timeline), returns and download grants. Money moves only through the services
(the refund and fulfilment forms on the site), so these pages show and search, they do not edit
amounts or counts."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.commerce.models import (
    DownloadGrant,
    Order,
    OrderEvent,
    OrderLine,
    OrderShop,
    Payment,
    PaymentEvent,
    Refund,
    ReturnRequest,
)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PartInline(_ReadOnlyInline):
    model = OrderShop
    fields = ("shop", "status", "shipping_name", "shipping_price", "subtotal")


class LineInline(_ReadOnlyInline):
    model = OrderLine
    fields = (
        "part",
        "product_name",
        "variant_name",
        "sku",
        "quantity",
        "quantity_fulfilled",
        "quantity_refunded",
        "total",
    )


class PaymentInline(_ReadOnlyInline):
    model = Payment
    fields = ("provider", "status", "amount", "captured", "refunded", "created_at")


class RefundInline(_ReadOnlyInline):
    model = Refund
    fields = ("shop", "amount", "status", "reason", "created_by", "created_at")


class EventInline(_ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "kind", "message", "shop", "actor", "internal")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "email", "status", "total", "refunded_total", "created_at", "paid_at")
    list_filter = ("status", "created_at")
    search_fields = ("number", "email")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Order._meta.fields]
    inlines = (PartInline, LineInline, PaymentInline, RefundInline, EventInline)
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders come from checkouts


@admin.register(PaymentEvent)
class PaymentEventAdmin(admin.ModelAdmin):
    list_display = ("payment", "kind", "amount", "success", "created_at")
    list_filter = ("kind", "success")
    search_fields = ("payment__order__number", "provider_event_id")
    readonly_fields = [field.name for field in PaymentEvent._meta.fields]
    list_select_related = ("payment",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ReturnRequest)
class ReturnRequestAdmin(admin.ModelAdmin):
    list_display = ("order", "part", "user", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("order__number", "user__email")
    readonly_fields = ("order", "part", "user", "lines", "reason", "status", "response", "created_at")
    list_select_related = ("order", "part__shop", "user")


@admin.register(DownloadGrant)
class DownloadGrantAdmin(admin.ModelAdmin):
    """Staff may revoke a grant or give more downloads (within the check constraint)."""

    list_display = ("line", "asset", "downloads", "max_downloads", "revoked", "created_at")
    list_filter = ("revoked",)
    search_fields = ("line__order__number", "asset__filename")
    fields = ("line", "asset", "downloads", "max_downloads", "revoked")
    readonly_fields = ("line", "asset", "downloads")
    list_select_related = ("line", "asset")
