"""The blog's comment tables go: their rows live in core's since 0003."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0003_comments_to_core"),
    ]

    # Reports first (they point at comments), then comments, then bans.
    operations = [
        migrations.DeleteModel(name="CommentFlag"),
        migrations.DeleteModel(name="Comment"),
        migrations.DeleteModel(name="CommentBan"),
    ]
