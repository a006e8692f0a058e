"""Reads of the catalogue: what visitors browse (live products of active shops, filtered, sorted,
searched, with facets) and what shop owners manage (their shops and every product of them).

Visitors' lists never show drafts, not even to the owner: managers see drafts on their manage
pages. Whether a product is in stock is asked of ``Stock`` in the query (``Exists`` over its
variants' rows with something available), never kept on the product, as it changes with every
sale. A page of products costs the same few queries whatever its length: shops and types are
joined, images and the cheapest variant's prices come from prefetches.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from apps.commerce import permissions, stock
from apps.commerce.models import (
    Attribute,
    AttributeValue,
    Category,
    Collection,
    Product,
    ProductImage,
    ProductVariant,
    Shop,
    Stock,
)
from apps.core.platform import pagecache

NAMESPACE = "commerce"
PRODUCT_CACHE_SECONDS = 600
LIST_CACHE_SECONDS = 60
CACHED_LIST_PAGES = 3
PAGE_SIZE = 24
MAX_QUERY_WORDS = 8
SORTS = {
    "newest": ("-first_published_at", "-pk"),
    "price_asc": ("min_price", "-pk"),
    "price_desc": ("-min_price", "-pk"),
    "rating": (F("rating_average").desc(nulls_last=True), "-rating_count", "-pk"),
    "name": ("name", "pk"),
}
SORT_LABELS = {
    "newest": "Newest",
    "price_asc": "Price: low to high",
    "price_desc": "Price: high to low",
    "rating": "Best rated",
    "name": "Name",
}


@dataclass(frozen=True, kw_only=True)
class CatalogueFilters:
    """What a visitor narrowed the catalogue to (parsed and bounded by the filter form)."""

    category: str = ""
    collection: str = ""
    shop: str = ""
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    # attribute slug -> value slugs: AND across attributes, OR within one
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    in_stock: bool = False
    q: str = ""
    sort: str = "newest"
    page: int | str = 1


@dataclass(frozen=True)
class FacetValue:
    slug: str
    name: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    slug: str
    name: str
    values: list[FacetValue]


@dataclass
class CataloguePage:
    page: Page
    facets: list[Facet]
    filters: CatalogueFilters

    @property
    def products(self) -> list[Product]:
        return list(self.page.object_list)

    @property
    def count(self) -> int:
        return self.page.paginator.count


# --- Building blocks ------------------------------------------------------------------------


def available_stock() -> QuerySet[Stock]:
    """Stock rows with at least one unit neither sold nor held by a checkout."""
    return Stock.objects.filter(variant__is_active=True, quantity__gt=F("allocated") + F("reserved"))


def in_stock_expression() -> Exists:
    """True for a product with an active variant that has something available."""
    return Exists(available_stock().filter(variant__product_id=OuterRef("pk")))


def _search(products: QuerySet[Product], q: str) -> QuerySet[Product]:
    """Full-text search on PostgreSQL (name weighted over the description), every word in the
    name or description elsewhere (SQLite): one function, so pages and the API agree."""
    words = q.split()[:MAX_QUERY_WORDS]
    if not words:
        return products
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("name", weight="A", config="simple") + SearchVector(
            "seo_description", weight="B", config="simple"
        )
        query = SearchQuery(" ".join(words), config="simple", search_type="plain")
        # A prefix match too, so "t-shi" and "mug" find "T-shirt" and "Mugs" as people type.
        prefix = Q(name__icontains=words[0]) if len(words) == 1 else Q(pk__in=[])
        return products.annotate(search=vector, rank=SearchRank(vector, query)).filter(Q(search=query) | prefix)
    for word in words:
        products = products.filter(Q(name__icontains=word) | Q(seo_description__icontains=word))
    return products


def _has_values(ids: list[int]) -> Q:
    """The product or one of its active variants carries one of these attribute values."""
    on_product = Product.attributes.through.objects.filter(product_id=OuterRef("pk"), attributevalue_id__in=ids)
    on_variant = ProductVariant.options.through.objects.filter(
        productvariant__product_id=OuterRef("pk"), productvariant__is_active=True, attributevalue_id__in=ids
    )
    return Q(Exists(on_product)) | Q(Exists(on_variant))


def _price_between(low: Decimal | None, high: Decimal | None) -> Q:
    variants = ProductVariant.objects.filter(product_id=OuterRef("pk"), is_active=True)
    if low is not None:
        variants = variants.filter(price__gte=low)
    if high is not None:
        variants = variants.filter(price__lte=high)
    return Q(Exists(variants))


def category_with_children_ids(category: Category) -> list[int]:
    """The category and every category under it (any depth; categories are a small tree)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
    found, todo = [], [category.pk]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.append(pk)
            todo.extend(children[pk])
    return found


def live_products() -> QuerySet[Product]:
    """Every live product of an active shop: what visitors may see."""
    return Product.objects.filter(live=True, shop__is_active=True)


def for_cards(products: QuerySet[Product]) -> QuerySet[Product]:
    """What a product card shows, in a fixed number of queries for any number of cards."""
    return (
        products.select_related("shop", "product_type")
        .defer("description")
        .annotate(available=in_stock_expression())
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk"), to_attr="image_list"),
            Prefetch(
                "variants",
                queryset=ProductVariant.objects.filter(is_active=True).order_by("price", "position", "pk"),
                to_attr="active_variants",
            ),
        )
    )


# --- Visitors' catalogue ----------------------------------------------------------------------


def filtered_products(*, filters: CatalogueFilters) -> QuerySet[Product]:
    """Live products narrowed by ``filters`` (without sorting or facets): the list the catalogue
    pages and the API share. Unknown category, collection or shop slugs match nothing."""
    products = live_products()
    if filters.category:
        category = Category.objects.filter(slug=filters.category).first()
        products = (
            products.filter(category_id__in=category_with_children_ids(category)) if category else products.none()
        )
    if filters.collection:
        products = products.filter(collections__slug=filters.collection, collections__is_published=True)
    if filters.shop:
        products = products.filter(shop__slug=filters.shop)
    if filters.min_price is not None or filters.max_price is not None:
        products = products.filter(_price_between(filters.min_price, filters.max_price))
    if filters.attributes:
        wanted = AttributeValue.objects.filter(
            attribute__slug__in=list(filters.attributes), slug__in=[s for v in filters.attributes.values() for s in v]
        ).values_list("attribute__slug", "slug", "pk")
        by_attribute: dict[str, list[int]] = defaultdict(list)
        for attribute, slug, pk in wanted:
            if slug in filters.attributes.get(attribute, ()):
                by_attribute[attribute].append(pk)
        for attribute in filters.attributes:
            products = (
                products.filter(_has_values(by_attribute[attribute])) if by_attribute[attribute] else products.none()
            )
    if filters.in_stock:
        products = products.filter(in_stock_expression())
    return _search(products, filters.q)


def facets_for(products: QuerySet[Product], *, selected: dict[str, tuple[str, ...]]) -> list[Facet]:
    """Attribute values with the number of products of ``products`` that carry each (on the
    product or on an active variant), attributes by name; values no product has are left out.
    Three queries whatever the size of the result."""
    ids = products.order_by().values("pk")
    by_value: dict[int, set[int]] = defaultdict(set)
    for product_id, value_id in Product.attributes.through.objects.filter(product_id__in=ids).values_list(
        "product_id", "attributevalue_id"
    ):
        by_value[value_id].add(product_id)
    for product_id, value_id in (
        ProductVariant.options.through.objects.filter(
            productvariant__product_id__in=ids, productvariant__is_active=True
        )
        .values_list("productvariant__product_id", "attributevalue_id")
        .distinct()
    ):
        by_value[value_id].add(product_id)
    if not by_value:
        return []
    values = AttributeValue.objects.filter(pk__in=list(by_value)).select_related("attribute")
    grouped: dict[int, tuple[Attribute, list[FacetValue]]] = {}
    for value in sorted(values, key=lambda v: (v.attribute.name, v.position, v.name)):
        attribute = value.attribute
        _, listed = grouped.setdefault(attribute.pk, (attribute, []))
        chosen = value.slug in selected.get(attribute.slug, ())
        listed.append(FacetValue(value.slug, value.name, len(by_value[value.pk]), chosen))
    return [Facet(attribute.slug, attribute.name, listed) for attribute, listed in grouped.values()]


def with_card_urls(products: list[Product]) -> list[Product]:
    """Give each card's first image its ``card_url`` (one rendition look-up per card, once)."""
    from apps.commerce.templatetags.catalogue_tags import rendition

    for product in products:
        if product.image_list:
            product.image_list[0].card_url = rendition(product.image_list[0], "card")
    return products


def _page_of(filters: CatalogueFilters, page_size: int) -> CataloguePage:
    products = filtered_products(filters=filters)
    facets = facets_for(products, selected=filters.attributes)
    ordering = SORTS.get(filters.sort, SORTS["newest"])
    if filters.q and filters.sort == "newest" and connection.vendor == "postgresql":
        ordering = (F("rank").desc(), *ordering)
    page = Paginator(for_cards(products.order_by(*ordering)), page_size).get_page(filters.page)
    # The page's products as a list over a paginator of numbers: small to keep in the cache.
    cards = with_card_urls(list(page.object_list))
    light = Page(cards, page.number, Paginator(range(page.paginator.count), page_size))
    return CataloguePage(page=light, facets=facets, filters=filters)


def _cacheable(filters: CatalogueFilters) -> bool:
    # The lists people land on (the catalogue, a category, collection or shop, by any sort, the
    # first pages): bounded by real rows. Searches, price ranges and attribute picks are not kept.
    page = str(filters.page)
    return not (filters.q or filters.attributes or filters.in_stock or filters.min_price or filters.max_price) and (
        page.isdigit() and 1 <= int(page) <= CACHED_LIST_PAGES
    )


def product_list(*, user: Any, filters: CatalogueFilters, page_size: int = PAGE_SIZE) -> CataloguePage:
    """One page of the public catalogue for ``filters`` with the facets of the whole result.

    Only live products of active shops, for everyone (``user`` is the visitor; their drafts are
    on the manage pages). Sorted by ``filters.sort`` (unknown: newest). The page's query count
    does not grow with its length. The landing lists are kept in the page cache (cleared by every
    catalogue write; "sold out" badges at most LIST_CACHE_SECONDS old)."""
    if not _cacheable(filters):
        return _page_of(filters, page_size)
    sort = filters.sort if filters.sort in SORTS else "newest"
    parts = (filters.category, filters.collection, filters.shop, sort, int(str(filters.page)), page_size)
    key = "list:" + ":".join(map(str, parts))

    def load() -> CataloguePage | None:
        # An empty list is not kept: a guessed category or shop must not fill the cache.
        found = _page_of(filters, page_size)
        return found if found.count else None

    return pagecache.cached(NAMESPACE, key, load, max_seconds=LIST_CACHE_SECONDS) or _page_of(filters, page_size)


def categories_for_nav() -> list[Category]:
    """Top-level categories with their children, for the filter sidebar (two queries)."""
    return list(
        Category.objects.filter(parent__isnull=True).prefetch_related(
            Prefetch("children", queryset=Category.objects.order_by("position", "name"))
        )
    )


def category_get(*, slug: str) -> Category | None:
    return Category.objects.select_related("parent").filter(slug=slug).first()


def collection_get(*, slug: str) -> Collection | None:
    return Collection.objects.filter(slug=slug, is_published=True).first()


def collection_list_public() -> QuerySet[Collection]:
    """Published collections, by name (the API's list)."""
    return Collection.objects.filter(is_published=True).order_by("name", "pk")


def shop_list_public() -> QuerySet[Shop]:
    """Active shops, by name (the API's list)."""
    return Shop.objects.filter(is_active=True).order_by("name", "pk")


def shop_get_public(*, slug: str) -> Shop | None:
    """An active shop by its address (its home page)."""
    return Shop.objects.filter(slug=slug, is_active=True).select_related("owner").first()


def _product_page_query(*, with_stock: bool = True) -> QuerySet[Product]:
    variants = ProductVariant.objects.filter(is_active=True)
    if with_stock:
        variants = variants.select_related("stock")
    return Product.objects.select_related("shop", "product_type", "category").prefetch_related(
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk"), to_attr="image_list"),
        Prefetch(
            "variants",
            queryset=variants.prefetch_related(
                Prefetch("options", queryset=AttributeValue.objects.select_related("attribute"))
            ).order_by("position", "pk"),
            to_attr="active_variants",
        ),
        Prefetch("attributes", queryset=AttributeValue.objects.select_related("attribute")),
    )


def _for_page(product: Product) -> Product:
    """What a product's page reads of a loaded product, worked out once so a cached product
    needs no more: its attribute values and its images' rendition URLs."""
    product.attribute_list = list(product.attributes.all())
    return with_rendition_urls(product)


def with_rendition_urls(product: Product) -> Product:
    """Give each loaded image its renditions' URLs (``thumbnail_url``, ``card_url``,
    ``large_url``; "" for a lost file), so a cached product needs no storage round trip."""
    from apps.commerce.templatetags.catalogue_tags import rendition

    for image in product.image_list:
        for name in ("thumbnail", "card", "large"):
            setattr(image, f"{name}_url", rendition(image, name))
    return product


def product_get_live(*, slug: str) -> Product | None:
    """A live product of an active shop as its page shows it, kept in the page cache's
    "commerce" namespace (cleared by every catalogue write and publication; at most
    PRODUCT_CACHE_SECONDS, as rendition URLs may be signed). Stock is not in it: it changes with
    every sale, so ``attach_stock`` reads it as pages show it (``stock.shown``)."""

    product = pagecache.cached(
        NAMESPACE, f"product:{slug}", lambda: product_load_live(slug=slug), max_seconds=PRODUCT_CACHE_SECONDS
    )
    return attach_stock(product) if product is not None else None


def product_load_live(*, slug: str) -> Product | None:
    """A live product of an active shop as its page shows it, without stock, from the database
    (``product_get_live`` and fragments.product_page_live keep it)."""
    product = _product_page_query(with_stock=False).filter(slug=slug, live=True, shop__is_active=True).first()
    if product is None:
        return None
    return _for_page(product)


def attach_stock(product: Product) -> Product:
    """Each active variant's stock row as pages show it (``stock.shown``: from the cache, which
    every stock change clears, else one query), set on the variant."""
    variants = product.active_variants
    rows = stock.shown([v.pk for v in variants])
    for variant in variants:
        variant.stock = rows.get(variant.pk) or Stock(variant_id=variant.pk)
    return product


def variant_get(*, pk: int) -> ProductVariant | None:
    """A variant with its product, shop and type, as the cart checks what it may sell: kept in
    the "commerce" namespace (cleared by every catalogue write and publication, so a variant
    unpublished or withdrawn is refused at once), with its stock as pages show it
    (``stock.shown``); None when there is no such variant. Checkout reads the stock again, under
    its locks, so the cart's cap is a courtesy and the shown counts serve it."""

    def load() -> ProductVariant | None:
        return ProductVariant.objects.select_related("product__shop", "product__product_type").filter(pk=pk).first()

    variant = pagecache.cached(NAMESPACE, f"variant:{pk}", load, max_seconds=PRODUCT_CACHE_SECONDS)
    if variant is None:
        return None
    variant.stock = stock.shown([pk]).get(pk) or Stock(variant_id=pk)
    return variant


def product_get_for_user(*, user: Any, slug: str) -> Product | None:
    """A product's page: its shop, type, category, variants (with stock, options and file),
    images and attribute values, in a fixed number of queries. None when there is no such
    product or ``user`` may not see it (a draft, or an inactive shop's, to anyone but its
    managers). Live products come from ``product_get_live`` (cached)."""
    live = product_get_live(slug=slug)
    return live if live is not None else product_get_unlisted_for_user(user=user, slug=slug)


def product_get_unlisted_for_user(*, user: Any, slug: str) -> Product | None:
    """A product no visitor sees (a draft, or an inactive shop's) for ``user`` if they manage
    it, loaded as ``product_get_for_user`` loads it (uncached); else None."""
    product = _product_page_query().filter(slug=slug).first()
    if product is None or not permissions.can_view_product(user, product):
        return None
    return _for_page(product)


# --- Shop owners' reads -------------------------------------------------------------------------


def shop_list_for_manager(*, user: Any) -> QuerySet[Shop]:
    """The shops ``user`` runs: their own; every shop for staff."""
    shops = Shop.objects.select_related("owner").order_by("name")
    return shops if permissions.is_shop_staff(user) else shops.filter(owner_id=user.pk)


def shop_get(*, pk: int) -> Shop | None:
    """A shop by id, or None (views then ask the policy whether the user may manage it)."""
    return Shop.objects.select_related("owner").filter(pk=pk).first()


def product_list_for_manager(*, user: Any, shop: Shop | None = None) -> QuerySet[Product]:
    """Every product, drafts too, of the shops ``user`` runs (or of one of them), newest first."""
    shops = shop_list_for_manager(user=user)
    products = Product.objects.filter(shop__in=shops) if shop is None else Product.objects.filter(shop=shop)
    return (
        products.select_related("shop", "product_type")
        .defer("description")
        .prefetch_related(
            Prefetch(
                "variants",
                queryset=ProductVariant.objects.select_related("stock").order_by("position", "pk"),
                to_attr="variant_list",
            )
        )
        .order_by("-created_at", "-pk")
    )


def product_get_for_manager(*, pk: int) -> Product | None:
    """A product by id with everything its manage page edits: variants with stock, options and
    file, images, attribute values; None when absent (views then check who asks)."""
    return (
        Product.objects.select_related("shop", "product_type", "category")
        .prefetch_related(
            Prefetch(
                "variants",
                queryset=ProductVariant.objects.select_related("stock", "asset")
                .prefetch_related(Prefetch("options", queryset=AttributeValue.objects.select_related("attribute")))
                .order_by("position", "pk"),
                to_attr="variant_list",
            ),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk"), to_attr="image_list"),
            "attributes",
            "product_type__product_attributes__values",
            "product_type__variant_attributes__values",
        )
        .filter(pk=pk)
        .first()
    )


def variant_get_for_manager(*, pk: int) -> ProductVariant | None:
    return (
        ProductVariant.objects.select_related("product__shop", "product__product_type", "stock").filter(pk=pk).first()
    )
