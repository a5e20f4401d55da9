"""Test helpers of Excel import/export: workbooks built with openpyxl, in memory or in tmp_path.
Also used by the permission matrix (tests/core) for the import job and sample uploads its URLs need."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from kaidan.transfer.models import ImportJob
from kaidan.transfer.services import importer_for


def headers(kind: str, keys: list[str] | None = None) -> list[str]:
    """The template's header texts of these columns (all, in template order, by default)."""
    columns = importer_for(kind).columns
    if keys is None:
        return [c.header for c in columns]
    by_key = {c.key: c.header for c in columns}
    return [by_key[k] for k in keys]


def workbook_bytes(header: list[Any] | None, rows: list[list[Any]] = (), *, sheet_title: str = "Sheet") -> bytes:
    """An .xlsx whose first sheet has this header row (none when None) and these rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table(kind: str, records: list[dict[str, Any]]) -> bytes:
    """A workbook of these records (column key → value), with the header of the keys used."""
    keys = list(dict.fromkeys(k for record in records for k in record))
    return workbook_bytes(headers(kind, keys), [[record.get(k) for k in keys] for record in records])


def upload(data: bytes, name: str = "import.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def write(tmp_path: Path, data: bytes, name: str = "import.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_sheet(data: bytes) -> list[list[Any]]:
    """The first sheet of a workbook as lists of values (to check a download)."""
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def sample_workbook(path: str) -> SimpleUploadedFile:
    """A valid one-row upload for POST /imports/customers or /imports/products (the permission matrix)."""
    if path.endswith("customers"):
        return upload(table("customers", [{"code": "MATRIX-IMPORT", "name": "矩阵导入客户"}]))
    return upload(table("products", [{"sku": "MATRIX-IMPORT", "name": "矩阵导入商品", "unit": "pcs"}]))


def transfer_sample_ids(user) -> dict[str, int]:
    """An import job of the user's, for the job pages' URL parameter."""
    job = ImportJob.objects.create(kind="customers", user=user, file="imports/sample.xlsx", original_name="sample.xlsx",
                                   status=ImportJob.Status.DONE, dry_run=True)
    return {"job_id": job.pk}
