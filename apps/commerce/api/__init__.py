"""The shop's API under /api/v1/shop/: thin adapters over the shop's selectors and services."""
