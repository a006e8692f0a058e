"""Shapes of the shop's public and customers' API: ``…Input`` serializers parse what clients
send, ``…Output`` serializers say what they get back. Money is always
``{"amount": "12.50", "currency": "EUR"}``: the amount a decimal string, never a float."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django_countries import countries
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.commerce.selectors.catalogue import SORTS
from apps.core.api import BoundedIntegerField, IdField

ATTRIBUTE_PICK = r"^[-a-zA-Z0-9_]{1,60}:[-a-zA-Z0-9_]{1,60}$"


def absolute_url(url: str) -> str:
    """``url`` on the site's own address (SITE_URL) when it is a path; "" stays ""."""
    if url.startswith("/") and not url.startswith("//"):
        return f"{settings.SITE_URL.rstrip('/')}{url}"
    return url


class MoneyOutput(serializers.Serializer):
    """A djmoney ``Money`` as a decimal string and its currency."""

    amount = serializers.CharField(help_text='A decimal string with two places, e.g. "12.50".')
    currency = serializers.CharField(help_text="ISO 4217 code, e.g. EUR.")

    def to_representation(self, instance: Any) -> dict[str, str]:
        return {"amount": f"{instance.amount:.2f}", "currency": str(instance.currency)}


# --- Catalogue ---------------------------------------------------------------------------------


class ShopRefOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()


class ShopOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()
    description = serializers.CharField()
    policies = serializers.CharField()
    currency = serializers.CharField()
    contact_email = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, shop: Any) -> str:
        return absolute_url(reverse("commerce:shop", args=[shop.slug]))


class CategoryChildOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()


class ShopCategoryOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()
    description = serializers.CharField()
    children = CategoryChildOutput(many=True, source="children.all")


class CollectionOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()
    description = serializers.CharField()


class CardImageOutput(serializers.Serializer):
    url = serializers.CharField(help_text="The card rendition's URL.")
    alt = serializers.CharField()


class ProductCardOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.SlugField()
    url = serializers.SerializerMethodField()
    shop = ShopRefOutput()
    price = serializers.SerializerMethodField(help_text="The cheapest active variant's price (null: none).")
    compare_at_price = serializers.SerializerMethodField()
    available = serializers.BooleanField(help_text="Whether some variant is in stock now.")
    rating_average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    rating_count = serializers.IntegerField()
    image = serializers.SerializerMethodField()

    def get_url(self, product: Any) -> str:
        return absolute_url(product.get_absolute_url())

    def _cheapest(self, product: Any) -> Any:
        return product.active_variants[0] if product.active_variants else None

    @extend_schema_field(MoneyOutput(allow_null=True))
    def get_price(self, product: Any) -> dict[str, str] | None:
        variant = self._cheapest(product)
        return MoneyOutput(variant.price).data if variant is not None else None

    @extend_schema_field(MoneyOutput(allow_null=True))
    def get_compare_at_price(self, product: Any) -> dict[str, str] | None:
        variant = self._cheapest(product)
        if variant is None or variant.compare_at_price is None:
            return None
        return MoneyOutput(variant.compare_at_price).data

    @extend_schema_field(CardImageOutput(allow_null=True))
    def get_image(self, product: Any) -> dict[str, str] | None:
        if not product.image_list:
            return None
        first = product.image_list[0]
        url = getattr(first, "card_url", "")
        return {"url": absolute_url(url), "alt": first.alt} if url else None


class FacetValueOutput(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class FacetOutput(serializers.Serializer):
    slug = serializers.SlugField(help_text="The attribute; filter with attr=<slug>:<value slug>.")
    name = serializers.CharField()
    values = FacetValueOutput(many=True)


class ProductPageOutput(serializers.Serializer):
    count = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ProductCardOutput(many=True)
    facets = FacetOutput(many=True, help_text="Attribute values of the whole result, with their counts.")


class ProductListFilterInput(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="Search words.")
    category = serializers.SlugField(required=False, max_length=80, help_text="A category and those under it.")
    collection = serializers.SlugField(required=False, max_length=80)
    shop = serializers.SlugField(required=False, max_length=80)
    min_price = serializers.DecimalField(required=False, max_digits=10, decimal_places=2, min_value=0)
    max_price = serializers.DecimalField(required=False, max_digits=10, decimal_places=2, min_value=0)
    in_stock = serializers.BooleanField(required=False, default=False)
    attr = serializers.ListField(
        child=serializers.RegexField(ATTRIBUTE_PICK, max_length=121),
        required=False,
        max_length=30,
        help_text="attribute:value pairs (attr=colour:red&attr=size:m): AND across attributes, OR within one.",
    )
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, default="newest")
    page = BoundedIntegerField(required=False, min_value=1, default=1)
    page_size = BoundedIntegerField(required=False, min_value=1, max_value=100, default=24)

    def validate(self, values: dict[str, Any]) -> dict[str, Any]:
        low, high = values.get("min_price"), values.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"max_price": ["The highest price is below the lowest."]})
        return values


class OptionOutput(serializers.Serializer):
    attribute = serializers.CharField(source="attribute.name")
    attribute_slug = serializers.SlugField(source="attribute.slug")
    value = serializers.CharField(source="name")
    value_slug = serializers.SlugField(source="slug")


class VariantOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    price = MoneyOutput()
    compare_at_price = MoneyOutput(allow_null=True)
    weight_grams = serializers.IntegerField()
    options = OptionOutput(many=True, source="options.all")
    available = serializers.SerializerMethodField(help_text="Units one may buy now (neither sold nor held).")

    def get_available(self, variant: Any) -> int:
        row = getattr(variant, "stock", None)
        return max(0, row.available) if row is not None else 0


class ImageOutput(serializers.Serializer):
    alt = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    thumbnail = serializers.CharField(source="thumbnail_url", help_text="Rendition URLs (empty: file lost).")
    card = serializers.CharField(source="card_url")
    large = serializers.CharField(source="large_url")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        for name in ("thumbnail", "card", "large"):
            data[name] = absolute_url(data[name])
        return data


class ProductTypeRefOutput(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField(help_text="physical or digital.")


class ProductDetailOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.SlugField()
    url = serializers.SerializerMethodField()
    seo_description = serializers.CharField()
    description = serializers.JSONField(help_text="Content blocks (docs/blocks.md).")
    shop = ShopRefOutput()
    product_type = ProductTypeRefOutput()
    category = CategoryChildOutput(allow_null=True)
    attributes = OptionOutput(many=True, source="attribute_list")
    images = ImageOutput(many=True, source="image_list")
    variants = VariantOutput(many=True, source="active_variants")
    rating_average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    rating_count = serializers.IntegerField()
    live = serializers.BooleanField(help_text="False for a draft (only its managers see it).")

    def get_url(self, product: Any) -> str:
        return absolute_url(product.get_absolute_url())


# --- Cart --------------------------------------------------------------------------------------


class CartLineOutput(serializers.Serializer):
    variant_id = serializers.IntegerField(source="variant.pk")
    sku = serializers.CharField(source="variant.sku")
    name = serializers.CharField()
    product_slug = serializers.SlugField(source="product.slug")
    shop = ShopRefOutput(source="product.shop")
    quantity = serializers.IntegerField()
    unit_price = MoneyOutput()
    total = MoneyOutput()


class CartOutput(serializers.Serializer):
    lines = CartLineOutput(many=True, source="items")
    messages = serializers.ListField(
        child=serializers.CharField(), help_text="What the last action or the re-check did (stock, prices)."
    )
    count = serializers.IntegerField(help_text="Units in the cart.")
    currency = serializers.CharField(allow_null=True)
    subtotal = MoneyOutput()
    max_quantity = serializers.IntegerField(help_text="The most units of one line.")


class CartAddInput(serializers.Serializer):
    variant = IdField(help_text="The variant's id.")
    quantity = BoundedIntegerField(min_value=1, max_value=settings.SHOP_MAX_LINE_QUANTITY, default=1)


class CartLineInput(serializers.Serializer):
    quantity = BoundedIntegerField(
        min_value=0, max_value=settings.SHOP_MAX_LINE_QUANTITY, help_text="0 removes the line."
    )


# --- Checkout ----------------------------------------------------------------------------------


class AddressInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100)
    postal_code = serializers.CharField(max_length=20)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    country = serializers.ChoiceField(choices=[code for code, _ in countries], help_text="ISO 3166 code.")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    save_to_account = serializers.BooleanField(required=False, default=False)


class ShippingChoiceInput(serializers.Serializer):
    shop = IdField(help_text="The shop whose part ships with this method.")
    method = IdField(help_text="One of the part's shipping options.")


class VoucherInput(serializers.Serializer):
    code = serializers.CharField(max_length=40)


class CompleteInput(serializers.Serializer):
    checkout = serializers.UUIDField(
        required=False,
        help_text="The checkout's token (from GET checkout/): completing it again, even after the "
        "Idempotency-Key is forgotten, answers its order again. Without it: the checkout in progress.",
    )


class ShippingOptionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    price = MoneyOutput()


class CheckoutLineOutput(serializers.Serializer):
    variant_id = serializers.IntegerField()
    name = serializers.CharField()
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = MoneyOutput()
    total = MoneyOutput()
    discount = MoneyOutput()


class CheckoutPartOutput(serializers.Serializer):
    shop_id = serializers.IntegerField()
    shop_name = serializers.CharField()
    ships = serializers.BooleanField(help_text="False for digital goods only: no shipping.")
    lines = CheckoutLineOutput(many=True)
    options = ShippingOptionOutput(many=True)
    method = ShippingOptionOutput(allow_null=True)
    shipping = MoneyOutput()


class CheckoutOutput(serializers.Serializer):
    token = serializers.UUIDField()
    state = serializers.CharField()
    email = serializers.EmailField()
    expires_at = serializers.DateTimeField(help_text="When the stock reservation runs out.")
    shipping_address = serializers.DictField(child=serializers.CharField())
    voucher = serializers.CharField(allow_null=True)
    parts = CheckoutPartOutput(many=True)
    subtotal = MoneyOutput()
    shipping = MoneyOutput()
    discount = MoneyOutput()
    tax = MoneyOutput()
    total = MoneyOutput()
    prices_include_tax = serializers.BooleanField()
    message = serializers.CharField(required=False, help_text="What the last action did (a voucher applied ...).")


class CompletionOutput(serializers.Serializer):
    number = serializers.CharField(help_text="The order's number.")
    token = serializers.UUIDField(help_text="The order's private token (its confirmation page).")
    status = serializers.CharField()
    total = MoneyOutput()
    redirect_url = serializers.URLField(help_text="Where the customer pays (the provider's page) or the confirmation.")
    order_url = serializers.URLField(help_text="The order in this API.")


# --- Orders ------------------------------------------------------------------------------------


class OrderLineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    product_name = serializers.CharField()
    variant_name = serializers.CharField()
    sku = serializers.CharField()
    is_digital = serializers.BooleanField()
    quantity = serializers.IntegerField()
    quantity_fulfilled = serializers.IntegerField()
    quantity_refunded = serializers.IntegerField()
    unit_price = MoneyOutput()
    discount = MoneyOutput()
    tax = MoneyOutput()
    total = MoneyOutput()


class FulfilmentOutput(serializers.Serializer):
    tracking_number = serializers.CharField()
    carrier = serializers.CharField()
    created_at = serializers.DateTimeField()


class OrderPartOutput(serializers.Serializer):
    id = serializers.IntegerField()
    shop = ShopRefOutput()
    status = serializers.CharField()
    shipping_name = serializers.CharField()
    shipping_price = MoneyOutput()
    subtotal = MoneyOutput()
    lines = OrderLineOutput(many=True, source="lines.all")
    fulfilments = FulfilmentOutput(many=True, source="fulfilments.all")


class OrderEventOutput(serializers.Serializer):
    kind = serializers.CharField()
    message = serializers.CharField()
    created_at = serializers.DateTimeField()


class OrderListOutput(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    total = MoneyOutput()
    shops = serializers.SerializerMethodField()

    def get_shops(self, order: Any) -> list[str]:
        return [part.shop.name for part in order.parts.all()]


class OrderDetailOutput(OrderListOutput):
    token = serializers.UUIDField()
    email = serializers.EmailField()
    subtotal = MoneyOutput()
    shipping_total = MoneyOutput()
    discount_total = MoneyOutput()
    tax_total = MoneyOutput()
    refunded_total = MoneyOutput()
    prices_include_tax = serializers.BooleanField()
    voucher_code = serializers.CharField()
    shipping_address = serializers.DictField(child=serializers.CharField())
    parts = OrderPartOutput(many=True, source="parts.all")
    events = OrderEventOutput(many=True, source="events.all")
