from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def media_storage(settings: Any, tmp_path: Any) -> None:
    """Covers land in a temporary directory and their URLs start with /media/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/media/"},
        },
    }
