"""Websocket routes, collected from each platform app's ``routing.websocket_urlpatterns``."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps


def collect_websocket_urlpatterns() -> list[Any]:
    patterns: list[Any] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("apps."):
            continue
        module_name = f"{config.name}.routing"
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # this app has no websockets
            raise
        patterns.extend(getattr(module, "websocket_urlpatterns", []))
    return patterns
