"""Writing many rows at once where the ORM is the slow part."""

from __future__ import annotations

from django.db import connection

# Rows per UPDATE (two parameters per row and column; far below either database's limit).
BATCH_ROWS = 500


def update_columns(model, rows: list, columns: list[str]) -> None:
    """Store ``columns`` of ``rows`` (saved instances of ``model``) as they are in memory — what
    ``bulk_update`` does — with one ``UPDATE … SET col = CASE id WHEN … END`` per batch of rows.
    Raw SQL because ``bulk_update`` builds and resolves an ORM expression per row and
    column, which took about 2 s for the reservations and lines of a 1,000-line note while the
    database needs milliseconds. Values go through each field's own conversion for the database;
    PostgreSQL gets the CASE cast to the column's type, as Django does."""
    if not rows:
        return
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    for start in range(0, len(rows), BATCH_ROWS):
        batch = rows[start:start + BATCH_ROWS]
        case = f"CASE {pk} " + " ".join(["WHEN %s THEN %s"] * len(batch)) + " END"
        sets = ", ".join(f"{quote(field.column)} = "
                         + (f"CAST({case} AS {field.db_type(connection)})"
                            if connection.features.requires_casted_case_in_updates else case) for field in fields)
        params = [value for field in fields for row in batch
                  for value in (row.pk, field.get_db_prep_save(getattr(row, field.attname), connection))]
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {sets} WHERE {pk} IN ({', '.join(['%s'] * len(batch))})",
                           [*params, *(row.pk for row in batch)])
