"""What notifies: each domain declares its kinds of notification in its app hook's
``notification_kinds``; core registers them at start-up and never names a domain.

A kind ("<domain>.<noun>", say "commerce.order_shipped") says how people are told by default (in the
app, by email at once, in a daily or weekly digest, or not by email) and how a group of its
notifications reads: ``template`` for one event, ``template_many`` once several are grouped, with
``{actors}`` ("Ana", "Ana and 3 others"), ``{count}`` and ``{target}`` (the target's label).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_KIND = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


class Email:
    """How (and whether) a kind's notifications are emailed."""

    OFF = "off"
    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"

    CHOICES = (
        (OFF, "No email"),
        (INSTANT, "Email at once"),
        (DAILY, "Daily digest"),
        (WEEKLY, "Weekly digest"),
    )
    VALUES = frozenset(value for value, _ in CHOICES)
    DIGESTS = (DAILY, WEEKLY)


@dataclass(frozen=True)
class NotificationKind:
    """One kind of notification a domain sends, with its defaults and its sentence."""

    name: str  # "<domain>.<noun>": the domain (the app label) is the part before the dot
    label: str  # the preferences page's name for it: "Orders shipped"
    description: str
    template: str  # "{actors} shipped your order “{target}”"
    template_many: str = ""  # when grouped (count > 1); the single template when empty
    in_app: bool = True
    email: str = Email.OFF
    # Who the kind concerns (None: everyone): only they see it among their preferences, so a
    # reader is not asked about, say, the moderators' kinds. A domain passes its own rule.
    audience: Callable[[Any], bool] | None = None

    def __post_init__(self) -> None:
        if not _KIND.fullmatch(self.name):
            raise ValueError(f"A notification kind looks like 'domain.noun', not {self.name!r}.")
        if self.email not in Email.VALUES:
            raise ValueError(f"{self.name}: email must be one of {sorted(Email.VALUES)}, not {self.email!r}.")

    def concerns(self, user: Any) -> bool:
        """Whether ``user`` is among those the kind is sent to (its preferences page lists it)."""
        return self.audience is None or bool(self.audience(user))

    @property
    def domain(self) -> str:
        return self.name.split(".", 1)[0]

    def sentence(self, *, actors: str, count: int, target: str) -> str:
        template = self.template_many if count > 1 and self.template_many else self.template
        return template.format(actors=actors, count=count, target=target)


_KINDS: dict[str, NotificationKind] = {}


def register(kind: NotificationKind) -> NotificationKind:
    """Register a kind (the app hooks' kinds are registered at start-up; again replaces it)."""
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Forget a kind (tests that register one of their own)."""
    _KINDS.pop(name, None)


def kind_of(name: str) -> NotificationKind | None:
    """The registered kind called ``name``, or None."""
    return _KINDS.get(name)


def kinds() -> tuple[NotificationKind, ...]:
    """Every registered kind, in registration order (the app hooks' order)."""
    return tuple(_KINDS.values())


def domains() -> tuple[str, ...]:
    """The domains that registered kinds, in order, each once."""
    return tuple(dict.fromkeys(kind.domain for kind in _KINDS.values()))
