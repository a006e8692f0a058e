"""The learning platform's hook: everything it contributes to the platform (see
apps/core/platform/hooks.py)."""

from __future__ import annotations

from apps.core.platform import AppHook, Mount

hook = AppHook(
    pages=(Mount("courses/", "apps.lms.urls"),),
    api=(Mount("lms/", "apps.lms.api.urls"),),
    robots_disallow=("/courses/manage/", "/courses/mine/"),
)
