"""Scheduled publishing runs on beat: no visitor request is involved (acceptance 4 of issue 11)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.beat import EmbeddedService
from django.conf import settings
from django.utils import timezone

from apps.core.models import SitePage
from apps.core.publishing import services, tasks
from config.celery import app
from tests.core.platform.test_worker_smoke import wait_until
from tests.utils import race


def page_content(**changes):  # type: ignore[no-untyped-def]
    return {"title": "At nine", "slug": "at-nine", "body": [], "seo_description": "Live at nine", **changes}


@pytest.fixture
def beat(tmp_path):  # type: ignore[no-untyped-def]
    """Celery's own beat service in a thread, on the real schedule, with the publishing entry
    every half second instead of every PUBLISH_CHECK_SECONDS."""
    schedule = {**settings.CELERY_BEAT_SCHEDULE}
    schedule["core.publish_due"] = {**schedule["core.publish_due"], "schedule": 0.5}
    saved = app.conf.beat_schedule
    app.conf.beat_schedule = schedule
    service = EmbeddedService(app, thread=True, schedule_filename=str(tmp_path / "beat-schedule"))
    service.start()
    yield service
    service.stop()
    app.conf.beat_schedule = saved


def test_the_beat_schedule_names_a_task_that_exists_for_every_entry() -> None:
    assert settings.CELERY_BEAT_SCHEDULE["core.publish_due"]["schedule"] == settings.PUBLISH_CHECK_SECONDS
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry


def test_a_scheduled_page_goes_live_with_only_beat_and_a_worker_running(celery_worker, beat, user_with_role):
    admin = user_with_role("admin")
    page = services.draft_create(model=SitePage, content=page_content(), author=admin)
    services.schedule(obj=page, author=admin, revision=1, go_live_at=timezone.now() + timedelta(seconds=1))
    assert not SitePage.objects.get(pk=page.pk).live

    # No request is made: beat sends core.publish_due, the worker runs it.
    assert wait_until(lambda: SitePage.objects.filter(pk=page.pk, live=True).exists(), timeout=15)

    page.refresh_from_db()
    assert page.go_live_at is None and page.live_revision == 1


def test_the_publishing_task_run_twice_at_once_publishes_once(transactional_db, user_with_role, time_machine):
    admin = user_with_role("admin")
    start = timezone.now()
    page = services.draft_create(model=SitePage, content=page_content(), author=admin)
    services.schedule(obj=page, author=admin, revision=1, go_live_at=start + timedelta(minutes=1))
    time_machine.move_to(start + timedelta(minutes=2))

    results = race(lambda _: tasks.publish_due(), times=2)

    assert sorted(result["published"] for result in results) == [0, 1]  # type: ignore[index]
    assert SitePage.objects.filter(live=True).count() == 1


def test_no_request_publishes_any_more(client, user_with_role, time_machine):
    # The middleware that published inside visitors' GETs is gone: only beat (or the operator's
    # command) applies schedules.
    admin = user_with_role("admin")
    start = timezone.now()
    page = services.draft_create(model=SitePage, content=page_content(), author=admin)
    services.schedule(obj=page, author=admin, revision=1, go_live_at=start + timedelta(minutes=1))
    time_machine.move_to(start + timedelta(minutes=2))

    client.get("/")

    assert not SitePage.objects.get(pk=page.pk).live
    assert not any("ScheduledPublishing" in name for name in settings.MIDDLEWARE)
