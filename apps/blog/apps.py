from django.apps import AppConfig


class BlogConfig(AppConfig):
    # What the blog contributes to the platform is declared in apps/blog/platform.py. Its cached
    # reads (pages, fragments, API answers) live in the page cache's ``blog`` namespace, which
    # core clears on publications and profile changes: the blog subscribes to nothing itself.
    name = "apps.blog"
    label = "blog"
    verbose_name = "Blog"
