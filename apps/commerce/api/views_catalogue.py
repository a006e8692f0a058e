"""The public catalogue: products (filtered, sorted, searched, paginated, with facets), a product
by its slug, categories, collections and shops. Anyone may read; visitors see live products of
active shops only, and a product's managers also see its draft at the same address."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from apps.commerce.api.common import TAGS, error, page_links
from apps.commerce.api.serializers import (
    CollectionOutput,
    ProductDetailOutput,
    ProductListFilterInput,
    ProductPageOutput,
    ShopCategoryOutput,
    ShopOutput,
)
from apps.commerce.models import Collection, Shop
from apps.commerce.selectors import catalogue as selectors
from apps.core.api import ApiRootOutput
from apps.core.platform import pagecache

# Whole answers of the landing lists are kept (cleared by every catalogue write, as the pages'
# lists are): "sold out" flags at most this old, like the catalogue page's cards.
ANSWER_SECONDS = selectors.LIST_CACHE_SECONDS
_PLAIN_PARAMS = {"category", "collection", "shop", "sort", "page", "page_size"}


class ShopApiRootView(APIView):
    """Where the shop's API starts: links to its lists."""

    permission_classes = [AllowAny]

    @extend_schema(summary="The shop API's endpoints", responses=ApiRootOutput, tags=TAGS)
    def get(self, request: Request) -> Response:
        names = {
            "products": "api-shop-products",
            "categories": "api-shop-categories",
            "collections": "api-shop-collections",
            "shops": "api-shop-shops",
            "cart": "api-shop-cart",
            "checkout": "api-shop-checkout",
            "orders": "api-shop-orders",
            "manage_products": "api-shop-manage-products",
            "manage_orders": "api-shop-manage-parts",
        }
        links = {key: reverse(name, request=request) for key, name in names.items()}
        return Response({"name": f"{settings.SITE_NAME} shop API", "version": "v1", "links": links})


def _filters(values: dict[str, Any]) -> selectors.CatalogueFilters:
    attributes: dict[str, tuple[str, ...]] = {}
    for pick in values.get("attr", []):
        attribute, _, value = pick.partition(":")
        if value not in attributes.get(attribute, ()):
            attributes[attribute] = (*attributes.get(attribute, ()), value)
    return selectors.CatalogueFilters(
        q=" ".join(values.get("q", "").split()),
        category=values.get("category", ""),
        collection=values.get("collection", ""),
        shop=values.get("shop", ""),
        min_price=values.get("min_price"),
        max_price=values.get("max_price"),
        in_stock=values["in_stock"],
        attributes=attributes,
        sort=values["sort"],
        page=values["page"],
    )


class ProductListView(APIView):
    """Live products with the catalogue page's filters, sort and search (one selector for both)."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="List products",
        operation_id="shop_products_list",
        parameters=[ProductListFilterInput],
        responses={200: ProductPageOutput, 400: error("A malformed filter."), 404: error("No such page.")},
        tags=TAGS,
    )
    def get(self, request: Request) -> HttpResponseBase:
        key = self._cache_key(request)
        if key is None:
            return Response(self._build(request))
        # The JSON text is kept, so a warm answer is one cache round trip and no encoding.
        text = pagecache.cached(selectors.NAMESPACE, key, lambda: self._render(request), max_seconds=ANSWER_SECONDS)
        if text is None:
            return Response(self._build(request))
        if request.accepted_renderer.format == "json":
            return HttpResponse(text, content_type="application/json")
        return Response(self._build(request))

    def _build(self, request: Request) -> dict[str, Any]:
        filters = ProductListFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        found = selectors.product_list(user=request.user, filters=_filters(values), page_size=values["page_size"])
        if found.page.number != values["page"]:  # the selector falls back to the last page
            raise exceptions.NotFound("No such page.")
        return {
            **page_links(request, found.page),
            "results": ProductPageOutput().fields["results"].to_representation(found.products),
            "facets": ProductPageOutput().fields["facets"].to_representation(found.facets),
        }

    def _render(self, request: Request) -> bytes | None:
        data = self._build(request)
        return JSONRenderer().render(data) if data["count"] else None  # empty lists are not kept

    def _cache_key(self, request: Request) -> str | None:
        """Only the landing lists (plain filters, one spelling each, the first pages) are kept;
        searches, price ranges and attribute picks are built each time."""
        params = request.query_params
        if not set(params) <= _PLAIN_PARAMS or any(len(v) != 1 or len(v[0]) > 80 for v in params.lists()):
            return None
        page = params.get("page", "1")
        if not page.isdigit() or not 1 <= int(page) <= selectors.CACHED_LIST_PAGES:
            return None
        origin = f"{request.scheme}://{request.get_host()}"  # the neighbour links are absolute
        parts = ":".join(params.get(name, "") for name in sorted(_PLAIN_PARAMS - {"page"}))
        return f"api:products:{origin}:{parts}:{page}"


class ProductDetailView(APIView):
    """A product by its address: variants with prices and availability, images' renditions."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Read a product",
        responses={200: ProductDetailOutput, 404: error("No such product, or a draft you do not manage.")},
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        product = selectors.product_get_for_user(user=request.user, slug=slug)
        if product is None:
            raise exceptions.NotFound("No such product.")
        return Response(ProductDetailOutput(product).data)


class CategoryListView(APIView):
    # Not a GenericAPIView: the schema generator would call get_queryset(), and this one is a list.
    permission_classes = [AllowAny]

    @extend_schema(
        summary="List categories (top level, with their children)", responses=ShopCategoryOutput(many=True), tags=TAGS
    )
    def get(self, request: Request) -> Response:
        return Response(ShopCategoryOutput(selectors.categories_for_nav(), many=True).data)


class CollectionListView(GenericAPIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="List collections", responses=CollectionOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CollectionOutput(page, many=True).data)

    def get_queryset(self) -> QuerySet[Collection]:
        return selectors.collection_list_public()


class ShopListView(GenericAPIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="List shops", responses=ShopOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ShopOutput(page, many=True).data)

    def get_queryset(self) -> QuerySet[Shop]:
        return selectors.shop_list_public()
