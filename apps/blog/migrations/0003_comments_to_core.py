"""The blog's comments, reports and bans move into core's comment tables (apps/core/comments),
keeping their ids, so links to #comment-<id> and replies' parents stay as they were. A post's
comments there name it as kind "blog.post"; bans become the platform's. The blog's own tables
are dropped by the next migration."""

from django.core.management.color import no_style
from django.db import migrations

KIND = "blog.post"
COMMENT_FIELDS = ("author_id", "parent_id", "body", "status", "created_at", "edited_at", "flag_count")
MORE_FIELDS = ("reviewed_flag_count", "depth", "deleted_at")
BATCH = 500


def _reset_sequences(schema_editor, models) -> None:
    # Rows came with their ids: PostgreSQL's sequences must move past them (SQLite needs nothing).
    statements = schema_editor.connection.ops.sequence_reset_sql(no_style(), models)
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _copy(rows, model, fields, *, extra) -> None:
    model.objects.bulk_create(
        [model(pk=row.pk, **{name: getattr(row, name) for name in fields}, **extra(row)) for row in rows],
        batch_size=BATCH,
    )


def to_core(apps, schema_editor) -> None:
    old_comment, new_comment = apps.get_model("blog", "Comment"), apps.get_model("core", "Comment")
    old_flag, new_flag = apps.get_model("blog", "CommentFlag"), apps.get_model("core", "CommentFlag")
    old_ban, new_ban = apps.get_model("blog", "CommentBan"), apps.get_model("core", "CommentBan")
    # Parents before their replies: ids grow with time, and a reply is written after its parent.
    _copy(
        old_comment.objects.order_by("pk"),
        new_comment,
        COMMENT_FIELDS + MORE_FIELDS,
        extra=lambda row: {"target_kind": KIND, "target_id": row.post_id},
    )
    _copy(old_flag.objects.order_by("pk"), new_flag, ("comment_id", "user_id", "created_at"), extra=lambda row: {})
    _copy(
        old_ban.objects.order_by("pk"),
        new_ban,
        ("user_id", "banned_by_id", "reason", "created_at"),
        extra=lambda row: {},
    )
    _reset_sequences(schema_editor, [new_comment, new_flag, new_ban])


def to_blog(apps, schema_editor) -> None:
    old_comment, new_comment = apps.get_model("blog", "Comment"), apps.get_model("core", "Comment")
    old_flag, new_flag = apps.get_model("blog", "CommentFlag"), apps.get_model("core", "CommentFlag")
    old_ban, new_ban = apps.get_model("blog", "CommentBan"), apps.get_model("core", "CommentBan")
    comments = new_comment.objects.filter(target_kind=KIND).order_by("pk")
    _copy(comments, old_comment, COMMENT_FIELDS + MORE_FIELDS, extra=lambda row: {"post_id": row.target_id})
    flags = new_flag.objects.filter(comment__target_kind=KIND).order_by("pk")
    _copy(flags, old_flag, ("comment_id", "user_id", "created_at"), extra=lambda row: {})
    _copy(
        new_ban.objects.order_by("pk"),
        old_ban,
        ("user_id", "banned_by_id", "reason", "created_at"),
        extra=lambda row: {},
    )
    _reset_sequences(schema_editor, [old_comment, old_flag, old_ban])
    # What came from the blog goes back to it: the posts' comments (their reports go with them)
    # and the bans, which were the blog's alone before this migration.
    comments.delete()
    new_ban.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0002_comments_moderation"),
        ("core", "0007_comments"),
    ]

    operations = [migrations.RunPython(to_core, to_blog)]
