"""Websocket routes: core's (``apps/core/routing.py``) and each app hook's (``AppHook.websockets``)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from apps.core.platform import registry

CORE_ROUTES = "apps.core.routing"


def collect_websocket_urlpatterns() -> list[Any]:
    patterns: list[Any] = []
    for module_name in (CORE_ROUTES, *registry().websocket_modules):
        patterns.extend(import_module(module_name).websocket_urlpatterns)
    return patterns
