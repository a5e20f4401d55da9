"""The import pages, the job page that polls its progress, the template download and the exports."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.test import Client

from kaidan.catalog.models import Product
from kaidan.core.roles import Role
from kaidan.parties.models import Customer
from kaidan.transfer.models import ImportJob
from tests.catalog.factories import make_category, make_product
from tests.parties.factories import make_customer
from tests.transfer.factories import headers, read_sheet, table, upload, workbook_bytes

pytestmark = pytest.mark.django_db


def download(response) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


@pytest.fixture
def manager_client(client_for):
    return client_for(Role.SALES_MANAGER)


class TestTemplate:
    @pytest.mark.parametrize("kind", ["customers", "products"])
    def test_has_the_headers_notes_an_example_and_the_codes(self, manager_client, kind):
        from openpyxl import load_workbook

        data = download(manager_client.get(f"/transfer/{kind}/template.xlsx", HTTP_ACCEPT_LANGUAGE="en"))
        workbook = load_workbook(io.BytesIO(data))
        sheet = workbook.worksheets[0]
        assert [c.value for c in sheet[1]] == headers(kind)
        assert sheet["A1"].value in ("编码 Code", "商品编码 SKU")
        assert "Required" in sheet["A1"].comment.text  # each header carries a note on its format
        assert sheet["A2"].value == "EXAMPLE-001"
        assert workbook.sheetnames[1] == "代码 Codes"

    def test_products_template_lists_the_units(self, manager_client):
        from openpyxl import load_workbook

        data = download(manager_client.get("/transfer/products/template.xlsx"))
        codes = [row[0] for row in load_workbook(io.BytesIO(data))["代码 Codes"].iter_rows(values_only=True)]
        assert "pcs" in codes and "kg" in codes

    def test_needs_the_import_capability(self, client_for):
        assert client_for(Role.SALES).get("/transfer/customers/template.xlsx").status_code == 403


class TestUpload:
    def test_a_check_redirects_to_the_job_page_which_shows_the_problems(self, manager_client):
        data = table("customers", [{"code": "C-1", "name": "甲", "uscc": "123"}])
        response = manager_client.post("/transfer/customers/import/", {"mode": "check", "file": upload(data)},
                                       HTTP_ACCEPT_LANGUAGE="en")
        job = ImportJob.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/transfer/imports/{job.pk}/"
        page = manager_client.get(response["Location"]).content.decode()
        assert "统一社会信用代码 / uscc" in page and "id=\"job-progress\"" in page
        assert "hx-trigger" not in page  # finished: the page stops polling
        assert not Customer.objects.exists()

    def test_a_passed_check_can_be_imported_with_one_click(self, manager_client):
        data = table("customers", [{"code": "C-1", "name": "甲"}])
        manager_client.post("/transfer/customers/import/", {"mode": "check", "file": upload(data)})
        check = ImportJob.objects.get()
        assert check.outcome == "checked" and not Customer.objects.exists()
        response = manager_client.post(f"/transfer/imports/{check.pk}/import/")
        imported = ImportJob.objects.exclude(pk=check.pk).get()
        assert response["Location"] == f"/transfer/imports/{imported.pk}/"
        assert imported.outcome == "imported" and Customer.objects.get().code == "C-1"
        # a check that found problems, or an import, cannot be "imported" again
        again = manager_client.post(f"/transfer/imports/{imported.pk}/import/")
        assert again.status_code == 302 and ImportJob.objects.count() == 2

    @pytest.mark.parametrize("name, data, message", [
        ("customers.csv", b"code,name\nC-1,x\n", "Upload an Excel workbook (.xlsx)"),
        ("random.xlsx", bytes(range(256)) * 8, "not an Excel workbook"),
        ("zip.xlsx", None, "zip archive but not an Excel workbook"),
        ("empty.xlsx", workbook_bytes(None), "must hold the column headers"),
        ("noheader.xlsx", workbook_bytes(None, [["C-1", "甲"]]), "must hold the column headers"),
        ("products.xlsx", table("products", [{"sku": "X", "name": "y"}]), "must hold the column headers"),
    ])
    def test_a_malformed_file_is_refused_on_the_form_and_nothing_is_stored(self, manager_client, name, data,
                                                                         message):
        if data is None:
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w") as archive:
                archive.writestr("hello.txt", "hi")
            data = out.getvalue()
        response = manager_client.post("/transfer/customers/import/", {"mode": "import", "file": upload(data, name)},
                                       HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not ImportJob.objects.exists() and not Customer.objects.exists()

    def test_a_job_without_rows_below_the_header_is_rejected(self, manager_client):
        manager_client.post("/transfer/customers/import/", {"mode": "import",
                                                            "file": upload(workbook_bytes(headers("customers")))})
        job = ImportJob.objects.get()
        assert job.outcome == "rejected" and job.errors[0]["row"] is None


class TestJobPage:
    def test_while_running_the_part_polls_every_second_and_shows_rows_checked(self, manager_client):
        job = ImportJob.objects.create(kind="customers", user=manager_client.user, file="imports/x.xlsx",
                                       original_name="x.xlsx", status="running", total_rows=10_000,
                                       processed_rows=2_500)
        part = manager_client.get(f"/transfer/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true")
        html = part.content.decode()
        assert 'hx-trigger="every 1s"' in html and f"/transfer/imports/{job.pk}/progress/" in html
        assert "2500" in html and "10000" in html and "(25%)" in html
        assert "<html" not in html  # only the part

    def test_someone_elses_job_is_not_found_but_an_administrator_sees_it(self, manager_client, client_for):
        job = ImportJob.objects.create(kind="customers", user=manager_client.user, file="imports/x.xlsx",
                                       original_name="mine.xlsx", status="done")
        assert client_for(Role.SALES_MANAGER).get(f"/transfer/imports/{job.pk}/").status_code == 404
        admin = client_for(Role.ADMIN)
        assert admin.get(f"/transfer/imports/{job.pk}/").status_code == 200
        assert "mine.xlsx" in admin.get("/transfer/imports/").content.decode()
        assert "mine.xlsx" not in client_for(Role.SALES_MANAGER).get("/transfer/imports/").content.decode()


class TestExport:
    def test_a_salesperson_exports_exactly_own_customers_with_the_filter(self, client_for, make_user):
        wang = client_for(Role.SALES)
        admin = make_user(Role.ADMIN)
        make_customer(admin, code="W-1", name="北京科技有限公司", owner_id=wang.user.pk)
        make_customer(admin, code="W-2", name="上海贸易有限公司", owner_id=wang.user.pk, credit_limit=Decimal("88.5"))
        make_customer(admin, code="Z-1", name="北京别人的客户", owner_id=make_user(Role.SALES).pk)
        rows = read_sheet(download(wang.get("/transfer/customers/export.xlsx")))
        assert rows[0] == headers("customers")
        assert [r[0] for r in rows[1:]] == ["W-1", "W-2"]
        assert rows[2][8] == 88.5 and rows[2][6] == wang.user.username
        filtered = read_sheet(download(wang.get("/transfer/customers/export.xlsx", {"q": "bjkj"})))
        assert [r[0] for r in filtered[1:]] == ["W-1"]  # the list's pinyin search, the record rule
        everyone = read_sheet(download(client_for(Role.SALES_MANAGER).get("/transfer/customers/export.xlsx",
                                                                            {"q": "北京"})))
        assert [r[0] for r in everyone[1:]] == ["W-1", "Z-1"]

    def test_an_exported_list_imports_back_unchanged(self, manager_client):
        admin = manager_client.user
        for i in range(3):
            make_customer(admin, code=f"C-{i}", name=f"客户{i}", notes="=SUM(A1)", credit_limit=Decimal("1000.10"))
        data = download(manager_client.get("/transfer/customers/export.xlsx"))
        manager_client.post("/transfer/customers/import/", {"mode": "import", "file": upload(data)})
        job = ImportJob.objects.get()
        assert job.outcome == "imported", job.errors
        assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 3)

    def test_products_export_follows_the_list_filters_and_imports_back_unchanged(self, manager_client):
        laptops = make_category(manager_client.user, code="laptop")
        make_product(manager_client.user, sku="NB-1", category_id=laptops.pk, barcode="6901234567892",
                     weight_kg=Decimal("1.25"), vat_rate=Decimal("0.09"))
        make_product(manager_client.user, sku="PEN-1")
        make_product(manager_client.user, sku="OLD-1", active=False)
        everything = read_sheet(download(manager_client.get("/transfer/products/export.xlsx", {"active": "all"})))
        assert everything[0] == headers("products")
        assert [r[0] for r in everything[1:]] == ["NB-1", "OLD-1", "PEN-1"]
        in_category = read_sheet(download(manager_client.get("/transfer/products/export.xlsx",
                                                             {"category": laptops.pk})))
        assert [r[0] for r in in_category[1:]] == ["NB-1"]
        data = download(manager_client.get("/transfer/products/export.xlsx", {"active": "all", "sort": "-sku"}))
        assert [r[0] for r in read_sheet(data)[1:]] == ["PEN-1", "OLD-1", "NB-1"]
        manager_client.post("/transfer/products/import/", {"mode": "import", "file": upload(data)})
        job = ImportJob.objects.get()
        assert job.outcome == "imported", job.errors
        assert job.unchanged_count == 3 and Product.objects.filter(version=1).count() == 3

    def test_the_list_pages_offer_import_and_export(self, manager_client, client_for):
        page = manager_client.get("/customers/?q=x").content.decode()
        assert "/transfer/customers/import/" in page and "/transfer/customers/export.xlsx?q=x" in page
        assert "/transfer/customers/import/" not in client_for(Role.SALES).get("/customers/").content.decode()
        products = manager_client.get("/products/").content.decode()
        assert "/transfer/products/import/" in products and "/transfer/products/export.xlsx" in products

    def test_anonymous_visitors_are_sent_to_log_in(self):
        response = Client().get("/transfer/customers/export.xlsx")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
