"""`make bench`: requests per second of the platform's pages as fractions of a bare view's (bench/README.md)."""
