from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "apps.blog"
    label = "blog"
    verbose_name = "Blog"

    def ready(self) -> None:
        # What the blog contributes to the platform is declared in apps/blog/platform.py; here it
        # only subscribes to the events it reacts to.
        from apps.blog.api import handlers as api_handlers

        api_handlers.connect()
