from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "apps.social"
    label = "social"
    verbose_name = "Social"

    def ready(self) -> None:
        # The word filter's cache is dropped by signals on its phrases: connect them at start-up.
        from apps.social import wordfilter  # noqa: F401
