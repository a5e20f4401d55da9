"""The workbooks the transfer pages hand out: an importer's template and the export of a list.
Both have the same header row, so an export can be edited and imported again."""

from __future__ import annotations

from typing import IO

from django.http import QueryDict

from kaidan.transfer import excel
from kaidan.transfer.importing import Importer


def sheet_columns(importer: Importer) -> list[excel.SheetColumn]:
    return [excel.SheetColumn(c.header, c.width, c.number_format, f"{c.header}\n{c.note}") for c in importer.columns]


def write_template(importer: Importer, out: IO[bytes]) -> None:
    """The header with a note on each column, one example row, and a sheet of the codes columns accept."""
    excel.write_workbook(out, title=str(importer.title), columns=sheet_columns(importer), rows=[],
                         example=importer.example_row(), extra_sheets=importer.reference_sheets())


def write_export(importer: Importer, user, params: QueryDict, out: IO[bytes]) -> int:
    """The rows the user sees on the list page with these filters (the record rule included)."""
    return excel.write_workbook(out, title=str(importer.title), columns=sheet_columns(importer),
                                rows=importer.export_rows(user, params))
