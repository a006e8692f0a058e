"""Staff's word filter over posts (written and edited) and direct messages.

Each ``FilteredPhrase`` (edited in the Django admin) matches whatever the case, as a whole word
or phrase or anywhere in the text, and either **refuses** the text (a form error that says only
that the text breaks a rule: naming the phrase would teach how to get around it) or **holds** it:
a post is published but hidden from everyone but its author (``Post.held_at``) and put in the
moderation queue as a system report; a message is sent (a conversation is private) and put in
the queue for staff to look at.

The rules are read on every write, so they are compiled once and kept in the page cache's
``social-wordfilter`` namespace, which every change of a phrase invalidates (signals below).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.core.platform import pagecache
from apps.social.models import FilteredPhrase, Post

NAMESPACE = "social-wordfilter"
KIND_POST = "social.post"
KIND_MESSAGE = "social.message"
REFUSAL = "This text breaks one of the community's rules; change it and try again."


@dataclass(frozen=True)
class Verdict:
    hold: bool = False
    phrases: tuple[str, ...] = ()  # what held it (staff read this in the queue, never the author)


def _rules() -> list[tuple[str, str, str]]:
    """(pattern, action, phrase) for every phrase, cached until a phrase changes."""

    def load() -> list[tuple[str, str, str]]:
        rules = []
        for phrase in FilteredPhrase.objects.order_by("pk"):
            text = phrase.phrase.strip()
            if not text:
                continue
            pattern = re.escape(text)
            if phrase.match == FilteredPhrase.Match.WORD:
                pattern = rf"(?<!\w){pattern}(?!\w)"
            rules.append((pattern, phrase.action, text))
        return rules

    return pagecache.cached(NAMESPACE, "rules", load)


def check(text: str, *, field: str) -> Verdict:
    """Judge ``text``: ValidationError on ``field`` when a refusing phrase matches; else a
    Verdict saying whether a holding phrase matched."""
    if not text:
        return Verdict()
    held = []
    for pattern, action, phrase in _rules():
        if re.search(pattern, text, flags=re.IGNORECASE):
            if action == FilteredPhrase.Action.REFUSE:
                raise ValidationError({field: REFUSAL}, code="word_filter")
            held.append(phrase)
    return Verdict(hold=bool(held), phrases=tuple(held))


def flag_for_review(kind: str, object_id: int, verdict: Verdict) -> None:
    """Put the object in the moderation queue as a system report (one open per object)."""
    from apps.core.reports import services as reports

    reports.report_system(kind=kind, object_id=object_id, note=f"Held by the word filter: {', '.join(verdict.phrases)}")


def hold_for_review(post: Post, verdict: Verdict) -> None:
    """The post (already marked ``held_at``) goes to the queue; staff release or remove it."""
    flag_for_review(KIND_POST, post.pk, verdict)


@receiver([post_save, post_delete], sender=FilteredPhrase, dispatch_uid="social.wordfilter.changed")
def _phrase_changed(**kwargs: object) -> None:
    pagecache.invalidate(NAMESPACE)
