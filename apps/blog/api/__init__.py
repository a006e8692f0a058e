"""The blog's API under /api/v1/blog/: public reads by slug, writing and review by id.

Views are adapters over apps/blog/services.py (every write) and ``selectors.py`` here (every
read); every decision is asked of apps/blog/permissions.py. See docs/blog-api.md.
"""
