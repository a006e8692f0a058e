"""The shop in the Django admin, one module per area (Django imports this package)."""

from apps.commerce.admin import (
    catalogue,  # noqa: F401 (shops, products, categories, collections, types, attributes)
    checkout,  # noqa: F401 (shipping, tax rates, vouchers)
    orders,  # noqa: F401 (orders, payments, returns, downloads)
)
