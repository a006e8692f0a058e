"""The platform's settings with the tiny domain app installed: the one change a new domain makes."""

from config.settings import *  # noqa: F403
from config.settings import DATABASES, INSTALLED_APPS, MONGODB_DB

INSTALLED_APPS = [*INSTALLED_APPS, "tests.hookapp"]

# Test databases of its own (SQL and documents), so this run never touches those of the run that
# started it. ("platform" is the document store's default name, as in apps/core/platform/documents.py.)
MONGODB_DB = f"{MONGODB_DB or 'platform'}_hookapp"
_test = DATABASES["default"].setdefault("TEST", {})
if "sqlite" in DATABASES["default"]["ENGINE"]:
    _test["NAME"] = str(DATABASES["default"]["NAME"]).replace("db.sqlite3", "test-hookapp-db.sqlite3")
else:
    _test["NAME"] = f"test_{DATABASES['default']['NAME']}_hookapp"
