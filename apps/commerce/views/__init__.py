"""The shop's pages, one module per area: cart.py, checkout.py, pay.py (and the other areas')."""
