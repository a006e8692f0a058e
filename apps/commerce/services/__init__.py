"""The shop's writes, one module per aggregate (orders, sellables, ...)."""
