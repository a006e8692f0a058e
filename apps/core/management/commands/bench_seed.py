from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import Resolver404, resolve

# What core itself offers to the benchmark: the pages and the endpoint every install has.
CORE_URLS = {"home": "/", "page": "/about/", "api_root": "/api/v1/"}
# Where the blog's pages are looked for when its hook does not name them.
POST_LIST_API = "/api/v1/blog/posts/"


def optional_module(name: str) -> ModuleType | None:
    """``name`` imported, or None when that module (not something it imports) does not exist."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):
            return None
        raise


def seed_hooks() -> list[ModuleType]:
    """Each installed app's ``bench`` module (``apps.blog.bench`` ...), in INSTALLED_APPS order."""
    modules = []
    for config in apps.get_app_configs():
        if config.name.startswith("apps.") and config.name != "apps.core":
            module = optional_module(f"{config.name}.bench")
            if module is not None and callable(getattr(module, "seed", None)):
                modules.append(module)
    return modules


def discovered_blog_urls() -> dict[str, str]:
    """A live post's page and the post list API, when the blog has them and no hook named them."""
    urls: dict[str, str] = {}
    try:
        post_model = apps.get_model("blog", "Post")
    except LookupError:
        post_model = None
    if post_model is not None and hasattr(post_model, "get_absolute_url"):
        post = post_model.objects.filter(live=True).order_by("pk").first()
        if post is not None:
            urls["post_page"] = post.get_absolute_url()
    try:
        resolve(POST_LIST_API)
    except Resolver404:
        pass
    else:
        urls["post_list_api"] = POST_LIST_API
    return urls


class Command(BaseCommand):
    help = (
        "Seed the benchmark's data (the demo site, then each app's bench.seed() hook) and write the "
        "addresses to bench as JSON. Idempotent. Only with BENCH=true or --force: it makes demo accounts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="Write the addresses here (JSON) as well as to stdout.")
        parser.add_argument("--force", action="store_true", help="Run without BENCH=true (never on a real site).")

    def handle(self, *args: Any, output: Path | None = None, force: bool = False, **options: Any) -> None:
        if not settings.BENCH and not force:
            raise CommandError("bench_seed creates accounts with published passwords; set BENCH=true or pass --force.")
        # The demo site is the bench's site: pages, theme, header, home and footer as an editor publishes them.
        call_command("seed_demo", force=True, stdout=self.stdout)
        urls = dict(CORE_URLS)
        for module in seed_hooks():
            named = module.seed() or {}
            urls.update({str(key): str(value) for key, value in named.items()})
        for key, value in discovered_blog_urls().items():
            urls.setdefault(key, value)
        text = json.dumps(urls, indent=2, sort_keys=True)
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text + "\n")
        self.stdout.write(text)
