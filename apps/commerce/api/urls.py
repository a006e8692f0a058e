"""/api/v1/shop/: the public catalogue by slug, the cart by variant id, the signed-in customer's
checkout (one in progress: no id in its address) and orders by number, and shop management by
id under manage/. See docs/architecture.md ("Shop: API")."""

from django.urls import path

from apps.commerce.api import views_cart, views_catalogue, views_manage, views_orders

urlpatterns = [
    path("", views_catalogue.ShopApiRootView.as_view(), name="api-shop-root"),
    path("products/", views_catalogue.ProductListView.as_view(), name="api-shop-products"),
    path("products/<slug:slug>/", views_catalogue.ProductDetailView.as_view(), name="api-shop-product"),
    path("categories/", views_catalogue.CategoryListView.as_view(), name="api-shop-categories"),
    path("collections/", views_catalogue.CollectionListView.as_view(), name="api-shop-collections"),
    path("shops/", views_catalogue.ShopListView.as_view(), name="api-shop-shops"),
    path("cart/", views_cart.CartView.as_view(), name="api-shop-cart"),
    path("cart/lines/", views_cart.CartLineListView.as_view(), name="api-shop-cart-lines"),
    path("cart/lines/<id:pk>/", views_cart.CartLineView.as_view(), name="api-shop-cart-line"),
    path("checkout/", views_cart.CheckoutView.as_view(), name="api-shop-checkout"),
    path("checkout/address/", views_cart.CheckoutAddressView.as_view(), name="api-shop-checkout-address"),
    path("checkout/shipping/", views_cart.CheckoutShippingView.as_view(), name="api-shop-checkout-shipping"),
    path("checkout/voucher/", views_cart.CheckoutVoucherView.as_view(), name="api-shop-checkout-voucher"),
    path("checkout/complete/", views_cart.CheckoutCompleteView.as_view(), name="api-shop-checkout-complete"),
    path("orders/", views_orders.OrderListView.as_view(), name="api-shop-orders"),
    path("orders/<str:number>/", views_orders.OrderDetailView.as_view(), name="api-shop-order"),
    path("manage/shops/", views_manage.ManagedShopListView.as_view(), name="api-shop-manage-shops"),
    path("manage/products/", views_manage.ManagedProductListView.as_view(), name="api-shop-manage-products"),
    path("manage/products/<id:pk>/", views_manage.ManagedProductView.as_view(), name="api-shop-manage-product"),
    path("manage/products/<id:pk>/variants/", views_manage.VariantListView.as_view(), name="api-shop-manage-variants"),
    path("manage/variants/<id:pk>/stock/", views_manage.StockView.as_view(), name="api-shop-manage-stock"),
    path("manage/orders/", views_manage.PartListView.as_view(), name="api-shop-manage-parts"),
    path("manage/orders/<id:pk>/", views_manage.PartView.as_view(), name="api-shop-manage-part"),
    path("manage/orders/<id:pk>/fulfil/", views_manage.PartFulfilView.as_view(), name="api-shop-manage-fulfil"),
    path("manage/orders/<id:pk>/cancel/", views_manage.PartCancelView.as_view(), name="api-shop-manage-cancel"),
    path("manage/orders/<id:pk>/refund/", views_manage.PartRefundView.as_view(), name="api-shop-manage-refund"),
]
