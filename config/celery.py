"""The Celery application: background work for every domain, configured from Django's settings.

Workers start with ``celery -A config worker`` and beat with ``celery -A config beat``; tasks are
found in each installed app's ``tasks.py`` (and core's rooms, listed in ``CELERY_IMPORTS``).
"""

from __future__ import annotations

import os

from celery import Celery

from apps.core.platform import HeartbeatStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("platform")
# Every setting is CELERY_<NAME> in config/settings.py, read from the environment there.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Each worker records a heartbeat row while it consumes, which /readyz and check_services read.
app.steps["worker"].add(HeartbeatStep)
