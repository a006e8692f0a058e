from django.apps import AppConfig


class HookAppConfig(AppConfig):
    """A tiny domain app that plugs into the platform through its hook alone (platform.py)."""

    name = "tests.hookapp"
    label = "hookapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tests.hookapp import tickets  # noqa: F401 (its subscribers fulfil the tickets the shop sells)
