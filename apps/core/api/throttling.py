"""DRF's throttles, allowing the request when their cache cannot be reached.

A throttle protects capacity, not security: during a cache outage it lets requests through
(counted and logged by ``apps.core.platform.degraded``) instead of failing every API call with a
500. What security needs counted (sign-in failures) falls back to SQL instead (accounts.security).
"""

from __future__ import annotations

from typing import Any

from rest_framework import throttling

from apps.core.platform.degraded import degraded


class _AllowWithoutCache:
    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return super().allow_request(request, view)  # type: ignore[misc]
        except Exception as exc:  # redis-py's ConnectionError / TimeoutError, whatever the backend raises
            degraded("throttle", exc)
            return True


class AnonRateThrottle(_AllowWithoutCache, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_AllowWithoutCache, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(_AllowWithoutCache, throttling.ScopedRateThrottle):
    pass
