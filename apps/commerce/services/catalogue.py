"""Every write of the catalogue: shops, products through the publishing engine, variants, stock
counts, images and digital files; and the platform's own lists (categories, collections,
product types, attributes), which staff keep.

Services take the acting user and plain values (never a request), ask apps/commerce/permissions.py
once, run in one transaction, raise ValidationError (or PermissionDenied) and change nothing when
they refuse. Every write a visitor can see makes the shop's cached pages stale
(``pagecache.invalidate("commerce")``, now and again on commit); publishing also clears the
site's namespace, through the engine.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Min
from django.utils.text import slugify
from djmoney.money import Money
from PIL import Image

from apps.commerce import permissions, stock
from apps.commerce.models import (
    RESERVED_SHOP_SLUGS,
    Attribute,
    AttributeValue,
    Category,
    Collection,
    DigitalAsset,
    Product,
    ProductImage,
    ProductType,
    ProductVariant,
    Shop,
    Stock,
)
from apps.commerce.selectors.catalogue import NAMESPACE
from apps.core.models import User
from apps.core.platform import encode_clean, open_upright, pagecache, validate_image
from apps.core.publishing import selectors as publishing_selectors
from apps.core.publishing import services as publishing

MAX_IMAGE_SIDE = 2400
MAX_DIGITAL_BYTES = 200 * 1024 * 1024


def forget_catalogue_pages() -> None:
    """Make every cached page and fragment of the shop stale (now, and again on commit)."""
    pagecache.invalidate(NAMESPACE)


def _require_manage(actor: User | None, shop: Shop) -> None:
    if not permissions.can_manage_shop(actor, shop):
        raise PermissionDenied("You may not manage this shop.")


def _require_staff(actor: User | None) -> None:
    if not permissions.can_manage_catalogue(actor):
        raise PermissionDenied("Only staff keep the shop's categories, collections and product types.")


def _slug_for(text: str, *, max_length: int) -> str:
    slug = slugify(text)[:max_length].strip("-")
    if not slug:
        raise ValidationError(f"“{text}” needs at least one letter or digit.", code="invalid_name")
    return slug


def _unique_slug(model: type, base: str, *, max_length: int, exclude_pk: int | None = None) -> str:
    base = _slug_for(base, max_length=max_length - 4)
    taken = set(model.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken or (model is Shop and slug in RESERVED_SHOP_SLUGS):
        slug, number = f"{base}-{number}", number + 1
    return slug


# --- Shops --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ShopInput:
    name: str
    slug: str = ""
    description: str = ""
    policies: str = ""
    currency: str = ""
    contact_email: str = ""
    contact_phone: str = ""


def _shop_fields(shop: Shop, data: ShopInput) -> None:
    from django.conf import settings

    currency = (data.currency or shop.currency or settings.SHOP_DEFAULT_CURRENCY).upper()
    if currency not in settings.CURRENCIES:
        raise ValidationError({"currency": f"Choose one of {', '.join(settings.CURRENCIES)}."})
    slug = data.slug.strip() or shop.slug or _unique_slug(Shop, data.name, max_length=80, exclude_pk=shop.pk)
    if slug in RESERVED_SHOP_SLUGS:
        raise ValidationError({"slug": "The shop uses this address itself: choose another."})
    shop.name, shop.slug, shop.currency = data.name.strip(), slug, currency
    shop.description, shop.policies = data.description.strip(), data.policies.strip()
    shop.contact_email, shop.contact_phone = data.contact_email.strip(), data.contact_phone.strip()


def _store_image(upload: UploadedFile, folder: str) -> ContentFile:
    """The upload's pixels only (no EXIF, upright), at most MAX_IMAGE_SIDE a side, under a random name."""
    suffix = validate_image(upload)
    image, transparent = open_upright(upload)
    image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE), Image.Resampling.LANCZOS)
    content, suffix = encode_clean(image, suffix=suffix, transparent=transparent)
    return ContentFile(content, name=f"{uuid.uuid4().hex}{suffix}")


def shop_create(*, actor: User, data: ShopInput, owner: User | None = None, logo: UploadedFile | None = None) -> Shop:
    """A new shop run by ``owner`` (the actor by default; only staff open one for someone else,
    who must be a shop owner)."""
    owner = owner or actor
    if not permissions.can_open_shop(actor) or (owner.pk != actor.pk and not permissions.is_shop_staff(actor)):
        raise PermissionDenied("You may not open a shop.")
    if not permissions.can_open_shop(owner):
        raise ValidationError("A shop's owner must be a shop owner.", code="not_shop_owner")
    shop = Shop(owner=owner)
    _shop_fields(shop, data)
    if logo is not None:
        shop.logo = _store_image(logo, "logos")
    shop.full_clean()
    with transaction.atomic():
        shop.save()
        forget_catalogue_pages()
    return shop


def shop_update(
    *, actor: User, shop: Shop, data: ShopInput, logo: UploadedFile | None = None, remove_logo: bool = False
) -> Shop:
    """Change a shop's name, address, texts, currency, contact or logo (its owner or staff).
    Its currency changes only while it has no products (their prices are in it)."""
    _require_manage(actor, shop)
    if data.currency and data.currency.upper() != shop.currency and shop.products.exists():
        raise ValidationError({"currency": "The currency cannot change once the shop has products."})
    _shop_fields(shop, data)
    if remove_logo:
        shop.logo = ""
    if logo is not None:
        shop.logo = _store_image(logo, "logos")
    shop.full_clean()
    with transaction.atomic():
        shop.save()
        forget_catalogue_pages()
    return shop


# --- Products (through the publishing engine) ------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ProductInput:
    """A product's content as its editor writes it (what revisions hold)."""

    name: str
    slug: str = ""
    description: list[dict[str, Any]] = field(default_factory=list)
    seo_description: str = ""
    category_id: int | None = None
    attribute_ids: tuple[int, ...] = ()


def _content(data: ProductInput, *, current_slug: str = "", pk: int | None = None) -> dict[str, Any]:
    # A blank address is made from the name once; later edits keep it, so links do not break.
    if data.category_id is not None and not Category.objects.filter(pk=data.category_id).exists():
        raise ValidationError({"category": "No such category."})
    return {
        "name": data.name.strip(),
        "slug": data.slug.strip() or current_slug or _unique_slug(Product, data.name, max_length=100, exclude_pk=pk),
        "description": data.description,
        "seo_description": data.seo_description.strip(),
        "category": data.category_id,
        "attributes": sorted(set(data.attribute_ids)),
    }


def _check_slug_free(slug: str, pk: int | None) -> None:
    if Product.objects.filter(slug=slug).exclude(pk=pk).exists():
        raise ValidationError({"slug": "Another product has this address."})


def product_create(*, actor: User, shop: Shop, product_type: ProductType, data: ProductInput) -> Product:
    """A new product of ``shop``: revision 1 of its draft. Visitors see nothing until it is published."""
    _require_manage(actor, shop)
    if not data.name.strip():
        raise ValidationError({"name": "A product needs a name."})
    content = _content(data)
    _check_slug_free(content["slug"], None)
    with transaction.atomic():
        product = publishing.draft_create(
            model=Product, content=content, author=actor, attrs={"shop": shop, "product_type": product_type}
        )
        # A draft's row carries its content until the first publication; its values too.
        product.attributes.set(content["attributes"])
    return product


def product_draft(product: Product) -> dict[str, Any]:
    """The newest revision's content (what the editor opens)."""
    return publishing_selectors.draft_content(product) or product.content_of()


def product_drafts(products: list[Product]) -> dict[int, dict[str, Any]]:
    """The newest revision's content of each product, by pk (one document query)."""
    return publishing_selectors.draft_contents(products)


def product_update(*, actor: User, product: Product, data: ProductInput, based_on: int) -> int:
    """Save a new revision of ``product``'s draft; returns its number. The live product does not
    change until published. DraftConflict when someone saved after revision ``based_on``."""
    _require_manage(actor, product.shop)
    if not data.name.strip():
        raise ValidationError({"name": "A product needs a name."})
    content = _content(data, current_slug=product_draft(product).get("slug", ""), pk=product.pk)
    _check_slug_free(content["slug"], product.pk)
    return publishing.draft_save(obj=product, content=content, author=actor, based_on=based_on)


def product_publish(*, actor: User, product: Product) -> Product:
    """Publish the newest draft: it needs a name and an active variant with a price."""
    _require_manage(actor, product.shop)
    if not product.variants.filter(is_active=True).exists():
        raise ValidationError("Add a variant with its price before publishing.", code="no_variant")
    with transaction.atomic():
        if not product.latest_revision:
            # Made as a row (a sellable, a fixture): its first revision is what the row holds.
            publishing.draft_save(obj=product, content=product.content_of(), author=actor, based_on=0)
        publishing.publish(obj=product, author=actor)
        product_refresh_prices(product_id=product.pk)
        forget_catalogue_pages()
    return product


def product_unpublish(*, actor: User, product: Product) -> Product:
    """Take a product off the shop; carts holding it are told at their next step."""
    _require_manage(actor, product.shop)
    with transaction.atomic():
        publishing.unpublish(obj=product, author=actor)
        forget_catalogue_pages()
    return product


def product_schedule(*, actor: User, product: Product, go_live_at: datetime | None) -> Product:
    """Publish the newest draft at ``go_live_at`` (beat's publish_due does it); None cancels the
    schedule. The same conditions as publishing now."""
    _require_manage(actor, product.shop)
    if go_live_at is not None and not product.variants.filter(is_active=True).exists():
        raise ValidationError("Add a variant with its price before scheduling.", code="no_variant")
    with transaction.atomic():
        if go_live_at is not None and not product.latest_revision:
            publishing.draft_save(obj=product, content=product.content_of(), author=actor, based_on=0)
        publishing.schedule(obj=product, author=actor, revision=None, go_live_at=go_live_at)
    return product


def product_history(product: Product) -> list[dict[str, Any]]:
    """The product's revisions, newest first, with their authors (what the editor lists)."""
    return publishing_selectors.revision_history_with_authors(product)


def product_refresh_prices(*, product_id: int) -> None:
    """Keep ``Product.min_price`` (cards, sorting) the cheapest active variant's price."""
    lowest = ProductVariant.objects.filter(product_id=product_id, is_active=True).aggregate(low=Min("price"))["low"]
    product = Product.objects.select_related("shop").get(pk=product_id)
    price = Money(lowest, product.shop.currency) if lowest is not None else None
    if price != product.min_price:
        product.min_price = price
        product.save(update_fields=["min_price", "min_price_currency"])


# --- Variants and stock ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class VariantInput:
    sku: str
    price: Decimal
    name: str = ""
    compare_at_price: Decimal | None = None
    weight_grams: int = 0
    option_ids: tuple[int, ...] = ()
    is_active: bool = True
    position: int = 0


def _variant_fields(variant: ProductVariant, product: Product, data: VariantInput) -> None:
    if data.price < 0:
        raise ValidationError({"price": "A price cannot be negative."})
    if data.compare_at_price is not None and data.compare_at_price <= data.price:
        raise ValidationError({"compare_at_price": "The price before a reduction must be above the price."})
    sku = data.sku.strip()
    if not sku:
        raise ValidationError({"sku": "A variant needs a SKU."})
    if ProductVariant.objects.filter(sku=sku).exclude(pk=variant.pk).exists():
        raise ValidationError({"sku": "Another variant has this SKU."})
    currency = product.shop.currency
    variant.product, variant.sku, variant.name = product, sku, data.name.strip()
    variant.price = Money(data.price, currency)
    variant.compare_at_price = Money(data.compare_at_price, currency) if data.compare_at_price is not None else None
    variant.weight_grams, variant.is_active, variant.position = data.weight_grams, data.is_active, data.position


def _options(product: Product, option_ids: Iterable[int]) -> list[AttributeValue]:
    ids = sorted(set(option_ids))
    allowed = product.product_type.variant_attributes.all()
    values = list(AttributeValue.objects.filter(pk__in=ids, attribute__in=allowed))
    if len(values) != len(ids):
        raise ValidationError({"options": "Choose options among this product type's variant attributes."})
    return values


def variant_create(*, actor: User, product: Product, data: VariantInput, quantity: int = 0) -> ProductVariant:
    """A new variant of ``product`` with its stock row (``quantity`` on hand)."""
    _require_manage(actor, product.shop)
    variant = ProductVariant()
    _variant_fields(variant, product, data)
    options = _options(product, data.option_ids)
    with transaction.atomic():
        variant.save()
        variant.options.set(options)
        Stock.objects.create(variant=variant, quantity=max(0, quantity))
        product_refresh_prices(product_id=product.pk)
        forget_catalogue_pages()
    return variant


def variant_update(*, actor: User, variant: ProductVariant, data: VariantInput) -> ProductVariant:
    """Change a variant's SKU, name, prices, weight, options or whether it is sold."""
    product = variant.product
    _require_manage(actor, product.shop)
    _variant_fields(variant, product, data)
    options = _options(product, data.option_ids)
    with transaction.atomic():
        variant.save()
        variant.options.set(options)
        product_refresh_prices(product_id=product.pk)
        forget_catalogue_pages()
    return variant


def stock_set(*, actor: User, variant: ProductVariant, quantity: int) -> Stock:
    """Set how many of ``variant`` the shop has on hand. Refused (ValidationError) below what
    is sold or held by checkouts, which the message names."""
    _require_manage(actor, variant.product.shop)
    try:
        with transaction.atomic():
            row = stock.set_on_hand(variant.pk, quantity)
            forget_catalogue_pages()
            # A recount may bring a variant down to (or back above) the shop's low-stock line.
            transaction.on_commit(lambda: _review_low_stock([variant.pk]))
    except stock.BelowCommitted as exc:
        raise ValidationError({"quantity": str(exc)}, code="below_committed") from None
    return row


def _review_low_stock(variant_ids: list[int]) -> None:
    from apps.commerce.notifications import review_low_stock

    review_low_stock(variant_ids)


# --- Images and files ------------------------------------------------------------------------


def product_image_add(*, actor: User, product: Product, file: UploadedFile, alt: str = "") -> ProductImage:
    """An image of ``product`` (checked by content, stored without its metadata), last in order.
    Its renditions (thumbnail, card, large) are made on first use in the default storage."""
    _require_manage(actor, product.shop)
    content = _store_image(file, "products")
    position = (product.images.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    image = ProductImage(product=product, alt=alt.strip()[:300], position=position)
    with transaction.atomic():
        image.image.save(content.name, content, save=False)
        image.save()
        forget_catalogue_pages()
    return image


def product_image_delete(*, actor: User, image: ProductImage) -> None:
    _require_manage(actor, image.product.shop)
    with transaction.atomic():
        image.delete()
        forget_catalogue_pages()


def digital_asset_set(
    *, actor: User, variant: ProductVariant, file: UploadedFile, max_downloads: int = 5, link_hours: int = 48
) -> DigitalAsset:
    """The file a digital variant delivers (kept private; buyers get expiring links)."""
    _require_manage(actor, variant.product.shop)
    if variant.product.product_type.kind != ProductType.Kind.DIGITAL:
        raise ValidationError("Only digital products deliver a file.", code="not_digital")
    if file.size is not None and file.size > MAX_DIGITAL_BYTES:
        raise ValidationError({"file": f"Files may be at most {MAX_DIGITAL_BYTES // (1024 * 1024)} MB."})
    if not 1 <= max_downloads <= 100 or not 1 <= link_hours <= 24 * 30:
        raise ValidationError("Downloads 1 to 100, links valid 1 hour to 30 days.", code="out_of_range")
    filename = (file.name or "download").rsplit("/", 1)[-1][:200]
    with transaction.atomic():
        asset = DigitalAsset.objects.filter(variant=variant).first() or DigitalAsset(variant=variant)
        asset.filename, asset.max_downloads, asset.link_hours = filename, max_downloads, link_hours
        suffix = ("." + filename.rsplit(".", 1)[-1]) if "." in filename else ""
        asset.file.save(f"{uuid.uuid4().hex}{suffix[:10]}", file, save=False)
        asset.save()
    return asset


# --- The platform's lists (staff) ---------------------------------------------------------------


def category_get_or_create(*, actor: User, name: str, slug: str = "", parent: Category | None = None) -> Category:
    _require_staff(actor)
    slug = slug or _slug_for(name, max_length=80)
    with transaction.atomic():
        category, _ = Category.objects.get_or_create(slug=slug, defaults={"name": name, "parent": parent})
        forget_catalogue_pages()
    return category


def collection_get_or_create(*, actor: User, name: str, slug: str = "", description: str = "") -> Collection:
    _require_staff(actor)
    slug = slug or _slug_for(name, max_length=80)
    with transaction.atomic():
        collection, _ = Collection.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
        forget_catalogue_pages()
    return collection


def collection_add(*, actor: User, collection: Collection, products: Iterable[Product]) -> None:
    _require_staff(actor)
    with transaction.atomic():
        collection.products.add(*products)
        forget_catalogue_pages()


def attribute_get_or_create(*, actor: User, name: str, values: Iterable[str]) -> Attribute:
    """An attribute with (at least) these values, in this order."""
    _require_staff(actor)
    with transaction.atomic():
        attribute, _ = Attribute.objects.get_or_create(slug=_slug_for(name, max_length=60), defaults={"name": name})
        for position, value in enumerate(values):
            AttributeValue.objects.get_or_create(
                attribute=attribute,
                slug=_slug_for(value, max_length=60),
                defaults={"name": value, "position": position},
            )
    return attribute


def product_type_get_or_create(
    *,
    actor: User,
    name: str,
    kind: str = ProductType.Kind.PHYSICAL,
    product_attributes: Iterable[Attribute] = (),
    variant_attributes: Iterable[Attribute] = (),
) -> ProductType:
    _require_staff(actor)
    with transaction.atomic():
        product_type, _ = ProductType.objects.get_or_create(
            slug=_slug_for(name, max_length=80), defaults={"name": name, "kind": kind}
        )
        product_type.product_attributes.add(*product_attributes)
        product_type.variant_attributes.add(*variant_attributes)
    return product_type
