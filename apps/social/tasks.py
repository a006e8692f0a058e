"""The social network's background tasks: thin and idempotent (a sorted set holds an id once;
every step re-reads the rows it acts on), on the ``fanout`` queue (the senders name it: fanout.QUEUE)."""

from __future__ import annotations

from celery import shared_task

from apps.social.timelines import fanout


@shared_task(name="social.timeline_fanout", ignore_result=True)
def timeline_fanout(post_id: int) -> int:
    """A post was published: its author's timeline, then one ``timeline_deliver`` per batch."""
    return fanout.fanout_post(post_id)


@shared_task(name="social.timeline_deliver", ignore_result=True)
def timeline_deliver(post_id: int, user_ids: list[int]) -> int:
    """One batch of followers (``SOCIAL_FANOUT_BATCH``, 500) gets a post."""
    return fanout.deliver_post(post_id, user_ids)


@shared_task(name="social.timeline_fanout_removal", ignore_result=True)
def timeline_fanout_removal(post_id: int) -> int:
    """A post was deleted: one ``timeline_purge`` per batch of its author's followers."""
    return fanout.fanout_removal(post_id)


@shared_task(name="social.timeline_purge", ignore_result=True)
def timeline_purge(post_id: int, user_ids: list[int]) -> None:
    fanout.purge_post(post_id, user_ids)


@shared_task(name="social.timeline_backfill", ignore_result=True)
def timeline_backfill(follower_id: int, followee_id: int) -> int:
    """A follow began: the followee's recent posts join the follower's timeline."""
    return fanout.backfill_follow(follower_id, followee_id)


@shared_task(name="social.timeline_purge_author", ignore_result=True)
def timeline_purge_author(follower_id: int, followee_id: int) -> int:
    """A follow ended: the followee's posts leave the follower's stored timeline."""
    return fanout.purge_author(follower_id, followee_id)
