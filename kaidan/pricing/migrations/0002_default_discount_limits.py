"""The discount limits every installation starts with: sales 10%, sales managers 25%, admins 100%."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = {"sales": Decimal("10"), "sales_manager": Decimal("25"), "admin": Decimal("100")}


def seed(apps, schema_editor):
    DiscountLimit = apps.get_model("pricing", "DiscountLimit")
    for role, percent in DEFAULTS.items():
        DiscountLimit.objects.get_or_create(role=role, defaults={"max_percent": percent})


class Migration(migrations.Migration):
    dependencies = [("pricing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
