from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.core.api.auth_views import issue_tokens


@pytest.fixture
def api_as():
    """``api_as(user)``: an API client sending a fresh JWT access token of ``user`` (anonymous
    for None), as an app would after signing in."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user)['access']}")
        return client

    return make


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
