from django.db import migrations

ROLES = ["super_admin", "admin", "instructor", "shop_owner", "blog_admin", "blog_author", "student", "user"]


def create_roles(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    for name in ROLES:
        Role.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_roles_and_profile")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
