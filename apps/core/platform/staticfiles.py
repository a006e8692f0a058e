"""Static files in production: whitenoise's compressed, hashed files, with their URLs
remembered.

Every page asks ``{% static %}`` for the same handful of files (stylesheets, scripts, icons),
and each answer looks the name up in the manifest and joins it to STATIC_URL: a few hundred
microseconds a page, the same every time. The manifest cannot change while a process runs
(collectstatic writes it before the server starts), so each name's URL is worked out once.
"""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        # ``force`` asks for the hashed name even in DEBUG (collectstatic's own rewriting): not
        # remembered. A name missing from the manifest raises, and is not remembered either.
        if force or name is None:
            return super().url(name, force)
        found = self._urls.get(name)
        if found is None:
            found = self._urls[name] = super().url(name)
        return found
