"""On PostgreSQL, refuse UPDATE and DELETE on the ledger table in the database itself.

The model and queryset already refuse in Python; this catches raw SQL and other clients.
TRUNCATE is left alone (test runners empty tables with it). Other databases skip this.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION donations_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'donations_ledgerentry is append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS donations_ledger_append_only ON donations_ledgerentry;
CREATE TRIGGER donations_ledger_append_only
    BEFORE UPDATE OR DELETE ON donations_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION donations_ledger_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS donations_ledger_append_only ON donations_ledgerentry;
DROP FUNCTION IF EXISTS donations_ledger_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("donations", "0002_cook4chance_fund_and_kiron_staff")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
