"""Checkout's settings in the Django admin: shipping methods, tax rates and vouchers (staff)."""

from __future__ import annotations

from django.contrib import admin

from apps.commerce.models import ShippingMethod, TaxRate, Voucher


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin):
    list_display = ["name", "shop", "kind", "price", "free_above", "is_active", "position"]
    list_filter = ["kind", "is_active", "shop"]
    list_select_related = ["shop"]
    search_fields = ["name", "shop__name"]
    raw_id_fields = ["shop"]  # the shops admin (another area) may add a search; ids work without it


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ["country", "name", "rate"]
    search_fields = ["country", "name"]


@admin.register(Voucher)
class VoucherAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "value", "currency", "used", "usage_limit", "starts_at", "ends_at", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code"]
    readonly_fields = ["used", "created_at"]
    filter_horizontal = ["shops", "products"]
    raw_id_fields = ["shop"]
