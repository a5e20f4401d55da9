"""Excel import of products, as `kaidan import products FILE.xlsx` runs it (check, then all or nothing).

Setup (not timed): an .xlsx of N new products (SKU, name, spec, model, brand, unit, list price,
cost, VAT) built with openpyxl, and an admin. Measured, each through the whole import path
(read the workbook, check every row, write through the catalog services with audit and search
column, in one transaction): the first import (N creations), then the same file again (N unchanged
rows: nothing written). Reported: rows/s for each. Checked: N products exist after the first run,
and the second run created and updated nothing.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

from bench.common import Result

NAME = "import"
DEFAULT_N = 5_000
BRANDS = ["联想", "惠普", "华为", "戴尔", "得力"]
NOUNS = ["笔记本电脑", "显示器", "打印机", "路由器", "硒鼓"]


def _workbook(n: int) -> bytes:
    from openpyxl import Workbook

    from kaidan.transfer.services import importer_for

    columns = {c.key: c.header for c in importer_for("products").columns}
    keys = ["sku", "name", "spec", "model", "brand", "unit", "list_price", "standard_cost", "vat_rate"]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("products")
    sheet.append([columns[k] for k in keys])
    for i in range(n):
        brand, noun = BRANDS[i % 5], NOUNS[(i // 5) % 5]
        sheet.append([f"IMP-{i:06d}", f"{brand}{noun}", f"{i % 50}规格", f"M{i % 97}", brand, "pcs",
                      f"{100 + i % 900}.00", "60.00", "13%"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(admin, data: bytes):
    from kaidan.transfer.services import run_import, start_import

    job = start_import(actor=admin, kind="products", upload=io.BytesIO(data), name="bench.xlsx", dry_run=False,
                       background=False)
    started = time.perf_counter()
    job = run_import(job_id=job.pk)
    return job, time.perf_counter() - started


def run(n: int, backend: str) -> Iterator[Result]:
    from django.contrib.auth import get_user_model

    from kaidan.catalog.models import Product

    admin = get_user_model().objects.create_superuser("bench-import", password="bench-import-1")
    data = _workbook(n)
    for label in ("new", "unchanged"):
        job, seconds = _import(admin, data)
        if label == "new":
            ok = job.status == "done" and job.created_count == n and Product.objects.count() == n
        else:
            ok = job.status == "done" and job.created_count == 0 and job.updated_count == 0
        note = "" if ok else (f"status={job.status} created={job.created_count} updated={job.updated_count} "
                              f"problems={job.problem_count} {job.errors[:2]}")
        yield Result({"rows": n, "run": label}, "rows/s", n / seconds, ok, seconds, note)
