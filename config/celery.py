"""The Celery application: background work for every domain, configured from Django's settings.

Workers start with ``celery -A config worker`` and beat with ``celery -A config beat``; tasks are
found in each installed app's ``tasks.py`` (and core's rooms, listed in ``CELERY_IMPORTS``).
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, signals

from apps.core.platform import HeartbeatStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("platform")
# Every setting is CELERY_<NAME> in config/settings.py, read from the environment there.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Each worker records a heartbeat row while it consumes, which /readyz and check_services read.
app.steps["worker"].add(HeartbeatStep)


@signals.beat_init.connect
def add_apps_periodic_tasks(sender: Any, **kwargs: Any) -> None:
    """Beat runs the domain apps' periodic tasks (``AppHook.periodic``) beside core's own
    ``CELERY_BEAT_SCHEDULE``: their hooks are read once Django is set up, which is by now."""
    from apps.core.platform import registry

    sender.scheduler.update_from_dict(registry().beat_schedule())
