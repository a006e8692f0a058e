"""Staff's word filter: phrases posts and messages may not carry. Edited in the Django admin;
read often (every post and message written), so the rules are cached and the cache dropped on
every change (apps/social/wordfilter.py)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class FilteredPhrase(models.Model):
    class Match(models.TextChoices):
        WORD = "word", "Whole word or phrase"
        SUBSTRING = "substring", "Anywhere, even inside a word"

    class Action(models.TextChoices):
        REFUSE = "refuse", "Refuse the text"
        HOLD = "hold", "Post it, but hold it for review"

    phrase = models.CharField(max_length=200, help_text="Matched whatever the case.")
    match = models.CharField(max_length=10, choices=Match.choices, default=Match.WORD)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.REFUSE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["phrase"]
        constraints = [models.UniqueConstraint(fields=["phrase", "match"], name="social_filtered_phrase_once")]

    def __str__(self) -> str:
        return self.phrase
