from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "apps.blog"
    label = "blog"
    verbose_name = "Blog"

    def ready(self) -> None:
        from apps.blog.api import handlers as api_handlers

        api_handlers.connect()
