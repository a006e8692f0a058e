"""App hooks: what each domain app contributes to the platform, declared in one place.

A domain app has a ``platform.py`` module with one ``hook = AppHook(...)``. The registry
imports that module for every installed app that has one (INSTALLED_APPS order), checks the
hooks against each other, and hands the parts to whoever needs them: ``config/urls.py``
mounts the pages and the sitemaps, ``apps/core/api/urls.py`` the API and its root links, the
header shows the navigation, the dashboards show the panels, the role hierarchy takes in the
roles, the free pages refuse the reserved slugs, ``seed_demo`` and ``bench_seed`` call the
seeds, ``config/routing.py`` routes the websockets, the block slots, commentable kinds and
notification kinds are registered with core's blocks, comments and notifications. Core names
no domain: adding one touches INSTALLED_APPS and nothing else.

A later kind of contribution (search or audience providers) is one more field on
:class:`AppHook` with an empty default and one accessor on :class:`Registry`, as ``sellables`` is.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

from django.apps import apps
from django.contrib.sitemaps import Sitemap
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import module_has_submodule

from apps.core.accounts.dashboards import Dashboard, Panel, Tool
from apps.core.accounts.roles import RoleSpec
from apps.core.blocks.slots import Slot
from apps.core.comments.registry import Commentable
from apps.core.notifications.registry import NotificationKind
from apps.core.reports.registry import Reportable

HOOK_MODULE = "platform"


@dataclass(frozen=True)
class Mount:
    """A urlconf mounted at ``prefix`` (``"shop/"``, or ``"@"`` for people's /@<handle>/): at the
    site's root for pages, under ``/api/v1/`` for the API."""

    prefix: str
    urlconf: str


@dataclass(frozen=True)
class NavLink:
    """A header item: ``url_name`` reversed per request, shown to the users ``show`` accepts."""

    label: str
    url_name: str
    # A permission callable (user -> bool), e.g. ``permissions.can_create_post``; None: everyone.
    show: Callable[[Any], bool] | None = None

    def shown_to(self, user: Any) -> bool:
        return self.show is None or bool(self.show(user))


@dataclass(frozen=True)
class DemoAccount:
    """A demo account ``seed_demo`` creates (verified) and grants ``role``; published passwords."""

    email: str
    password: str
    role: str
    name: str


@dataclass(frozen=True)
class SellableKind:
    """A kind of thing an app offers for sale through whichever app sells (a seat, a ticket):
    ``kind`` is unique within the declaring app, ``label`` what buyers read. The seller stores
    (app label, kind, id) and announces payments and refunds as events; the declaring app
    fulfils in its own subscribers. ``url_of(ref_id)``: where a buyer finds what they bought (the
    course's page), which the seller's confirmation links to; None where there is nothing to open."""

    kind: str
    label: str
    url_of: Callable[[str], str | None] | None = None


@dataclass(frozen=True)
class Periodic:
    """A task of this app that beat sends every ``seconds`` (config/celery.py adds it to core's
    schedule when beat starts). Like every periodic task, it must be safe to run twice at once."""

    task: str  # the Celery task's name, "<app label>.<verb>"
    seconds: float


# presence_policy(viewer, subject_ids): the ids among ``subject_ids`` whose presence ``viewer`` may see.
PresencePolicy = Callable[[Any, frozenset[int]], "set[int] | frozenset[int]"]


@dataclass(frozen=True)
class Audience:
    """A kind of group an app offers as the readers of a post (a course's learners, a cohort):
    another app (the social network) lets an author address one without importing the provider.

    ``key`` is "<app label>.<noun>" ("lms.cohort"); a group is named by ``ref`` (its id, a string),
    stored by the consumer as "<key>:<ref>". ``choices_for(author)``: the (ref, label) pairs of the
    groups this author may post to; ``is_member(user, ref)``: whether ``user`` reads that group's
    posts; ``refs_of(user)``: every ref of this kind ``user`` belongs to (one query: a list page
    filters by it in SQL); ``member_ids(ref)``: the ids of the group's members (fan-out)."""

    key: str
    label: str
    choices_for: Callable[[Any], Iterable[tuple[str, str]]]
    is_member: Callable[[Any, str], bool]
    refs_of: Callable[[Any], Iterable[str]]
    member_ids: Callable[[str], Iterable[int]] | None = None


# seed(write=...) writes an app's demo content through its services; idempotent.
DemoSeed = Callable[..., Any]
# seed() writes an app's benchmark data and returns the addresses to measure by name.
BenchSeed = Callable[[], Mapping[str, str] | None]


def _empty_mapping() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class ProfileSectionContent:
    """What one viewer sees of a person's things in an app, as a tab of their profile: ``count``
    (how many in all: the tab's number), ``items`` (at most the limit asked for) rendered by the
    app's own ``template`` (a fragment that never extends, given ``items``, ``count``, ``person``,
    ``more_url`` and ``extra``), ``more_url``: the app's own page of them all ("See all"), or ""."""

    count: int
    template: str = ""
    items: Sequence[Any] = ()
    more_url: str = ""
    extra: Mapping[str, Any] = field(default_factory=_empty_mapping)


# content(person, viewer, limit): what ``viewer`` may see of ``person``'s things (published and
# public only, never drafts), the first ``limit`` of them; ``limit=0`` asks for the count alone (one
# cheap query: the tab strip asks every section); None when there is nothing to show that viewer.
ProfileSectionReader = Callable[[Any, Any, int], ProfileSectionContent | None]
PROFILE_SECTION_KEY = re.compile(r"[a-z][a-z0-9-]{0,29}")


@dataclass(frozen=True)
class ProfileSection:
    """A tab of people's profiles that an app fills (what they wrote, taught or sell there):
    ``key`` is its address beneath the profile (/@<handle>/<key>/: lower-case letters, digits,
    dashes), ``label`` the tab's name, ``order`` its place among the apps' tabs (lower first)."""

    key: str
    label: str
    content: ProfileSectionReader
    order: int = 100


@dataclass(frozen=True)
class AppHook:
    """Everything one app contributes. Every field is optional; see docs/architecture.md."""

    # Page URLs, mounted in this order after core's routes and before the free pages' ``<slug>/``.
    pages: tuple[Mount, ...] = ()
    # API URLs, mounted under /api/v1/ (and so in the OpenAPI schema).
    api: tuple[Mount, ...] = ()
    # Websocket routes: a module with ``websocket_urlpatterns`` (config/routing.py imports it).
    websockets: str | None = None
    # The API root's links: key -> URL name.
    api_links: Mapping[str, str] = field(default_factory=_empty_mapping)
    # /sitemap.xml sections: section name -> Sitemap class.
    sitemaps: Mapping[str, type[Sitemap]] = field(default_factory=_empty_mapping)
    # Header items, after "Home" and before core's own links.
    nav: tuple[NavLink, ...] = ()
    # Templates the header includes beside the account links (a mini-cart), each rendered with
    # the request's context. Keep them cheap: they render on every page.
    header_items: tuple[str, ...] = ()
    # Dashboard panels (on core's dashboards or on this app's).
    panels: tuple[Panel, ...] = ()
    # The dashboards' "Your tools" links: the pages of this app its viewers may use.
    tools: tuple[Tool, ...] = ()
    # The dashboards of this app's roles.
    dashboards: tuple[Dashboard, ...] = ()
    # This app's roles, ranked between core's staff and member roles; parents place them.
    roles: tuple[RoleSpec, ...] = ()
    # Top-level addresses no free page may take (the first segment of each page mount is added).
    reserved_slugs: frozenset[str] = frozenset()
    # seed_demo: the accounts of this app's roles, then ``demo_seed(write=...)`` once they exist.
    demo_accounts: tuple[DemoAccount, ...] = ()
    # Blocks this app adds to the demo home page (say, a heading and a slot of its newest items);
    # the built-in home (no home sections published) shows them under its hero too.
    demo_home: tuple[Mapping[str, Any], ...] = ()
    # The built-in home's promise: one sentence on what this app really offers visitors.
    home_intro: str = ""
    # The built-in home's calls to action, side by side in the hero (first one primary).
    home_actions: tuple[NavLink, ...] = ()
    demo_seed: DemoSeed | None = None
    # bench_seed: ``bench_seed()`` once the demo site exists.
    bench_seed: BenchSeed | None = None
    # robots.txt: paths under this app that crawlers should keep out of ("/shop/cart/").
    robots_disallow: tuple[str, ...] = ()
    # Slots that bodies (pages, home sections, posts) may place: ``Slot(name, renderer, description)``.
    slots: tuple[Slot, ...] = ()
    # Kinds of this app's objects that carry comment threads (core's comments and moderation queue).
    commentables: tuple[Commentable, ...] = ()
    # Kinds of notification this app sends (core's notification centre); each named
    # "<this app's label>.<noun>", with its default channels and its sentence.
    notification_kinds: tuple[NotificationKind, ...] = ()
    # Kinds of this app's things that may be sold (``SellableKind(kind, label)``), by app label.
    sellables: tuple[SellableKind, ...] = ()
    # Periodic tasks of this app (``Periodic(task, seconds)``): beat runs them beside core's.
    periodic: tuple[Periodic, ...] = ()
    # Who may see whose online status (core's presence service, apps/core/platform/presence.py):
    # ``policy(viewer, subject_ids) -> the ids among them the viewer may see``, asked for a whole
    # batch at once so a list page costs a few queries, not a few per person. None: this app does
    # not narrow core's default (signed-in viewers see everyone's). Several apps' policies all apply.
    presence_policy: PresencePolicy | None = None
    # Groups this app offers as a post's readers (``Audience(key, label, ...)``), keyed "<app>.<noun>".
    audiences: tuple[Audience, ...] = ()
    # Tabs of people's profiles this app fills (``ProfileSection(key, label, content, order)``).
    profile_sections: tuple[ProfileSection, ...] = ()
    # Kinds of this app's things people may report into core's one moderation queue
    # (``Reportable(kind, label, load_many, ...)``, keyed "<app>.<noun>"): who reports, who
    # moderates, how the queue shows one and the staff actions it offers (apps/core/reports/).
    reportables: tuple[Reportable, ...] = ()


@dataclass(frozen=True)
class InstalledHook:
    app: str  # the app's label
    hook: AppHook


@dataclass(frozen=True)
class Registry:
    """The installed hooks, in INSTALLED_APPS order, and their parts gathered."""

    hooks: tuple[InstalledHook, ...]

    def _gather(self, part: Callable[[AppHook], tuple[Any, ...]]) -> tuple[Any, ...]:
        return tuple(item for installed in self.hooks for item in part(installed.hook))

    @property
    def page_mounts(self) -> tuple[Mount, ...]:
        return self._gather(lambda hook: hook.pages)

    @property
    def api_mounts(self) -> tuple[Mount, ...]:
        return self._gather(lambda hook: hook.api)

    @property
    def websocket_modules(self) -> tuple[str, ...]:
        return self._gather(lambda hook: (hook.websockets,) if hook.websockets else ())

    @property
    def api_links(self) -> dict[str, str]:
        return dict(self._gather(lambda hook: tuple(hook.api_links.items())))

    @property
    def sitemaps(self) -> dict[str, type[Sitemap]]:
        return dict(self._gather(lambda hook: tuple(hook.sitemaps.items())))

    @property
    def nav(self) -> tuple[NavLink, ...]:
        return self._gather(lambda hook: hook.nav)

    @property
    def header_items(self) -> tuple[str, ...]:
        return self._gather(lambda hook: hook.header_items)

    @property
    def panels(self) -> tuple[Panel, ...]:
        return self._gather(lambda hook: hook.panels)

    @property
    def tools(self) -> tuple[Tool, ...]:
        return self._gather(lambda hook: hook.tools)

    @property
    def home_intros(self) -> tuple[str, ...]:
        return self._gather(lambda hook: (hook.home_intro,) if hook.home_intro else ())

    @property
    def home_actions(self) -> tuple[NavLink, ...]:
        return self._gather(lambda hook: hook.home_actions)

    @property
    def dashboards(self) -> tuple[Dashboard, ...]:
        return self._gather(lambda hook: hook.dashboards)

    @property
    def roles(self) -> tuple[RoleSpec, ...]:
        return self._gather(lambda hook: hook.roles)

    @property
    def reserved_slugs(self) -> frozenset[str]:
        mounted = {mount.prefix.strip("/").split("/")[0] for mount in self.page_mounts}
        return frozenset(self._gather(lambda hook: tuple(hook.reserved_slugs))) | (mounted - {""})

    @property
    def demo_accounts(self) -> tuple[DemoAccount, ...]:
        return self._gather(lambda hook: hook.demo_accounts)

    @property
    def demo_home(self) -> tuple[Mapping[str, Any], ...]:
        return self._gather(lambda hook: hook.demo_home)

    @property
    def demo_seeds(self) -> tuple[DemoSeed, ...]:
        return self._gather(lambda hook: (hook.demo_seed,) if hook.demo_seed else ())

    @property
    def bench_seeds(self) -> tuple[BenchSeed, ...]:
        return self._gather(lambda hook: (hook.bench_seed,) if hook.bench_seed else ())

    @property
    def robots_disallow(self) -> tuple[str, ...]:
        return self._gather(lambda hook: hook.robots_disallow)

    @property
    def slots(self) -> tuple[Slot, ...]:
        return self._gather(lambda hook: hook.slots)

    @property
    def commentables(self) -> tuple[Commentable, ...]:
        return self._gather(lambda hook: hook.commentables)

    @property
    def reportables(self) -> tuple[Reportable, ...]:
        return self._gather(lambda hook: hook.reportables)

    @property
    def notification_kinds(self) -> tuple[NotificationKind, ...]:
        return self._gather(lambda hook: hook.notification_kinds)

    @property
    def periodic(self) -> tuple[Periodic, ...]:
        return self._gather(lambda hook: hook.periodic)

    @property
    def presence_policies(self) -> tuple[PresencePolicy, ...]:
        """Every app's narrowing of who sees whose presence; a status shows where all allow it."""
        return self._gather(lambda hook: (hook.presence_policy,) if hook.presence_policy else ())

    def beat_schedule(self) -> dict[str, dict[str, Any]]:
        """The apps' periodic tasks as entries of Celery's beat schedule, by task name."""
        return {job.task: {"task": job.task, "schedule": float(job.seconds)} for job in self.periodic}

    @property
    def audiences(self) -> dict[str, Audience]:
        """Every declared audience by its key ("lms.cohort")."""
        return {item.key: item for installed in self.hooks for item in installed.hook.audiences}

    @property
    def profile_sections(self) -> tuple[ProfileSection, ...]:
        """Every app's profile tabs, by ``order`` then key (the profile page's order)."""
        return tuple(sorted(self._gather(lambda hook: hook.profile_sections), key=lambda s: (s.order, s.key)))

    @property
    def sellables(self) -> dict[tuple[str, str], SellableKind]:
        """Every declared sellable kind by (app label, kind)."""
        return {(installed.app, item.kind): item for installed in self.hooks for item in installed.hook.sellables}


def _duplicates(keys: list[str]) -> list[str]:
    return sorted({key for key in keys if keys.count(key) > 1})


def _check(hooks: tuple[InstalledHook, ...]) -> None:
    # Two apps claiming one name would silently shadow each other (or core's, which comes
    # first): refuse to start instead.
    from apps.core.models import RESERVED_PAGE_SLUGS
    from apps.core.site.sitemaps import SITEMAPS as CORE_SITEMAPS

    def across(part: Callable[[AppHook], Any]) -> list[str]:
        return [str(key) for installed in hooks for key in part(installed.hook)]

    clashes = {
        "sitemap section": _duplicates([*CORE_SITEMAPS, *across(lambda hook: hook.sitemaps)]),
        "API root link": _duplicates(across(lambda hook: hook.api_links)),
        "dashboard": _duplicates(across(lambda hook: [d.key for d in hook.dashboards])),
        "panel": _duplicates(across(lambda hook: [p.key for p in hook.panels])),
        "demo account": _duplicates(across(lambda hook: [a.email for a in hook.demo_accounts])),
        "slot": _duplicates(across(lambda hook: [slot.name for slot in hook.slots])),
        "commentable kind": _duplicates(across(lambda hook: [c.kind for c in hook.commentables])),
        "periodic task": _duplicates(across(lambda hook: [job.task for job in hook.periodic])),
        "notification kind": _duplicates(across(lambda hook: [k.name for k in hook.notification_kinds])),
        "audience": _duplicates(across(lambda hook: [a.key for a in hook.audiences])),
        "profile section": _duplicates(across(lambda hook: [s.key for s in hook.profile_sections])),
        "reportable kind": _duplicates(across(lambda hook: [r.kind for r in hook.reportables])),
    }
    for kind, names in clashes.items():
        if names:
            raise ImproperlyConfigured(f"Two app hooks declare the same {kind}: {', '.join(names)}.")
    for installed in hooks:
        for mount in (*installed.hook.pages, *installed.hook.api):
            # "@" is the one bare sigil: people's addresses (/@ada/), which no slug can take.
            if mount.prefix != "@" and (not mount.prefix.endswith("/") or mount.prefix.startswith("/")):
                raise ImproperlyConfigured(
                    f"{installed.app}'s hook mounts {mount.urlconf} at {mount.prefix!r}: use a relative "
                    "prefix ending in a slash, like 'shop/', or '@'."
                )
        for kind in installed.hook.notification_kinds:
            # The prefix is the domain people filter by: an app speaks only for itself.
            if kind.domain != installed.app:
                raise ImproperlyConfigured(
                    f"{installed.app}'s hook declares the notification kind {kind.name!r}: name it "
                    f"'{installed.app}.<noun>'."
                )
        for audience in installed.hook.audiences:
            if audience.key.split(".", 1)[0] != installed.app or ":" in audience.key:
                raise ImproperlyConfigured(
                    f"{installed.app}'s hook declares the audience {audience.key!r}: name it '{installed.app}.<noun>'."
                )
        for section in installed.hook.profile_sections:
            if not PROFILE_SECTION_KEY.fullmatch(section.key):
                raise ImproperlyConfigured(
                    f"{installed.app}'s hook declares the profile section {section.key!r}: its key is an address, "
                    "lower-case letters, digits and dashes, starting with a letter."
                )
        for item in installed.hook.reportables:
            if item.kind.split(".", 1)[0] != installed.app:
                raise ImproperlyConfigured(
                    f"{installed.app}'s hook declares the reportable kind {item.kind!r}: "
                    f"name it '{installed.app}.<noun>'."
                )
        for mount in installed.hook.pages:
            if mount.prefix.split("/")[0] in RESERVED_PAGE_SLUGS:
                raise ImproperlyConfigured(
                    f"{installed.app}'s hook mounts {mount.urlconf} at {mount.prefix!r}, which core's own pages use."
                )


def _load_hook(config: Any) -> AppHook | None:
    # Core's own ``platform`` package (this room) is no hook: core contributes directly.
    if __name__.startswith(f"{config.name}.") or not module_has_submodule(config.module, HOOK_MODULE):
        return None
    module_name = f"{config.name}.{HOOK_MODULE}"
    hook = getattr(importlib.import_module(module_name), "hook", None)
    if not isinstance(hook, AppHook):
        raise ImproperlyConfigured(f"{module_name} must define `hook = AppHook(...)`.")
    return hook


@cache
def registry() -> Registry:
    """The installed hooks, read once. Needs the models loaded (hooks import their app's parts)."""
    apps.check_models_ready()
    hooks = tuple(
        InstalledHook(config.label, hook)
        for config in apps.get_app_configs()
        if (hook := _load_hook(config)) is not None
    )
    _check(hooks)
    return Registry(hooks)
