"""Sessions: Django's cached_db store (the cache in front, the database behind it, so a cache
outage logs nobody out), without one needless query per new session.

Django looks a new session key up (SELECT ... WHERE session_key = ...) before it inserts it,
although the insert itself refuses a key that exists (``save(must_create=True)`` raises
CreateError and ``create`` draws another). A key is 32 characters from 36: a collision is never
seen, and when one were, the insert would catch it. So a visitor's first session (their first
cart line, say) costs one INSERT, not a SELECT and an INSERT.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore
from django.utils.crypto import get_random_string


class SessionStore(CachedDbStore):
    def _get_new_session_key(self) -> str:
        # The insert is the uniqueness check (see the module's note).
        return get_random_string(32, VALID_KEY_CHARS)
