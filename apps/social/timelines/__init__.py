"""Timelines: home (fan-out on write into sorted sets, hot accounts merged at read time), the
public timeline and hashtag pages. See docs/architecture.md, "Social: timelines".

The post and relation services call the entry points (``post_published``, ``post_removed``,
``follow_accepted``, ``follow_ended``) inside their transactions; the work runs on Celery's
``fanout`` queue after commit. Pages and sockets call the reads.
"""

from apps.social.timelines.fanout import (
    follow_accepted,
    follow_ended,
    home_key,
    post_published,
    post_removed,
)
from apps.social.timelines.reads import (
    TimelinePage,
    hashtag_get,
    hashtag_timeline,
    home_new_count,
    home_timeline,
    public_new_count,
    public_timeline,
    rebuild_home,
)
from apps.social.timelines.store import TimelineStore, timeline_store

__all__ = [
    "TimelinePage",
    "TimelineStore",
    "follow_accepted",
    "follow_ended",
    "hashtag_get",
    "hashtag_timeline",
    "home_key",
    "home_new_count",
    "home_timeline",
    "post_published",
    "post_removed",
    "public_new_count",
    "public_timeline",
    "rebuild_home",
    "timeline_store",
]
