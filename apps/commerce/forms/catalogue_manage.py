"""The forms of the shop owners' pages (/shop/manage/): a shop, a product's content (its
description in the platform's block editor), a variant, its stock, an image, a digital file.
Each turns into the plain values a service takes; the services check everything again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings

from apps.commerce.models import AttributeValue, Category, Product, ProductType, ProductVariant, Shop
from apps.commerce.services.catalogue import ProductInput, ShopInput, VariantInput
from apps.core.blocks import BlocksField

IMAGE_ACCEPT = "image/png,image/jpeg,image/gif,image/webp"


class ShopForm(forms.Form):
    name = forms.CharField(max_length=120)
    slug = forms.SlugField(
        max_length=80,
        required=False,
        label="Address",
        help_text="As in /shop/s/my-shop/. Made from the name when empty.",
    )
    description = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    policies = forms.CharField(
        max_length=5000, required=False, label="Shipping and returns", widget=forms.Textarea(attrs={"rows": 4})
    )
    currency = forms.ChoiceField(choices=[(c, c) for c in settings.CURRENCIES])
    contact_email = forms.EmailField(required=False, label="Contact email")
    contact_phone = forms.CharField(max_length=40, required=False, label="Contact phone")
    logo = forms.FileField(
        required=False, widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}), help_text="PNG, JPEG, GIF or WebP."
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")

    @staticmethod
    def initial_for(shop: Shop) -> dict[str, Any]:
        fields = ("name", "slug", "description", "policies", "currency", "contact_email", "contact_phone")
        return {name: getattr(shop, name) for name in fields}

    def shop_input(self) -> ShopInput:
        data = self.cleaned_data
        return ShopInput(
            name=data["name"],
            slug=data["slug"],
            description=data["description"],
            policies=data["policies"],
            currency=data["currency"],
            contact_email=data["contact_email"],
            contact_phone=data["contact_phone"],
        )


class ProductForm(forms.Form):
    """A product's content. On a new product also its shop and type (fixed afterwards)."""

    shop = forms.ModelChoiceField(queryset=Shop.objects.none(), required=False)
    product_type = forms.ModelChoiceField(queryset=ProductType.objects.order_by("name"), required=False, label="Type")
    name = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=100,
        required=False,
        label="Address",
        help_text="As in /shop/products/my-mug/. Made from the name when empty.",
    )
    category = forms.ModelChoiceField(queryset=Category.objects.order_by("name"), required=False)
    attributes = forms.ModelMultipleChoiceField(
        queryset=AttributeValue.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Attributes",
        help_text="What describes the product as a whole (its material ...).",
    )
    description = BlocksField(
        label="Description", help_text="Markdown shortcuts work as you type: ## heading, **bold**."
    )
    seo_description = forms.CharField(
        max_length=300, required=False, label="Description for search engines", widget=forms.Textarea(attrs={"rows": 2})
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args: Any, shops: Any = None, product: Product | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.product = product
        if product is None:
            self.fields["shop"].queryset = shops if shops is not None else Shop.objects.none()
            self.fields["shop"].required = self.fields["product_type"].required = True
            self.fields["attributes"].queryset = (
                AttributeValue.objects.select_related("attribute")
                .filter(attribute__product_types__isnull=False)
                .distinct()
            )
        else:
            del self.fields["shop"], self.fields["product_type"]
            self.fields["attributes"].queryset = AttributeValue.objects.select_related("attribute").filter(
                attribute__in=product.product_type.product_attributes.all()
            )
        self.fields["attributes"].label_from_instance = lambda v: f"{v.attribute.name}: {v.name}"

    @staticmethod
    def initial_for(content: dict[str, Any], based_on: int) -> dict[str, Any]:
        return {
            "name": content.get("name", ""),
            "slug": content.get("slug", ""),
            "category": content.get("category"),
            "attributes": content.get("attributes") or [],
            "description": content.get("description") or [],
            "seo_description": content.get("seo_description", ""),
            "based_on": based_on,
        }

    def product_input(self) -> ProductInput:
        data = self.cleaned_data
        return ProductInput(
            name=data["name"],
            slug=data["slug"],
            description=data["description"],
            seo_description=data["seo_description"],
            category_id=data["category"].pk if data["category"] else None,
            attribute_ids=tuple(value.pk for value in data["attributes"]),
        )


class VariantForm(forms.Form):
    sku = forms.CharField(max_length=64, label="SKU")
    name = forms.CharField(max_length=120, required=False, help_text="As buyers pick it, e.g. “M / Blue”.")
    price = forms.DecimalField(min_value=Decimal(0), max_digits=12, decimal_places=2)
    compare_at_price = forms.DecimalField(
        min_value=Decimal(0), max_digits=12, decimal_places=2, required=False, label="Price before a reduction"
    )
    weight_grams = forms.IntegerField(min_value=0, max_value=1_000_000, initial=0, label="Weight (g)")
    options = forms.ModelMultipleChoiceField(
        queryset=AttributeValue.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    position = forms.IntegerField(min_value=0, max_value=1000, initial=0, required=False)
    is_active = forms.BooleanField(required=False, initial=True, label="For sale")
    quantity = forms.IntegerField(min_value=0, max_value=1_000_000, initial=0, required=False, label="On hand")

    def __init__(self, *args: Any, product: Product, variant: ProductVariant | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["options"].queryset = AttributeValue.objects.select_related("attribute").filter(
            attribute__in=product.product_type.variant_attributes.all()
        )
        self.fields["options"].label_from_instance = lambda v: f"{v.attribute.name}: {v.name}"
        if variant is not None:
            del self.fields["quantity"]  # stock has its own form, under the row lock

    @staticmethod
    def initial_for(variant: ProductVariant) -> dict[str, Any]:
        return {
            "sku": variant.sku,
            "name": variant.name,
            "price": variant.price.amount,
            "compare_at_price": variant.compare_at_price.amount if variant.compare_at_price else None,
            "weight_grams": variant.weight_grams,
            "options": [value.pk for value in variant.options.all()],
            "position": variant.position,
            "is_active": variant.is_active,
        }

    def variant_input(self) -> VariantInput:
        data = self.cleaned_data
        return VariantInput(
            sku=data["sku"],
            name=data["name"],
            price=data["price"],
            compare_at_price=data["compare_at_price"],
            weight_grams=data["weight_grams"],
            option_ids=tuple(value.pk for value in data["options"]),
            position=data.get("position") or 0,
            is_active=data["is_active"],
        )


class StockForm(forms.Form):
    quantity = forms.IntegerField(min_value=0, max_value=1_000_000, label="On hand")


class ImageForm(forms.Form):
    image = forms.FileField(widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}), help_text="PNG, JPEG, GIF or WebP.")
    alt = forms.CharField(max_length=300, label="Description", help_text="What the picture shows, for screen readers.")


class DigitalFileForm(forms.Form):
    file = forms.FileField(help_text="What buyers download (a PDF, a zip ...).")
    max_downloads = forms.IntegerField(min_value=1, max_value=100, initial=5, label="Downloads per purchase")
    link_hours = forms.IntegerField(min_value=1, max_value=720, initial=48, label="Hours a link stays valid")


class ScheduleForm(forms.Form):
    go_live_at = forms.DateTimeField(
        required=False,
        label="Publish at (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Empty cancels the schedule.",
    )
