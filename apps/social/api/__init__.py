"""The social network's API, under /api/v1/social/."""
