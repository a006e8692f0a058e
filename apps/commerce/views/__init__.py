"""The shop's pages, one module per area (thin: parse, check, call a service or selector, render)."""
