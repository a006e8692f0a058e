"""The blog's tab on people's profiles (the hook's ``profile_sections``): the person's live posts."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from apps.blog import selectors
from apps.core.platform import ProfileSectionContent


def author_posts(person: Any, viewer: Any, limit: int) -> ProfileSectionContent | None:
    """``person``'s live posts, newest first (the first ``limit``; ``limit=0``: the count alone,
    one query on the author index). Live only, whoever looks, the author and editors too: drafts,
    scheduled and unpublished posts have their own pages. None when they have published nothing."""
    posts = selectors.post_list_live(author_id=person.pk)
    count = posts.count()
    if count == 0:
        return None
    return ProfileSectionContent(
        count=count,
        template="blog/_profile_section.html",
        items=list(posts[:limit]) if limit else (),
        more_url=reverse("blog:author", args=[person.pk]),
    )
