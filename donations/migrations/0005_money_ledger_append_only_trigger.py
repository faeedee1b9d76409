"""On PostgreSQL, refuse UPDATE and DELETE on the money ledger's tables in the database itself.

As for the fund ledger (0003): the models refuse in Python, this catches raw SQL and other
clients. TRUNCATE is left alone (test runners empty tables with it). Other databases skip this.
"""

from django.db import migrations

TABLES = ["donations_moneytransfer", "donations_moneyentry"]

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION donations_money_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""

CREATE_TRIGGER = """
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION donations_money_append_only();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(CREATE_TRIGGER.format(table=table), params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS donations_money_append_only();", params=None)


class Migration(migrations.Migration):
    dependencies = [("donations", "0004_money_ledger_and_payouts")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
