"""The shop in the Django admin, one module per area (Django imports this package)."""

from apps.commerce.admin import (
    checkout,  # noqa: F401 (shipping, tax rates, vouchers)
    orders,  # noqa: F401,E402 (orders, payments, returns, downloads)
)
