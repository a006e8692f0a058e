"""The shop's pages under /shop/ (the hook mounts this urlconf)."""

from django.urls import path

from apps.commerce.views import catalogue, manage

app_name = "commerce"

# Each section is one area's pages; the catalogue's come last, as its shop and product addresses
# take a free slug.
urlpatterns: list = []

# --- Cart (apps/commerce/views/cart.py) -------------------------------------------------------
from apps.commerce.views import cart as cart_views  # noqa: E402

urlpatterns += [
    path("cart/", cart_views.cart_page, name="cart"),
    path("cart/add/", cart_views.cart_add, name="cart-add"),
    path("cart/lines/<id:variant_id>/", cart_views.cart_line, name="cart-line"),
    path("cart/mini/", cart_views.mini_cart, name="mini-cart"),
]


# --- Checkout and the test provider's payment page (apps/commerce/views/checkout.py) ----------
from apps.commerce.views import checkout as checkout_views  # noqa: E402
from apps.commerce.views import pay as pay_views  # noqa: E402

urlpatterns += [
    path("checkout/", checkout_views.checkout_page, name="checkout"),
    path("checkout/start/", checkout_views.checkout_start, name="checkout-start"),
    path("checkout/address/", checkout_views.checkout_address, name="checkout-address"),
    path("checkout/shipping/", checkout_views.checkout_shipping, name="checkout-shipping"),
    path("checkout/voucher/", checkout_views.checkout_voucher, name="checkout-voucher"),
    path("checkout/complete/", checkout_views.checkout_complete, name="checkout-complete"),
    path("checkout/done/<uuid:token>/", checkout_views.checkout_done, name="checkout-done"),
    path("pay/<str:reference>/", pay_views.test_pay, name="test-pay"),
    path("payments/webhook/<slug:provider>/", pay_views.payment_webhook, name="payment-webhook"),
]


# --- Orders: customers' and shop owners' (apps/commerce/views/orders.py, views/manage_orders.py)
from apps.commerce.views import manage_orders, orders  # noqa: E402

urlpatterns += [
    path("orders/", orders.order_list, name="orders"),
    path("orders/reviews/<id:product_id>/", orders.review_create, name="review-create"),
    path("orders/<str:number>/", orders.order_detail, name="order"),
    path("orders/<str:number>/return/", orders.order_return, name="order-return"),
    path("orders/<str:number>/invoice.pdf", orders.order_invoice, name="order-invoice"),
    path("downloads/<str:token>/", orders.download, name="download"),
    path("manage/orders/", manage_orders.manage_order_list, name="manage-orders"),
    path("manage/orders/export.csv", manage_orders.manage_order_export, name="manage-orders-csv"),
    path("manage/orders/<str:number>/", manage_orders.manage_order, name="manage-order"),
    path("manage/orders/<str:number>/<id:part_id>/fulfil/", manage_orders.part_fulfil, name="part-fulfil"),
    path("manage/orders/<str:number>/<id:part_id>/cancel/", manage_orders.part_cancel, name="part-cancel"),
    path("manage/orders/<str:number>/<id:part_id>/refund/", manage_orders.part_refund, name="part-refund"),
    path("manage/returns/<id:return_id>/approve/", manage_orders.return_approve, name="return-approve"),
    path("manage/returns/<id:return_id>/reject/", manage_orders.return_reject, name="return-reject"),
    path("manage/reviews/", manage_orders.review_queue, name="review-queue"),
    path("manage/reviews/<str:review_id>/<slug:decision>/", manage_orders.review_moderate, name="review-moderate"),
]


# --- Managing a shop's products and stock on the site (apps/commerce/views/manage.py) ---------
urlpatterns += [
    path("manage/", manage.manage_home, name="manage"),
    path("manage/shops/new/", manage.shop_create, name="manage-shop-create"),
    path("manage/shops/<id:pk>/", manage.shop_edit, name="manage-shop"),
    path("manage/products/new/", manage.product_create, name="manage-product-create"),
    path("manage/products/<id:pk>/", manage.product_edit, name="manage-product"),
    path("manage/products/<id:pk>/publish/", manage.product_publish, name="manage-product-publish"),
    path("manage/products/<id:pk>/unpublish/", manage.product_unpublish, name="manage-product-unpublish"),
    path("manage/products/<id:pk>/schedule/", manage.product_schedule, name="manage-product-schedule"),
    path("manage/products/<id:pk>/variants/new/", manage.variant_create, name="manage-variant-create"),
    path("manage/products/<id:pk>/images/", manage.image_add, name="manage-image-add"),
    path("manage/images/<id:pk>/delete/", manage.image_delete, name="manage-image-delete"),
    path("manage/variants/<id:pk>/", manage.variant_edit, name="manage-variant"),
    path("manage/variants/<id:pk>/stock/", manage.stock_set, name="manage-stock"),
    path("manage/variants/<id:pk>/file/", manage.digital_file_set, name="manage-file"),
]


# --- The catalogue (apps/commerce/views/catalogue.py): last --------------------------------
urlpatterns += [
    path("", catalogue.catalogue, name="catalogue"),
    path("category/<slug:slug>/", catalogue.category_detail, name="category"),
    path("collection/<slug:slug>/", catalogue.collection_detail, name="collection"),
    path("s/<slug:slug>/", catalogue.shop_detail, name="shop"),
    path("products/<slug:slug>/", catalogue.product_detail, name="product"),
]
