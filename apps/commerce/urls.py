"""The shop's pages under /shop/ (the hook mounts this urlconf)."""

from django.urls import path

from apps.commerce.views import catalogue, manage

app_name = "commerce"

# Each section is one area's pages; the catalogue's come last, as its shop and product addresses
# take a free slug.
urlpatterns: list = []

# --- Cart (apps/commerce/views/cart.py) -------------------------------------------------------
urlpatterns += []


# --- Checkout and the test provider's payment page (apps/commerce/views/checkout.py) ----------
urlpatterns += []


# --- Orders: customers' and shop owners' (apps/commerce/views/orders.py, views/manage_orders.py)
urlpatterns += []


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
