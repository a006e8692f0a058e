from django.apps import AppConfig


class LmsConfig(AppConfig):
    name = "apps.lms"
    label = "lms"
    verbose_name = "Learning"

    def ready(self) -> None:
        # Subscribers, registered on import: the learners' notifications (apps/lms/notifications.py);
        # the gradebook's sources, "assignments" (apps/lms/selectors_gradebook.py) and "quizzes"
        # (apps/lms/selectors_quizzes.py).
        from apps.lms import notifications, selectors_gradebook, selectors_quizzes  # noqa: F401
