"""The profile page's tabs (/@<handle>/ and beneath it): the network's own (posts, replies,
media), cut by ``max_id`` cursors as the timelines are, and the tabs other apps fill through their
hook's ``profile_sections`` (a person's blog posts, the courses they teach, their shops), read
through core's registry so the social network imports none of those apps.

The tab strip asks each app's section once with ``limit=0`` (its count alone: one cheap query a
section, whatever the person has made), so the strip costs a fixed number of queries; a section's
items are read only when its tab is opened (its own address, loaded by htmx or as a page).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from apps.core.platform import ProfileSection, ProfileSectionContent, registry
from apps.social.models import Profile
from apps.social.selectors import profile_posts
from apps.social.timelines import TimelinePage

# The network's own tabs, in the strip's order; "posts" is the profile's own address.
OWN_TABS: dict[str, str] = {"posts": "Posts", "replies": "Replies", "media": "Media"}
# Every address beneath /@<handle>/ the network takes itself (urls_people.py): no app's section may.
OWN_PATHS = frozenset({*OWN_TABS, "followers", "following", "follow", "unfollow", "block", "unblock", "mute", "unmute"})
PAGE_SIZE = 20
# How many of an app's things a section's tab shows before its "See all" link.
SECTION_LIMIT = 12


def checked_sections(sections: tuple[ProfileSection, ...]) -> tuple[ProfileSection, ...]:
    """``sections``, unless a key is one the network's own addresses take: that tab would never
    be reached, so it is refused (urls_people checks the installed ones when the URLs load)."""
    taken = sorted(section.key for section in sections if section.key in OWN_PATHS)
    if taken:
        raise ImproperlyConfigured(
            f"A hook's profile section takes an address of the profile itself: {', '.join(taken)}."
        )
    return sections


def profile_sections() -> tuple[ProfileSection, ...]:
    """The installed apps' profile sections in the strip's order (core's registry)."""
    return checked_sections(registry().profile_sections)


def section_get(key: str) -> ProfileSection | None:
    """The app's section at ``key``, or None when no installed app declares one."""
    return next((section for section in profile_sections() if section.key == key), None)


@dataclass(frozen=True)
class ProfileTab:
    key: str
    label: str
    url: str
    # An app section's count (what the viewer may see); None for the network's own tabs.
    count: int | None = None


def tab_url(profile: Profile, key: str) -> str:
    base = profile.get_absolute_url()
    return base if key == "posts" else f"{base}{key}/"


def _ask(section: ProfileSection, profile: Profile, viewer: Any, limit: int) -> ProfileSectionContent | None:
    found = section.content(profile.user, viewer, limit)
    # Nothing to show reads as no tab at all, whether the app said None or a count of nothing.
    return found if found is not None and found.count > 0 else None


def profile_tabs(viewer: Any, profile: Profile) -> list[ProfileTab]:
    """The strip: the network's three tabs, then each app section that has something for
    ``viewer`` with its count. One count query per installed section, none per item."""
    tabs = [ProfileTab(key, label, tab_url(profile, key)) for key, label in OWN_TABS.items()]
    for section in profile_sections():
        found = _ask(section, profile, viewer, 0)
        if found is not None:
            tabs.append(ProfileTab(section.key, section.label, tab_url(profile, section.key), found.count))
    return tabs


def section_content(
    section: ProfileSection, viewer: Any, profile: Profile, *, limit: int = SECTION_LIMIT
) -> ProfileSectionContent | None:
    """What ``viewer`` may see of ``profile``'s things in ``section``'s app (its first ``limit``),
    or None when there is nothing for them there."""
    return _ask(section, profile, viewer, limit)


def profile_page(
    viewer: Any, profile: Profile, tab: str, *, max_id: int | None = None, limit: int = PAGE_SIZE
) -> TimelinePage:
    """A page of one of the network's own tabs (``profile_posts``: what the viewer may read),
    newest first, below ``max_id``, as the timelines cut theirs: one query for the page, with
    authors and originals joined and images prefetched, and the next page's cursor."""
    posts = profile_posts(viewer, profile, tab)
    if max_id is not None:
        posts = posts.filter(id__lt=max_id)
    rows = list(posts.order_by("-id")[: limit + 1])
    return TimelinePage(rows[:limit], rows[limit - 1].pk if len(rows) > limit else None)
