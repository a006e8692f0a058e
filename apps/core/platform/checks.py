"""System checks: `check --deploy` warns when a production process runs on an embedded part."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register("platform", deploy=True)
def embedded_parts_in_production(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    warnings: list[Warning] = []
    if not settings.DATABASE_URL:
        warnings.append(
            Warning(
                "SQL runs on the embedded SQLite file.",
                hint="Set DATABASE_URL to PostgreSQL.",
                id="core.W001",
            )
        )
    if not settings.REDIS_URL:
        warnings.append(
            Warning(
                "Cache, sessions and the channel layer live in this process's memory; a second process "
                "would not see them.",
                hint="Set REDIS_URL.",
                id="core.W002",
            )
        )
    if not settings.MONGODB_URL:
        warnings.append(
            Warning(
                "Documents are stored by the embedded nx-27017 server.",
                hint="Set MONGODB_URL.",
                id="core.W003",
            )
        )
    if not settings.AWS_STORAGE_BUCKET_NAME:
        warnings.append(
            Warning(
                "Uploads are stored on this machine's disk and are not served when DEBUG is off.",
                hint="Set AWS_STORAGE_BUCKET_NAME and the S3 variables.",
                id="core.W004",
            )
        )
    return warnings
