"""The shop's reads, one module per aggregate, for pages, the API and the services alike."""
