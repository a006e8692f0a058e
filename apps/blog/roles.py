"""The blog's roles, declared to the platform by its hook (``apps/blog/platform.py``)."""

from __future__ import annotations

from apps.core.accounts import RoleName, RoleSpec

BLOG_ADMIN = "blog_admin"
BLOG_AUTHOR = "blog_author"

ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(
        BLOG_ADMIN,
        "Blog admin",
        "Reviews and publishes any post and moderates comments.",
        parents=(RoleName.ADMIN,),
        dashboard="blog",
    ),
    # Authors land on the member dashboard, where the "Your posts" panel shows to them.
    RoleSpec(BLOG_AUTHOR, "Blog author", "Writes posts and submits them for review.", parents=(BLOG_ADMIN,)),
)
