"""Data: the "Moderators" group with the community moderation permissions."""

from django.db import migrations

from community.bootstrap import ensure_moderators_group


def forwards(apps, schema_editor):
    ensure_moderators_group(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
