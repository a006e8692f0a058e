from django.apps import AppConfig


class StreamConfig(AppConfig):
    name = "apps.stream"
    label = "stream"
    verbose_name = "Live streaming"
