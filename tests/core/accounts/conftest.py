"""Fixtures of the account page tests: an unconfirmed account, uploads on a temporary disk."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from tests.core.factories import UserFactory

NEW_PASSWORD = "Another-Secret-77!"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def unverified(db):  # type: ignore[no-untyped-def]
    return UserFactory(display_name="Una Unverified", email_verified_at=None)


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploads go to a temporary directory (or the configured S3 bucket)."""
    if not settings.AWS_STORAGE_BUCKET_NAME:
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path, "base_url": "/media/"}},
        }
    return default_storage
