"""Core's rooms (docs/architecture.md, "Core's rooms"): apps/core holds only what Django expects
at an app's root and the rooms; every other app, config/ and the test domain app import a room
only through its face (the room's ``__init__.py``)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "apps" / "core"

# What Django expects at the app's root (models, admin, the app config, URLs, websocket routes,
# commands, migrations, template tags); everything else lives in a room.
APP_ROOT_MODULES = {"__init__.py", "admin.py", "apps.py", "models.py", "routing.py", "urls.py"}
APP_ROOT_PACKAGES = {"management", "migrations", "templatetags"}
ROOMS = ("accounts", "api", "blocks", "comments", "notifications", "platform", "publishing", "reports", "site")

# Imports outside apps/core that may reach past a face, each with its reason:
# {(file relative to the repository, imported module): reason}. Keep it short.
EXCEPTIONS: dict[tuple[str, str], str] = {}

# Where the faces are binding: other apps, the project's config and the test domain app.
OUTSIDE = [
    *(p for p in (ROOT / "apps").iterdir() if p.is_dir() and p.name != "core" and not p.name.startswith((".", "_"))),
    ROOT / "config",
    ROOT / "tests" / "hookapp",
]


def _outside_files() -> list[Path]:
    return sorted(f for top in OUTSIDE for f in top.rglob("*.py") if "migrations" not in f.parts)


def _bypasses(path: Path) -> list[str]:
    """Each import in ``path`` that reaches into apps.core other than through a face."""
    rel = path.relative_to(ROOT).as_posix()
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=rel)):
        if isinstance(node, ast.Import):
            imported = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported = [(node.module, alias.name) for alias in node.names]
        else:
            continue
        for module, name in imported:
            if not (module == "apps.core" or module.startswith("apps.core.")):
                continue
            parts = module.split(".")
            if (rel, module) in EXCEPTIONS or module == "apps.core.models":
                continue
            if module == "apps.core" and name is not None:
                if name not in (*ROOMS, "models"):
                    found.append(f"{rel}:{node.lineno}: from apps.core import {name} (no such room)")
            elif len(parts) == 3 and parts[2] in ROOMS and name is not None:
                face = importlib.import_module(module)
                if name not in face.__all__:
                    found.append(f"{rel}:{node.lineno}: {module} does not name {name} in its __all__")
            elif len(parts) == 3 and parts[2] in ROOMS and name is None:
                continue  # ``import apps.core.accounts``: the face itself
            else:
                found.append(f"{rel}:{node.lineno}: {module} is a room's internals (or no room at all)")
    return found


def test_other_apps_and_config_import_core_rooms_only_through_their_faces():
    bypasses = [line for path in _outside_files() for line in _bypasses(path)]
    assert not bypasses, "\n".join(bypasses)


def test_the_walk_sees_the_apps_config_and_the_hook_app():
    # A walk over nothing would pass the test above for the wrong reason.
    files = {p.relative_to(ROOT).as_posix() for p in _outside_files()}
    assert {"apps/blog/platform.py", "config/urls.py", "config/settings.py", "tests/hookapp/platform.py"} <= files


def test_a_bypass_is_found(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    sample = tmp_path / "apps" / "shop" / "views.py"
    sample.parent.mkdir(parents=True)
    sample.write_text(
        "from apps.core.accounts.permissions import has_role\n"
        "from apps.core.accounts import has_role, not_public\n"
        "from apps.core import roles\n"
        "import apps.core.platform.events\n"
        "from apps.core.models import User\n"
        "from apps.core.accounts import has_role as ok\n"
    )
    found = _bypasses(sample)
    assert [line.split(":")[1] for line in found] == ["1", "2", "3", "4"]


def test_apps_core_holds_only_the_app_root_modules_and_the_rooms():
    strays = sorted(
        entry.name
        for entry in CORE.iterdir()
        if entry.name != "__pycache__"
        and not (entry.is_file() and entry.name in APP_ROOT_MODULES)
        and not (entry.is_dir() and entry.name in (*APP_ROOT_PACKAGES, *ROOMS))
    )
    assert strays == []
    assert all((CORE / room / "__init__.py").exists() for room in ROOMS)


@pytest.mark.parametrize("room", ROOMS)
def test_every_name_a_face_offers_exists(room):
    face = importlib.import_module(f"apps.core.{room}")
    assert face.__all__, f"apps.core.{room} names nothing"
    for name in face.__all__:
        assert getattr(face, name) is not None


@pytest.mark.parametrize("room", ["accounts", "api", "notifications", "platform", "publishing", "site"])
def test_importing_a_face_loads_none_of_its_rooms_internals(room):
    # Models import rooms while the app registry loads: a face that imported its services or
    # views there would import models before they exist. Run in a clean interpreter, no Django.
    code = (
        "import sys, importlib\n"
        f"importlib.import_module('apps.core.{room}')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('apps.') and m not in "
        "{'apps', 'apps.core', 'apps.core.platform', 'apps.core.platform.faces', 'apps.core." + room + "'})\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
