"""Full-text search (apps/social/selectors_search.py): posts' text and content warning, and
people's names and bios (on the platform's user table, where they live), through core's one
search interface: a GIN index on PostgreSQL, an FTS5 table with its triggers on SQLite."""

from django.conf import settings
from django.db import migrations

from apps.core.platform import search


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0003_messages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        search.CreateSearchIndex(name="social_post_search", table="social_post", columns=["text", "content_warning"]),
        search.CreateSearchIndex(name="social_people_search", table="core_user", columns=["display_name", "bio"]),
    ]
