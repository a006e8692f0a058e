from django.apps import AppConfig


class HookAppConfig(AppConfig):
    """A tiny domain app that plugs into the platform through its hook alone (platform.py)."""

    name = "tests.hookapp"
    label = "hookapp"
    default_auto_field = "django.db.models.BigAutoField"
