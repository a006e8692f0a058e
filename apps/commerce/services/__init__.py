"""The shop's writes, one module per aggregate: catalogue.py, cart.py, checkout.py, payments.py,
orders.py, sellables.py."""
