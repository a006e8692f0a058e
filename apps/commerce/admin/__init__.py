"""The shop in the Django admin, one module per area (Django imports this package)."""
