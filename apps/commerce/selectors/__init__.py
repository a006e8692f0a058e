"""The shop's reads, one module per aggregate: permission-filtered, prefetched querysets for
pages, the API and the services alike."""
