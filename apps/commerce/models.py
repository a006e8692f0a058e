"""The shop's data: shops, the catalogue, stock and reservations, carts and checkouts, orders,
payments, refunds, returns and digital deliveries.

Money is ``djmoney``'s MoneyField (a decimal amount and a currency column), never a float. One
order may hold lines of several shops: each shop's part of it is an ``OrderShop`` (its shipping,
its fulfilments, what its owner sees); the payment is the order's, one for all.

Stock never oversells because the database refuses it: a variant's ``Stock`` row holds
``quantity`` (on hand), ``allocated`` (paid for, not yet shipped) and ``reserved`` (held by
checkouts in progress), and a check constraint keeps ``allocated + reserved <= quantity``. The
services change those counts only under ``SELECT ... FOR UPDATE`` on the stock rows, taken in
variant id order, so two checkouts never deadlock (apps/commerce/stock.py).

Things another app sells (a course seat, a stream ticket) are products too, with a ``reference``
(app label, kind, id) to the thing: the same cart, checkout, stock (a quantity limit) and payment
sell them, and the owning app fulfils them on ``commerce.order_paid`` (apps/commerce/events.py).
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField
from djmoney.models.fields import MoneyField
from imagekit.models import ImageSpecField
from imagekit.processors import ResizeToFill, ResizeToFit

from apps.core.accounts import RoleName
from apps.core.publishing import Publishable

MONEY = {"max_digits": 12, "decimal_places": 2, "default_currency": settings.SHOP_DEFAULT_CURRENCY}
# Addresses under /shop/ the shop's own pages use: no shop may take them as its slug.
RESERVED_SHOP_SLUGS = frozenset(
    {"cart", "checkout", "orders", "products", "category", "collection", "search", "pay", "downloads", "manage", "s"}
)


class Shop(models.Model):
    """A shop on the platform, run by its owner (a shop_owner); admins see every shop."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shops")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(max_length=2000, blank=True)
    policies = models.TextField("shipping and returns policies", max_length=5000, blank=True)
    logo = models.ImageField(upload_to="shop/logos/%Y/", blank=True)
    logo_small = ImageSpecField(source="logo", processors=[ResizeToFill(96, 96)], format="PNG")
    currency = models.CharField(max_length=3, default=settings.SHOP_DEFAULT_CURRENCY)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    # Low-stock alerts go to the owner when a variant's available count falls to this or below.
    low_stock_threshold = models.PositiveIntegerField(default=3)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("commerce:shop", args=[self.slug])


class Attribute(models.Model):
    """A property products or variants have (size, colour, material), with its values."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AttributeValue(models.Model):
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="values")
    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["attribute", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["attribute", "slug"], name="commerce_attrvalue_unique")]

    def __str__(self) -> str:
        return f"{self.attribute.name}: {self.name}"


class ProductType(models.Model):
    """What kind of thing a product is: which attributes describe it and which tell its variants
    apart, and whether it ships (physical) or is delivered as a file (digital)."""

    class Kind(models.TextChoices):
        PHYSICAL = "physical", "Physical (shipped)"
        DIGITAL = "digital", "Digital (downloaded)"
        # Sold on behalf of another app (a course seat, a stream ticket): fulfilled by that app.
        SELLABLE = "sellable", "Sold for another app"

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PHYSICAL)
    product_attributes = models.ManyToManyField(Attribute, blank=True, related_name="product_types")
    variant_attributes = models.ManyToManyField(Attribute, blank=True, related_name="variant_types")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(max_length=1000, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("commerce:category", args=[self.slug])


class Collection(models.Model):
    """A hand-picked set of products across shops ("Gifts under 30", "New this week")."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(max_length=1000, blank=True)
    is_published = models.BooleanField(default=True)
    products = models.ManyToManyField("Product", blank=True, related_name="collections")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("commerce:collection", args=[self.slug])


class Product(Publishable):
    """A product of a shop, published through the engine; what is bought is one of its variants."""

    # Content: what a revision holds and publishing copies onto the row.
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.JSONField(default=list, blank=True)  # blocks (the platform's editor)
    seo_description = models.CharField("description for search engines", max_length=300, blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    attributes = models.ManyToManyField(AttributeValue, blank=True, related_name="products")

    # Not content.
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="products")
    product_type = models.ForeignKey(ProductType, on_delete=models.PROTECT, related_name="products")
    # A sellable of another app: (app label, kind, id) of the thing sold; blank for goods.
    reference_app = models.CharField(max_length=40, blank=True)
    reference_kind = models.CharField(max_length=40, blank=True)
    reference_id = models.CharField(max_length=64, blank=True)
    # Denormalised for cards and sorting: kept by the services that change what they summarise.
    # Whether it is in stock is not: the catalogue asks Stock in the query (it changes per sale).
    min_price = MoneyField(null=True, blank=True, **MONEY)
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    content_fields = ("name", "slug", "description", "seo_description", "category", "attributes")
    draft_roles = frozenset({RoleName.SHOP_OWNER})
    publish_roles = frozenset({RoleName.SHOP_OWNER})

    class Meta:
        ordering = ["-first_published_at", "-pk"]
        indexes = [
            models.Index(fields=["live", "-first_published_at"], name="commerce_product_live"),
            models.Index(fields=["shop", "live"], name="commerce_product_shop_live"),
            models.Index(fields=["category", "live"], name="commerce_product_category"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reference_app", "reference_kind", "reference_id"],
                condition=~Q(reference_app=""),
                name="commerce_product_one_per_reference",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("commerce:product", args=[self.slug])

    @property
    def is_digital(self) -> bool:
        return self.product_type.kind == ProductType.Kind.DIGITAL

    @property
    def is_sellable(self) -> bool:
        return bool(self.reference_app)

    # --- Content through the engine -----------------------------------------------------------
    # The attribute values are many-to-many: a revision holds their ids, held aside on the object
    # until ``after_publish`` sets them (as the blog does with its categories).

    def content_of(self) -> dict[str, Any]:
        data = {
            name: self._meta.get_field(name).value_from_object(self)
            for name in self.content_fields
            if name != "attributes"
        }
        data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
        return {**data, "attributes": self._attribute_ids()}

    def _attribute_ids(self) -> list[int]:
        pending = getattr(self, "_pending_attributes", None)
        if pending is not None:
            return list(pending)
        if self.pk is None:
            return []
        return sorted(value.pk for value in self.attributes.all())

    def apply_content(self, content: dict[str, Any]) -> None:
        # The category travels as its id (content_of's value): set the column, not the relation.
        super().apply_content(
            {name: value for name, value in content.items() if name not in ("attributes", "category")}
        )
        if "category" in content:
            self.category_id = content["category"]
        if "attributes" in content:
            self._pending_attributes = list(content["attributes"] or [])

    def clean_content(self, content: dict[str, Any]) -> dict[str, Any]:
        """The description's blocks cleaned and sanitised; attribute values must exist."""
        from apps.core.blocks import clean_blocks

        content = dict(content)
        if "description" in content:
            content["description"] = clean_blocks(content["description"])
        if "attributes" in content:
            raw = content["attributes"]
            if not isinstance(raw, list | tuple) or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in raw
            ):
                raise ValidationError("Attributes must be a list of attribute value ids.", code="invalid_attributes")
            ids = sorted(set(raw))
            found = set(AttributeValue.objects.filter(pk__in=ids).values_list("pk", flat=True))
            if missing := [i for i in ids if i not in found]:
                raise ValidationError(
                    f"Unknown attribute values: {', '.join(map(str, missing))}.", code="unknown_attribute"
                )
            content["attributes"] = ids
        return super().clean_content(content)

    def after_publish(self, content: dict[str, Any]) -> None:
        if "attributes" in content:
            self.attributes.set(AttributeValue.objects.filter(pk__in=content["attributes"]))
        self._pending_attributes = None

    def allows_draft_by(self, user: Any) -> bool:
        from apps.commerce import permissions

        return permissions.can_manage_shop(user, self.shop) if self.shop_id else permissions.can_open_shop(user)

    def allows_publish_by(self, user: Any) -> bool:
        return self.allows_draft_by(user)


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="shop/products/%Y/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    alt = models.CharField("description", max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # Renditions, generated on first use into the default storage (S3 in production).
    thumbnail = ImageSpecField(
        source="image", processors=[ResizeToFill(160, 160)], format="WEBP", options={"quality": 80}
    )
    card = ImageSpecField(source="image", processors=[ResizeToFill(480, 480)], format="WEBP", options={"quality": 82})
    large = ImageSpecField(source="image", processors=[ResizeToFit(1200, 1200)], format="WEBP", options={"quality": 85})

    class Meta:
        ordering = ["product", "position", "pk"]

    def __str__(self) -> str:
        return self.alt or self.image.name


class ProductVariant(models.Model):
    """What is bought: one SKU of a product, with its price, weight and option values."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField("SKU", max_length=64, unique=True)
    name = models.CharField(max_length=120, blank=True)
    price = MoneyField(**MONEY)
    compare_at_price = MoneyField(null=True, blank=True, **MONEY)
    weight_grams = models.PositiveIntegerField(default=0)
    options = models.ManyToManyField(AttributeValue, blank=True, related_name="variants")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["product", "position", "pk"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="commerce_variant_price_not_negative")]

    def __str__(self) -> str:
        return f"{self.product.name} ({self.name})" if self.name else self.product.name


class Stock(models.Model):
    """A variant's stock. ``available = quantity - allocated - reserved``, never below zero."""

    variant = models.OneToOneField(ProductVariant, on_delete=models.CASCADE, related_name="stock")
    quantity = models.PositiveIntegerField(default=0)
    allocated = models.PositiveIntegerField(default=0)
    reserved = models.PositiveIntegerField(default=0)
    # When the owner was last told it runs low (one alert per fall, not one per sale).
    low_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated__lte=F("quantity") - F("reserved")), name="commerce_stock_never_oversold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant.sku}: {self.available} available"

    @property
    def available(self) -> int:
        return max(0, self.quantity - self.allocated - self.reserved)


class DigitalAsset(models.Model):
    """The file a digital variant delivers, kept private in storage and handed out through
    expiring signed links (apps/commerce/downloads.py)."""

    variant = models.OneToOneField(ProductVariant, on_delete=models.CASCADE, related_name="asset")
    file = models.FileField(upload_to="shop/digital/%Y/")
    filename = models.CharField(max_length=200)
    max_downloads = models.PositiveSmallIntegerField(default=5)
    link_hours = models.PositiveSmallIntegerField("hours a link stays valid", default=48)

    def __str__(self) -> str:
        return self.filename


# --- Checkout's settings per shop and platform ------------------------------------------------


class ShippingMethod(models.Model):
    """How a shop ships: a flat price, a price by weight band, free above a subtotal."""

    class Kind(models.TextChoices):
        FLAT = "flat", "Flat rate"
        WEIGHT = "weight", "By weight"

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="shipping_methods")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FLAT)
    price = MoneyField(**MONEY)
    # A weight band (kind WEIGHT): the method applies when the shop's part weighs within it.
    min_weight_grams = models.PositiveIntegerField(default=0)
    max_weight_grams = models.PositiveIntegerField(null=True, blank=True)
    free_above = MoneyField(null=True, blank=True, help_text="Free when the shop's subtotal reaches this.", **MONEY)
    countries = CountryField(multiple=True, blank=True, help_text="Empty: every country.")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["shop", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.shop.name}: {self.name}"


class TaxRate(models.Model):
    """The tax rate of a country (prices are entered with or without it: SHOP_PRICES_INCLUDE_TAX)."""

    country = CountryField(unique=True)
    name = models.CharField(max_length=40, default="VAT")
    rate = models.DecimalField(
        max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
    )

    class Meta:
        ordering = ["country"]

    def __str__(self) -> str:
        return f"{self.country.name}: {self.rate}%"


class Voucher(models.Model):
    """A discount code. ``used`` counts orders paid with it and never passes ``usage_limit``
    (a check constraint, and the row is locked while an order takes a use)."""

    class Kind(models.TextChoices):
        PERCENTAGE = "percentage", "Percentage"
        FIXED = "fixed", "Fixed amount"

    code = models.CharField(max_length=40, unique=True, help_text="Stored upper-case; typed in any case.")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PERCENTAGE)
    value = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(max_length=3, default=settings.SHOP_DEFAULT_CURRENCY)
    min_spend = MoneyField(null=True, blank=True, **MONEY)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    usage_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    per_customer_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    used = models.PositiveIntegerField(default=0, editable=False)
    # Empty: every shop and product; else only lines of these shops or products are discounted.
    shops = models.ManyToManyField(Shop, blank=True, related_name="vouchers")
    products = models.ManyToManyField(Product, blank=True, related_name="vouchers")
    # The shop that made it (its owner manages it); None: staff made it for the whole platform.
    shop = models.ForeignKey(Shop, null=True, blank=True, on_delete=models.CASCADE, related_name="own_vouchers")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(used__lte=F("usage_limit")),
                name="commerce_voucher_within_limit",
            )
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)


class Address(models.Model):
    """An address a customer saved to their account (orders keep their own copy)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shop_addresses")
    name = models.CharField("full name", max_length=120)
    line1 = models.CharField("address", max_length=200)
    line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20)
    region = models.CharField("state or region", max_length=100, blank=True)
    country = CountryField()
    phone = models.CharField(max_length=40, blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-is_default", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name}, {self.line1}, {self.city}"

    def as_dict(self) -> dict[str, str]:
        fields = ("name", "line1", "line2", "city", "postal_code", "region", "phone")
        return {**{name: getattr(self, name) for name in fields}, "country": str(self.country.code)}


# --- Carts, checkouts and reservations --------------------------------------------------------


class Cart(models.Model):
    """A signed-in customer's cart (an anonymous visitor's lives in their session until sign-in
    merges it here: apps/commerce/cart.py)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shop_cart")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Cart of {self.user}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="commerce_cartline_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="commerce_cartline_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x variant {self.variant_id}"


class Checkout(models.Model):
    """A checkout in progress: the cart's lines frozen with their prices, the addresses, the
    shipping chosen per shop, the voucher, and the stock it holds until ``expires_at``."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        PAYING = "paying", "Paying"
        COMPLETED = "completed", "Completed"
        EXPIRED = "expired", "Expired"
        ABANDONED = "abandoned", "Abandoned"

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shop_checkouts")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    currency = models.CharField(max_length=3, default=settings.SHOP_DEFAULT_CURRENCY)
    email = models.EmailField()
    shipping_address = models.JSONField(default=dict, blank=True)
    billing_address = models.JSONField(default=dict, blank=True)
    # shop id (as a string) -> shipping method id chosen for that shop's part.
    shipping_choices = models.JSONField(default=dict, blank=True)
    voucher = models.ForeignKey(Voucher, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The lines as priced when the checkout began: [{"variant": id, "quantity": n, "unit_price": "9.50"}].
    lines = models.JSONField(default=list)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["state", "expires_at"], name="commerce_checkout_expiry")]

    def __str__(self) -> str:
        return str(self.token)


class Reservation(models.Model):
    """Stock a checkout holds for a while (``SHOP_RESERVATION_MINUTES``); its quantity is counted
    in ``Stock.reserved`` until payment allocates it or expiry (beat) or failure releases it."""

    checkout = models.ForeignKey(Checkout, on_delete=models.CASCADE, related_name="reservations")
    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="reservations")
    quantity = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["checkout", "variant"], name="commerce_reservation_once")]

    def __str__(self) -> str:
        return f"{self.quantity} x variant {self.variant_id} until {self.expires_at:%H:%M}"


# --- Orders -----------------------------------------------------------------------------------


class Order(models.Model):
    class Status(models.TextChoices):
        UNPAID = "unpaid", "Unpaid"
        PAID = "paid", "Paid"
        PARTIALLY_FULFILLED = "partially_fulfilled", "Partially fulfilled"
        FULFILLED = "fulfilled", "Fulfilled"
        CANCELLED = "cancelled", "Cancelled"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"

    number = models.CharField(max_length=20, unique=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # One order per checkout, however often its completion is sent.
    checkout = models.OneToOneField(Checkout, null=True, blank=True, on_delete=models.SET_NULL, related_name="order")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="shop_orders"
    )
    email = models.EmailField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNPAID, db_index=True)
    currency = models.CharField(max_length=3)
    subtotal = MoneyField(**MONEY)
    shipping_total = MoneyField(**MONEY)
    discount_total = MoneyField(**MONEY)
    tax_total = MoneyField(**MONEY)
    total = MoneyField(**MONEY)
    refunded_total = MoneyField(**MONEY, default=0)
    prices_include_tax = models.BooleanField(default=True)
    shipping_address = models.JSONField(default=dict, blank=True)
    billing_address = models.JSONField(default=dict, blank=True)
    voucher = models.ForeignKey(Voucher, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")
    voucher_code = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="commerce_order_customer")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("commerce:order", args=[self.number])


class OrderShop(models.Model):
    """One shop's part of an order: its lines, its shipping, its fulfilment status. What the
    shop's owner sees of an order is this and its lines, never the other shops' parts."""

    class Status(models.TextChoices):
        UNFULFILLED = "unfulfilled", "To fulfil"
        PARTIALLY_FULFILLED = "partially_fulfilled", "Partially fulfilled"
        FULFILLED = "fulfilled", "Fulfilled"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="parts")
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="order_parts")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNFULFILLED, db_index=True)
    shipping_method = models.ForeignKey(
        ShippingMethod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shipping_name = models.CharField(max_length=80, blank=True)
    shipping_price = MoneyField(**MONEY)
    subtotal = MoneyField(**MONEY)

    class Meta:
        ordering = ["order", "shop__name"]
        constraints = [models.UniqueConstraint(fields=["order", "shop"], name="commerce_ordershop_once")]
        indexes = [models.Index(fields=["shop", "status"], name="commerce_ordershop_queue")]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.shop_id}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    part = models.ForeignKey(OrderShop, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(ProductVariant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Copies: what was bought stays readable when the product changes or goes.
    product_name = models.CharField(max_length=200)
    variant_name = models.CharField(max_length=120, blank=True)
    sku = models.CharField(max_length=64)
    is_digital = models.BooleanField(default=False)
    reference_app = models.CharField(max_length=40, blank=True)
    reference_kind = models.CharField(max_length=40, blank=True)
    reference_id = models.CharField(max_length=64, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price = MoneyField(**MONEY)
    discount = MoneyField(**MONEY, default=0)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    tax = MoneyField(**MONEY, default=0)
    total = MoneyField(**MONEY)
    quantity_fulfilled = models.PositiveIntegerField(default=0)
    quantity_refunded = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="commerce_orderline_positive"),
            models.CheckConstraint(
                condition=Q(quantity_fulfilled__lte=F("quantity")), name="commerce_orderline_fulfilled_le_quantity"
            ),
            models.CheckConstraint(
                condition=Q(quantity_refunded__lte=F("quantity")), name="commerce_orderline_refunded_le_quantity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"


class Fulfilment(models.Model):
    """A parcel a shop sent (or a set of lines it marked delivered), with its tracking number."""

    part = models.ForeignKey(OrderShop, on_delete=models.CASCADE, related_name="fulfilments")
    tracking_number = models.CharField(max_length=100, blank=True)
    carrier = models.CharField(max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Fulfilment {self.pk} of part {self.part_id}"


class FulfilmentLine(models.Model):
    fulfilment = models.ForeignKey(Fulfilment, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="fulfilment_lines")
    quantity = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.line_id}"


class OrderEvent(models.Model):
    """The order's timeline: placed, paid, fulfilled, refunded, a note ... (shown to the customer
    unless ``internal``)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    shop = models.ForeignKey(Shop, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "created_at", "pk"]

    def __str__(self) -> str:
        return self.message


# --- Payments ---------------------------------------------------------------------------------


class Payment(models.Model):
    """One attempt to pay an order through a provider (apps/commerce/payments/)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        REQUIRES_ACTION = "requires_action", "Requires action"
        AUTHORIZED = "authorized", "Authorised"
        CAPTURED = "captured", "Paid"
        FAILED = "failed", "Declined"
        CANCELLED = "cancelled", "Cancelled"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    provider = models.CharField(max_length=20)
    # The provider's id of this payment (a Stripe PaymentIntent id, the test provider's own: a
    # signed, compressed token of some 140-190 characters, hence the room).
    reference = models.CharField(max_length=300, blank=True, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    amount = MoneyField(**MONEY)
    captured = MoneyField(**MONEY, default=0)
    refunded = MoneyField(**MONEY, default=0)
    # Sent with every call to the provider, so a retried call never charges twice.
    idempotency_key = models.CharField(max_length=64, unique=True)
    client_secret = models.CharField(max_length=200, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "reference"], condition=~Q(reference=""), name="commerce_payment_reference_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.reference or self.pk}: {self.status}"


class PaymentEvent(models.Model):
    """The payment log of an order: every call to the provider and every webhook, once each (a
    webhook's event id is unique, so a replayed one is recognised and changes nothing)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    amount = MoneyField(null=True, blank=True, **MONEY)
    provider_event_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    success = models.BooleanField(default=True)
    message = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["payment", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.created_at:%Y-%m-%d %H:%M})"


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Refunded"
        FAILED = "failed", "Failed"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refund_rows")
    # The shop whose part is refunded (an owner refunds only their part); None: staff, whole order.
    shop = models.ForeignKey(Shop, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    amount = MoneyField(**MONEY)
    reason = models.CharField(max_length=300, blank=True)
    # [{"line": id, "quantity": n, "restock": true}]
    lines = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reference = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Refund {self.pk} of {self.amount}"


class ReturnRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        REFUNDED = "refunded", "Refunded"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="returns")
    part = models.ForeignKey(OrderShop, on_delete=models.CASCADE, related_name="returns")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lines = models.JSONField(default=list)  # [{"line": id, "quantity": n}]
    reason = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    response = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Return {self.pk} of order {self.order_id}"


class VoucherUse(models.Model):
    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="uses")
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="voucher_use")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["voucher", "user"], name="commerce_voucheruse_customer")]

    def __str__(self) -> str:
        return f"{self.voucher_id} on order {self.order_id}"


class DownloadGrant(models.Model):
    """A buyer's right to download a digital line's file, a limited number of times."""

    line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="download")
    asset = models.ForeignKey(DigitalAsset, on_delete=models.PROTECT, related_name="grants")
    downloads = models.PositiveSmallIntegerField(default=0)
    max_downloads = models.PositiveSmallIntegerField()
    revoked = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(downloads__lte=F("max_downloads")), name="commerce_download_within_limit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.downloads}/{self.max_downloads} downloads of line {self.line_id}"
