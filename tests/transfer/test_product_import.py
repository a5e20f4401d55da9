"""Importing products from Excel: problems by row and column, writes through the catalog services,
re-imports that only touch what changed, and a 10,000-row file through the background task."""

import time
from decimal import Decimal

import pytest
from django.utils import translation

from kaidan.catalog.models import Product, Unit
from kaidan.core.models import AuditEvent
from kaidan.core.roles import Role
from kaidan.transfer import services
from kaidan.transfer.models import ImportJob
from tests.catalog.factories import make_category, make_product
from tests.transfer.factories import table, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user):
    return make_user(Role.SALES_MANAGER)


def run(actor, data: bytes, *, dry_run: bool = False) -> ImportJob:
    with translation.override("en"):
        job = services.start_import(actor=actor, kind="products", upload=upload(data), name="products.xlsx",
                                    dry_run=dry_run)
    job.refresh_from_db()
    return job


def problems(job) -> list[tuple]:
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


def test_a_check_lists_every_problem_and_changes_nothing(manager):
    make_product(manager, sku="TAKEN", barcode="6901234567892")
    rows = [
        {"sku": "P-1", "name": "甲", "unit": "箱子", "category": "nope", "list_price": "12.34567", "vat_rate": "17%"},
        {"sku": "P-1", "name": "乙", "unit": "pcs", "standard_cost": "-1", "active": "maybe"},
        {"sku": "bad sku!", "name": "丙", "unit": "台", "weight_kg": "heavy"},
        {"sku": "P-4", "name": None, "barcode": "6901234567892", "price_includes_tax": "=TRUE()"},
        {"sku": "P-5", "name": "戊", "unit": "kg", "barcode": "123"},
    ]
    job = run(manager, table("products", rows), dry_run=True)
    assert job.outcome == "rejected"
    assert problems(job) == [
        (2, "商品分类 / category", "“nope” is not an active category code; see the Codes sheet of the template."),
        (2, "单位 / unit", "“箱子” is not a unit here; see the Codes sheet of the template."),
        (2, "标价 / list_price", "Enter at most 4 decimal places."),
        (2, "税率 / vat_rate", "Enter one of the rates 13%, 9%, 6%, 0%."),
        (3, "商品编码 / sku", "Row 2 has the same value; each may appear only once."),
        (3, "标准成本 / standard_cost", "Enter a number of at least 0."),
        (3, "启用 / active", "Enter 是 (yes) or 否 (no)."),
        (4, "商品编码 / sku", "Use letters, digits and . _ / - only, starting with a letter or digit."),
        (4, "重量(kg) / weight_kg", "Enter a number, e.g. 12.50."),
        (5, "名称 / name", "Enter the product's name."),
        (5, "单位 / unit", "Enter the unit of a new product."),
        (5, "条形码 / barcode", "Another product already has this barcode."),
        (5, "含税 / price_includes_tax", "Formulas are not imported: copy the column and paste it back as values."),
        (6, "条形码 / barcode", "A barcode has 8 (EAN-8), 12 (UPC-A) or 13 (EAN-13) digits."),
    ]
    assert Product.objects.count() == 1


def test_creates_and_updates_through_the_catalog_services(manager):
    laptops = make_category(manager, code="laptop", name="笔记本电脑")
    existing = make_product(manager, sku="NB-1", name="旧名", list_price=Decimal("100"))
    rows = [
        {"sku": "NB-1", "name": "轻薄笔记本", "category": "laptop", "unit": "台", "list_price": 5999, "vat_rate": 0.13},
        {"sku": "NB-2", "name": "游戏本", "unit": "unit", "list_price": "7,999.5", "price_includes_tax": "否",
         "vat_rate": "9%", "weight_kg": 2.35, "active": "否"},
    ]
    job = run(manager, table("products", rows))
    assert job.outcome == "imported" and (job.created_count, job.updated_count) == (1, 1)
    existing.refresh_from_db()
    assert (existing.name, existing.category, existing.unit.code) == ("轻薄笔记本", laptops, "unit")
    assert existing.list_price == Decimal("5999.0000") and existing.version == 2
    new = Product.objects.get(sku="NB-2")
    assert (new.list_price, new.price_includes_tax, new.vat_rate) == (Decimal("7999.5000"), False, Decimal("0.0900"))
    assert (new.weight_kg, new.active) == (Decimal("2.350"), False)
    assert "yxb" in new.search_text  # 游戏本 in pinyin initials, written by the service
    assert AuditEvent.objects.filter(object_type="catalog.product", action="updated").count() == 1


def test_an_unchanged_file_writes_nothing(manager):
    rows = [{"sku": f"S-{i}", "name": f"商品{i}", "unit": "pcs", "list_price": "9.9"} for i in range(3)]
    run(manager, table("products", rows))
    events = AuditEvent.objects.count()
    job = run(manager, table("products", rows))
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 3)
    assert AuditEvent.objects.count() == events
    assert set(Product.objects.values_list("version", flat=True)) == {1}


def test_a_10000_row_file_runs_in_the_background_with_progress(manager, monkeypatch):
    # given 10,000 products in the catalog (made in bulk: this is the scene, not the subject)
    pcs = Unit.objects.get(code="pcs")
    Product.objects.bulk_create(
        Product(sku=f"BULK-{i:05d}", name=f"商品{i}", unit=pcs, list_price=Decimal("10.0000")) for i in range(10_000))
    # and a file of them all: 100 repriced, 9,900 unchanged, plus 100 new products
    rows = [{"sku": f"BULK-{i:05d}", "name": f"商品{i}", "unit": "pcs",
             "list_price": "12.5" if i % 100 == 7 else "10"} for i in range(10_000)]
    rows += [{"sku": f"NEW-{i:03d}", "name": f"新商品{i}", "unit": "pcs", "list_price": "1"} for i in range(100)]
    seen = []
    real_save = services.save_progress
    monkeypatch.setattr(services, "save_progress", lambda job, n: (seen.append(n), real_save(job, n)))
    data = table("products", rows)
    # when the file is imported through the background task (inline: the tests' ImmediateBackend)
    started = time.perf_counter()
    job = run(manager, data)
    elapsed = time.perf_counter() - started
    # then the progress moved up to the total, and the counts are right
    assert seen == sorted(seen) and len(seen) > 10 and seen[-1] == 10_100
    assert job.status == "done" and job.outcome == "imported"
    assert job.processed_rows == job.total_rows == 10_100
    assert (job.created_count, job.updated_count, job.unchanged_count) == (100, 100, 9_900)
    assert Product.objects.count() == 10_100
    assert Product.objects.filter(list_price=Decimal("12.5")).count() == 100
    assert AuditEvent.objects.filter(object_type="catalog.product").count() == 200
    assert elapsed < 60, f"10,100 rows took {elapsed:.1f}s"
