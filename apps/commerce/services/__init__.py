"""The shop's writes, one module per area (catalogue, cart, checkout, orders ...)."""
