"""A reportable kind of the tiny domain app: its things (no table: ids 1..3 name THINGS), which
core's report tests register without the social network."""

from __future__ import annotations

from typing import Any

from apps.core.accounts import has_role
from apps.core.platform import Reportable, ReportAction
from tests.hookapp.roles import KEEPER
from tests.hookapp.views import THINGS

HIDDEN: set[int] = set()


def _load(ids: list[int]) -> dict[int, str]:
    return {pk: THINGS[pk - 1] for pk in ids if 0 < pk <= len(THINGS)}


def _hide(*, target: str, moderator: Any, note: str = "") -> None:
    HIDDEN.add(THINGS.index(target) + 1)


THING = Reportable(
    kind="hookapp.thing",
    label="Things",
    load_many=_load,
    can_moderate=lambda user: has_role(user, "admin") or has_role(user, KEEPER),
    # Anyone signed in reports a thing, except "sinker", which nobody may.
    can_report=lambda user, thing: thing != "sinker",
    template="reports/_object.html",
    context_of=lambda thing: {"title": thing},
    title_of=str,
    actions=(ReportAction("hide", "Hide it", _hide, lambda thing: THINGS.index(thing) + 1 not in HIDDEN),),
)
