"""The embedded broker: kombu's filesystem transport, with messages that appear whole.

kombu writes a message by opening its final name and then writing to it; a worker polling the
folder can move and read the file in between, get an empty payload, and die on the JSON error,
the message lost with it. Here a message is written under a name no reader matches and renamed
into place (one atomic rename on one filesystem), so a reader sees all of it or nothing.
``CELERY_BROKER_TRANSPORT`` names this class when the broker is ``filesystem://``.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic_ns
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        # Readers take files in name order: a zero-padded nanosecond stamp of the machine-wide
        # monotonic clock keeps them first in, first out (kombu's millisecond stamp let two
        # messages of one millisecond swap places, by their random suffix).
        name = f"{monotonic_ns():020d}_{uuid.uuid4()}.{queue}.msg"
        # Readers take only "<stamp>_<uuid>.<queue>.msg"; this name has no such suffix.
        partial = os.path.join(self.data_folder_out, f"_{uuid.uuid4().hex}.partial")
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, os.path.join(self.data_folder_out, name))
        except OSError as exc:
            raise ChannelError(f"Cannot add file {name!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
