from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "apps.blog"
    label = "blog"
    verbose_name = "Blog"

    def ready(self) -> None:
        # What the blog contributes to the platform is declared in apps/blog/platform.py.
        from apps.blog.slots import latest_posts
        from apps.core.blocks import register_slot

        register_slot("latest_posts", latest_posts, description="The newest published blog posts.")

        from apps.blog.api import handlers as api_handlers
        from apps.blog.comments import handlers as comment_handlers

        api_handlers.connect()
        comment_handlers.connect()
