from django.apps import AppConfig


class LmsConfig(AppConfig):
    name = "apps.lms"
    label = "lms"
    verbose_name = "Learning"
