from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.platform.hooks import registry

# What core itself offers to the benchmark: the pages and the endpoint every install has.
CORE_URLS = {"home": "/", "page": "/about/", "api_root": "/api/v1/"}


class Command(BaseCommand):
    help = (
        "Seed the benchmark's data (the demo site, then each app hook's bench_seed) and write the "
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
        for seed in registry().bench_seeds:
            named = seed() or {}
            urls.update({str(key): str(value) for key, value in named.items()})
        text = json.dumps(urls, indent=2, sort_keys=True)
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text + "\n")
        self.stdout.write(text)
