"""Lazy public faces for core's rooms.

A room's ``__init__.py`` names what other apps may use. Importing a face must not import the
room's internals at once: models import rooms while the app registry loads, and a face that
pulled in services, forms or views there would import models before they exist (or in a cycle).
So a face maps each public name to the module that defines it, and the name is imported the
first time someone asks for it (PEP 562 module ``__getattr__``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_face(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for the face ``package``.

    ``exports`` maps a public name to the dotted module that defines it; a name that is the
    module itself (``{"events": "apps.core.platform.events"}``) is a public module, used as a
    namespace (``events.publish``).
    """

    def __getattr__(name: str) -> Any:
        try:
            module_name = exports[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        module = import_module(module_name)
        value = module if module_name == f"{package}.{name}" else getattr(module, name)
        setattr(sys.modules[package], name, value)  # asked once: later lookups skip __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *exports})

    return __getattr__, __dir__
