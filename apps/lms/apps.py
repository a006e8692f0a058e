from django.apps import AppConfig


class LmsConfig(AppConfig):
    name = "apps.lms"
    label = "lms"
    verbose_name = "Learning"

    def ready(self) -> None:
        # Subscribers, registered on import: the learners' notifications (apps/lms/notifications.py).
        from apps.lms import notifications  # noqa: F401
