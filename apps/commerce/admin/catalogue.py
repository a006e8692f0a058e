"""The catalogue in the Django admin, for staff: shops, products (variants with their stock, and
images, inline), categories, collections, product types and attributes (values inline).

A product's content (name, address, description, category, attribute values) is published
content: staff edit it through the engine on the site's product editor (linked from each row),
so it is read-only here; publishing and unpublishing are admin actions through the services.
Stock on hand is set through ``stock.set_on_hand`` (the variants' "on hand" column), never by
writing the counts, so the admin cannot go below what is sold or held.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from apps.commerce.models import (
    Attribute,
    AttributeValue,
    Category,
    Collection,
    Product,
    ProductImage,
    ProductType,
    ProductVariant,
    Shop,
    Stock,
)
from apps.commerce.services import catalogue as services
from apps.commerce.templatetags.catalogue_tags import rendition


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "owner", "currency", "is_active", "created_at")
    list_filter = ("is_active", "currency")
    search_fields = ("name", "slug", "owner__email", "contact_email")
    raw_id_fields = ("owner",)
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request: HttpRequest, obj: Shop, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.forget_catalogue_pages()


class VariantForm(forms.ModelForm):
    on_hand = forms.IntegerField(min_value=0, required=False, label="On hand")

    class Meta:
        model = ProductVariant
        fields = ("sku", "name", "price", "compare_at_price", "weight_grams", "options", "position", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        row = getattr(self.instance, "stock", None) if self.instance.pk else None
        if row is not None:
            self.fields["on_hand"].initial = row.quantity
            self.fields["on_hand"].help_text = f"{row.allocated} sold, {row.reserved} in checkouts"


class VariantInline(admin.TabularInline):
    model = ProductVariant
    form = VariantForm
    extra = 0
    filter_horizontal = ()
    autocomplete_fields = ("options",)


class ImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("image", "alt", "position", "preview")
    readonly_fields = ("preview",)

    @admin.display(description="Picture")
    def preview(self, obj: ProductImage) -> str:
        url = rendition(obj, "thumbnail")
        return format_html('<img src="{}" width="80" height="80" alt="">', url) if url else ""


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "shop", "product_type", "category", "live", "min_price", "edit_on_site")
    list_filter = ("live", "product_type", "shop", "category")
    search_fields = ("name", "slug", "variants__sku")
    list_select_related = ("shop", "product_type", "category")
    raw_id_fields = ("shop",)
    readonly_fields = (
        "name",
        "slug",
        "seo_description",
        "category",
        "live",
        "min_price",
        "rating_average",
        "rating_count",
        "edit_on_site",
    )
    fields = (
        "edit_on_site",
        "shop",
        "product_type",
        "name",
        "slug",
        "seo_description",
        "category",
        "live",
        "min_price",
        "rating_average",
        "rating_count",
        "reference_app",
        "reference_kind",
        "reference_id",
    )
    inlines = (VariantInline, ImageInline)
    actions = ("publish", "unpublish")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New products start as drafts in the engine: on the site's product editor.
        return False

    @admin.display(description="Editor")
    def edit_on_site(self, obj: Product) -> str:
        if not obj.pk:
            return ""
        return format_html(
            '<a href="{}">Edit the content on the site</a>', reverse("commerce:manage-product", args=[obj.pk])
        )

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is not ProductVariant:
            services.forget_catalogue_pages()
            return
        for variant_form in formset.forms:
            variant = variant_form.instance
            on_hand = variant_form.cleaned_data.get("on_hand") if hasattr(variant_form, "cleaned_data") else None
            if variant.pk is None or on_hand is None or variant_form.cleaned_data.get("DELETE"):
                continue
            Stock.objects.get_or_create(variant=variant)
            try:
                services.stock_set(actor=request.user, variant=variant, quantity=on_hand)
            except ValidationError as exc:
                messages.error(request, f"{variant.sku}: {' '.join(exc.messages)}")
        services.product_refresh_prices(product_id=form.instance.pk)
        services.forget_catalogue_pages()

    def _each(self, request: HttpRequest, queryset: QuerySet[Product], action: Any, verb: str) -> None:
        done = 0
        for product in queryset.select_related("shop"):
            try:
                action(actor=request.user, product=product)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, f"{product.name}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
        if done:
            messages.success(request, f"{done} product{'s' if done != 1 else ''} {verb}.")

    @admin.action(description="Publish the newest drafts")
    def publish(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        self._each(request, queryset, services.product_publish, "published")

    @admin.action(description="Unpublish")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        self._each(request, queryset, services.product_unpublish, "unpublished")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent", "position")
    list_select_related = ("parent",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request: HttpRequest, obj: Category, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.forget_catalogue_pages()


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_published")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("products",)

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.forget_catalogue_pages()


@admin.register(ProductType)
class ProductTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind")
    list_filter = ("kind",)
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("product_attributes", "variant_attributes")


class AttributeValueInline(admin.TabularInline):
    model = AttributeValue
    extra = 1
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Attribute)
class AttributeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (AttributeValueInline,)


@admin.register(AttributeValue)
class AttributeValueAdmin(admin.ModelAdmin):
    # For the variants' option picker (autocomplete); values are edited inline on their attribute.
    search_fields = ("name", "attribute__name")
    list_display = ("attribute", "name", "slug")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False
