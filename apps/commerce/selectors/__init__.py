"""The shop's reads, one module per aggregate: permission-filtered, prefetched querysets."""
