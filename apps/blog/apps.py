from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "apps.blog"
    label = "blog"
    verbose_name = "Blog"

    def ready(self) -> None:
        from apps.blog.panels import register_blog_panels
        from apps.blog.slots import latest_posts
        from apps.core.blocks import register_slot

        register_blog_panels()
        register_slot("latest_posts", latest_posts, description="The newest published blog posts.")

        from apps.blog.api import handlers as api_handlers
        from apps.blog.comments import register_post_comments

        api_handlers.connect()
        register_post_comments()
