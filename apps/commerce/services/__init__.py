"""The shop's writes, one module per aggregate: cart.py, checkout.py, payments.py, orders.py, sellables.py, catalogue.py."""
