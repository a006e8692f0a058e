"""The shop's forms, one module per area."""
