"""Production's static files storage remembers each name's URL: the manifest cannot change
while the process runs."""

from __future__ import annotations

import pytest

from apps.core.platform.staticfiles import StaticFilesStorage


def test_each_url_is_worked_out_once(tmp_path, settings):
    settings.DEBUG = False
    storage = StaticFilesStorage(location=str(tmp_path), base_url="/static/")
    storage.hashed_files = {"css/site.css": "css/site.abc123.css"}

    assert storage.url("css/site.css") == "/static/css/site.abc123.css"
    storage.hashed_files = {"css/site.css": "css/site.def456.css"}  # as if the manifest changed
    assert storage.url("css/site.css") == "/static/css/site.abc123.css"
    assert storage.url("css/site.css", force=True) == "/static/css/site.def456.css"


def test_a_name_missing_from_the_manifest_raises_every_time(tmp_path, settings):
    settings.DEBUG = False
    storage = StaticFilesStorage(location=str(tmp_path), base_url="/static/")
    storage.hashed_files = {}
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/gone.css")
