"""Production's first commands run before `collectstatic` has written the manifest: nothing may
look up a hashed static name at import (issue 6's favicon, found again by issue 12's probe).

With STATIC_MANIFEST on and an empty STATIC_ROOT, any ``static()`` evaluated at import raises
"Missing staticfiles manifest entry"; each test runs a fresh process in production mode on a
database and directories of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

# A module-level static() would run when any of these is imported; docserver.py is a script
# (the embedded document server), run as its own process, never imported.
IMPORT_EVERY_MODULE = """
import importlib, pathlib, django
django.setup()
for path in sorted(pathlib.Path("apps").rglob("*.py")) + sorted(pathlib.Path("config").rglob("*.py")):
    if path.name != "docserver.py":
        importlib.import_module(".".join(path.with_suffix("").parts).removesuffix(".__init__"))
print("imported")
"""


def production(tmp_path: Path) -> dict[str, str]:
    static_root = tmp_path / "static"
    static_root.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "MONGODB_", "AWS_"))}
    return {
        **clean,
        "DEBUG": "false",
        "SECRET_KEY": "before-collectstatic-secret-key-not-for-production-0123456789",
        "ALLOWED_HOSTS": "platform.example.com",
        "STATIC_MANIFEST": "true",
        "STATIC_ROOT": str(static_root),
        "VAR_DIR": str(tmp_path / "var"),
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "CELERY_FILESYSTEM_DIR": str(tmp_path / "celery"),
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=180
    )


def test_migrate_runs_with_the_manifest_on_before_collectstatic(tmp_path):
    env = production(tmp_path)

    result = run(["manage.py", "migrate", "--no-input"], env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert not any((tmp_path / "static").iterdir())  # still before collectstatic
    assert run(["manage.py", "migrate", "--check"], env).returncode == 0


def test_no_module_looks_up_a_static_file_at_import(tmp_path):
    result = run(["-c", IMPORT_EVERY_MODULE], production(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("imported")
