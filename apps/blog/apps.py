from django.apps import AppConfig


class BlogConfig(AppConfig):
    # What the blog contributes to the platform is declared in apps/blog/platform.py. Its cached
    # reads (pages, fragments, API answers) live in the page cache's ``blog`` namespace, which
    # core clears on publications and profile changes. Its one set of subscribers sends its
    # notifications (apps/blog/notifications.py, whose kinds the hook declares).
    name = "apps.blog"
    label = "blog"
    verbose_name = "Blog"

    def ready(self) -> None:
        from apps.blog import notifications  # noqa: F401 (subscribes on import)
