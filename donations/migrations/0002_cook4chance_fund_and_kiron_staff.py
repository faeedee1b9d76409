"""Data: the Kiron Cook4Chance fund and the "Kiron staff" group with its permissions."""

from django.db import migrations

from donations.bootstrap import ensure_cook4chance_fund, ensure_kiron_staff_group


def forwards(apps, schema_editor):
    ensure_cook4chance_fund(apps)
    ensure_kiron_staff_group(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0001_initial"),
        ("bookings", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
