"""The embedded broker never hands a worker a message that is still being written."""

from __future__ import annotations

import threading

from django.conf import settings

from config.celery import app


def test_a_message_read_while_others_are_written_is_always_whole(tmp_path):
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        import pytest

        pytest.skip("the filesystem transport is the embedded broker's")
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path), "processed_folder": str(tmp_path)}
    with (
        app.connection_for_write(transport_options=options) as writer,
        app.connection_for_read(transport_options=options) as reader,
    ):
        assert type(writer.default_channel).__module__ == "apps.core.platform.broker"
        payload = {"body": "x" * 200_000}  # large, so a write takes long enough to be caught midway
        count = 200
        got: list[dict] = []

        def write() -> None:
            for _ in range(count):
                writer.default_channel._put("race", payload)

        thread = threading.Thread(target=write)
        thread.start()
        while thread.is_alive() or len(got) < count:
            try:
                got.append(reader.default_channel._get("race"))
            except Exception as exc:  # Empty, until the writer puts the next one
                assert type(exc).__name__ == "Empty", exc
        thread.join()

    assert len(got) == count and all(message == payload for message in got)
