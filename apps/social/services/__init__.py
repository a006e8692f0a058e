"""The social network's writes, one module per aggregate: posts and their interactions in
``posts``, profiles in ``profiles``. Every write is atomic, takes a user and plain values, and
publishes its domain event (apps/social/events.py) in its transaction."""
