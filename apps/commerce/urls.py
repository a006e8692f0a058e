"""The shop's pages under /shop/ (the hook mounts this urlconf)."""

from django.urls import path

from apps.commerce.views import catalogue

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
urlpatterns += []


# --- The catalogue (apps/commerce/views/catalogue.py): last --------------------------------
urlpatterns += [
    path("", catalogue.catalogue, name="catalogue"),
    path("category/<slug:slug>/", catalogue.category_detail, name="category"),
    path("collection/<slug:slug>/", catalogue.collection_detail, name="collection"),
    path("s/<slug:slug>/", catalogue.shop_detail, name="shop"),
    path("products/<slug:slug>/", catalogue.product_detail, name="product"),
]
