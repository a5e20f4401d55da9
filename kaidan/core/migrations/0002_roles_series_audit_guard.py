"""Role groups with their permissions, the default numbering series, and a database guard that
keeps audit events append-only whatever code or SQL tries to change them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


PG_GUARD = """
CREATE OR REPLACE FUNCTION kaidan_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION kaidan_audit_append_only();
"""
PG_UNGUARD = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS kaidan_audit_append_only();
"""
# SQLite guards UPDATE only: Django empties tables between transactional tests with DELETE there
# (PostgreSQL uses TRUNCATE, which row triggers do not see). Deletes are refused by the ORM.
SQLITE_GUARD = """
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""
SQLITE_UNGUARD = "DROP TRIGGER IF EXISTS core_auditevent_append_only;"


def add_roles_and_series(apps, schema_editor):
    from kaidan.core.numbering import ensure_default_series
    from kaidan.core.roles import sync_roles

    for app_label in ("auth", "core"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # the migration state's stub lacks it; permissions need it
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps)
    ensure_default_series(apps)


def guard_audit(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": PG_GUARD, "sqlite": SQLITE_GUARD}.get(vendor)
    if sql:
        schema_editor.execute(sql)


def unguard_audit(apps, schema_editor):
    sql = {"postgresql": PG_UNGUARD, "sqlite": SQLITE_UNGUARD}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(add_roles_and_series, migrations.RunPython.noop),
        migrations.RunPython(guard_audit, unguard_audit),
    ]
