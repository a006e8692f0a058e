"""The shop's pages under /shop/ (the hook mounts this urlconf)."""

from django.urls import path

app_name = "commerce"

# Each section is one area's pages; the catalogue's come last, as its shop and product addresses
# take a free slug.
urlpatterns: list = []

# --- Cart (apps/commerce/views/cart.py) -------------------------------------------------------
from apps.commerce.views import cart as cart_views  # noqa: E402

urlpatterns += [
    path("cart/", cart_views.cart_page, name="cart"),
    path("cart/add/", cart_views.cart_add, name="cart-add"),
    path("cart/lines/<int:variant_id>/", cart_views.cart_line, name="cart-line"),
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
urlpatterns += []


# --- Managing a shop's products and stock on the site (apps/commerce/views/manage.py) ---------
urlpatterns += []


# --- The catalogue (apps/commerce/views/catalogue.py): last --------------------------------
urlpatterns += []
