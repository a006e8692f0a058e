"""The shop in the Django admin, one module per area (Django imports this package)."""

from apps.commerce.admin import catalogue  # noqa: F401 (registers the catalogue's admins)
