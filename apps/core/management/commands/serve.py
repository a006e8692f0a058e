"""``manage.py serve``: the production server (daphne, HTTP and websockets on one port).

SIGTERM or SIGINT drains: no new connections, websockets closed with 1001, requests in flight
finish within SHUTDOWN_GRACE_SECONDS (``--grace``), then child processes are stopped and the
process exits; a second signal exits at once (apps/core/platform/serving.py).
"""

from __future__ import annotations

import sys
from typing import Any

from asgiref.compatibility import guarantee_single_callable
from channels.routing import get_default_application
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from apps.core.platform import serving


class Command(BaseCommand):
    help = (
        "Serve HTTP and websockets with daphne. SIGTERM/SIGINT drain: new connections are refused, "
        "websockets closed with 1001, requests in flight get SHUTDOWN_GRACE_SECONDS to finish."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-b", "--bind", default=settings.SERVE_HOST, help="address (SERVE_HOST)")
        parser.add_argument("-p", "--port", type=int, default=settings.SERVE_PORT, help="port (SERVE_PORT)")
        parser.add_argument(
            "--proxy-headers",
            action="store_true",
            help="take the client's address, port and scheme from X-Forwarded-For/-Port/-Proto",
        )
        parser.add_argument(
            "--access-log",
            default=None,
            help="a file for one line per request, or - for stdout (the default at verbosity 1 and up)",
        )
        parser.add_argument(
            "--grace",
            type=float,
            default=None,
            help="seconds requests in flight get to finish on SIGTERM (default SHUTDOWN_GRACE_SECONDS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        access_log = options["access_log"]
        if access_log == "-" or (access_log is None and verbosity >= 1):
            stream = sys.stdout
        elif access_log:
            stream = open(access_log, "a", buffering=1)  # noqa: SIM115 - open for the process's life
        else:
            stream = None
        grace = options["grace"] if options["grace"] is not None else settings.SHUTDOWN_GRACE_SECONDS
        if grace < 0:
            self.stderr.write("--grace must be 0 or more seconds")
            sys.exit(2)
        serving.serve(
            guarantee_single_callable(get_default_application()),
            host=options["bind"],
            port=options["port"],
            grace=grace,
            proxy_headers=options["proxy_headers"],
            access_log=stream,
            verbosity=verbosity,
        )
