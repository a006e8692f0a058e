from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.core.publishing.services import publish_due


class Command(BaseCommand):
    help = "Publish what is scheduled and take down what has expired. Safe every minute and in parallel."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = publish_due()
        self.stdout.write(f"published {counts['published']}, expired {counts['expired']}")
