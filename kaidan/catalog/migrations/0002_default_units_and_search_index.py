"""The default units, and a trigram index for the product search column (PostgreSQL only)."""

from django.db import migrations

from kaidan.core.db import trigram_index


def add_default_units(apps, schema_editor):
    from kaidan.catalog.units import ensure_default_units

    ensure_default_units(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_default_units, migrations.RunPython.noop),
        trigram_index("catalog_product", "search_text", "catalog_product_search_trgm"),
    ]
