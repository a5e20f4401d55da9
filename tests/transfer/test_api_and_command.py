"""The import API (multipart upload → 202 with the job; poll GET /imports/{id}) and the command line
`kaidan import KIND FILE [--dry-run] [--user NAME]`."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from kaidan.catalog.models import Product
from kaidan.core.roles import Role
from kaidan.parties.models import Customer
from kaidan.transfer.models import ImportJob
from tests.transfer.factories import table, upload, workbook_bytes, write

pytestmark = pytest.mark.django_db


def post_file(api, path, data: bytes, name="customers.xlsx", headers=None, **fields):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}
    return api.client.post(f"/api{path}", {"file": upload(data, name), **fields},
                           HTTP_AUTHORIZATION=f"Bearer {api.secret}", **extra)


class TestApi:
    def test_upload_answers_202_with_the_job_and_the_job_can_be_polled(self, api_for):
        api = api_for(Role.SALES_MANAGER)
        response = post_file(api, "/imports/customers", table("customers", [{"code": "A-1", "name": "甲"}]),
                             dry_run="true")
        assert response.status_code == 202
        body = response.json()
        assert body["outcome"] == "checked" and body["dry_run"] is True and body["kind"] == "customers"
        polled = api.get(f"/api/imports/{body['id']}").json()
        assert polled["processed_rows"] == polled["total_rows"] == 1 and polled["created_count"] == 1
        assert not Customer.objects.exists()
        assert [job["id"] for job in api.get("/api/imports").json()["items"]] == [body["id"]]

    def test_problems_come_with_row_column_and_field(self, api_for):
        api = api_for(Role.ADMIN)
        data = table("products", [{"sku": "P-1", "name": "甲", "unit": "pcs", "list_price": "1.23456"}])
        body = post_file(api, "/imports/products", data, "products.xlsx", headers={"Accept-Language": "en"}).json()
        assert body["outcome"] == "rejected"
        assert body["errors"] == [{"row": 2, "column": "标价 / list_price", "field": "list_price",
                                   "message": "Enter at most 4 decimal places."}]
        assert not Product.objects.exists()

    def test_a_malformed_file_is_a_422_on_file(self, api_for):
        api = api_for(Role.SALES_MANAGER)
        response = post_file(api, "/imports/customers", b"\x00\x01garbage", headers={"Accept-Language": "en"})
        assert response.status_code == 422
        assert response.json()["detail"]["fields"]["file"] == [
            "This file is not an Excel workbook (.xlsx); it may be damaged or another kind of file renamed to .xlsx."]
        assert not ImportJob.objects.exists()

    def test_the_idempotency_key_replays_the_first_answer(self, api_for):
        api = api_for(Role.SALES_MANAGER)
        data = table("customers", [{"code": "A-1", "name": "甲"}])
        first = post_file(api, "/imports/customers", data, headers={"Idempotency-Key": "import-1"})
        again = post_file(api, "/imports/customers", data, headers={"Idempotency-Key": "import-1"})
        assert first.status_code == again.status_code == 202
        assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
        assert ImportJob.objects.count() == 1 and Customer.objects.count() == 1

    def test_an_upload_over_the_limit_is_refused_before_it_is_read(self, api_for, settings):
        settings.KAIDAN_IMPORT_MAX_BYTES = 1000
        api = api_for(Role.SALES_MANAGER)
        response = post_file(api, "/imports/customers", b"PK" + b"0" * 70_000, headers={"Accept-Language": "en"})
        assert response.status_code == 422 and "too large" in response.json()["detail"]["fields"]["file"][0]

    def test_someone_elses_job_is_404_and_importing_needs_the_capability(self, api_for):
        owner = api_for(Role.SALES_MANAGER)
        job_id = post_file(owner, "/imports/customers", table("customers", [{"code": "A", "name": "甲"}])).json()["id"]
        assert api_for(Role.SALES_MANAGER).get(f"/api/imports/{job_id}").status_code == 404
        assert api_for(Role.ADMIN).get(f"/api/imports/{job_id}").status_code == 200
        data = table("customers", [{"code": "B", "name": "乙"}])
        refused = post_file(api_for(Role.SALES), "/imports/customers", data)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


class TestCommand:
    def call(self, *args):
        out, err = StringIO(), StringIO()
        with translation.override("en"):
            call_command("import", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_imports_with_a_progress_bar_and_a_summary(self, make_user, tmp_path):
        manager = make_user(Role.SALES_MANAGER, username="li")
        rows = [{"code": f"K-{i}", "name": f"客户{i}"} for i in range(600)]
        out, err = self.call("customers", str(write(tmp_path, table("customers", rows))), "--user", "li")
        assert "Imported 600 rows: 600 created, 0 updated, 0 unchanged." in out
        assert "[" in err and "] 250/600" in err and "] 600/600" in err and "\r" in err
        assert Customer.objects.filter(owner=manager).count() == 600

    def test_problems_are_printed_by_row_and_column_and_the_exit_code_is_not_zero(self, make_user, tmp_path):
        make_user(Role.ADMIN, username="boss")
        path = write(tmp_path, table("customers", [{"code": "K-1", "name": "甲", "uscc": "123"},
                                                   {"code": "K-2", "name": "乙"}]))
        out = StringIO()
        with translation.override("en"), pytest.raises(CommandError, match="1 problems; nothing") as failed:
            call_command("import", "customers", str(path), "--user", "boss", stdout=out, stderr=StringIO())
        assert failed.value.returncode == 1
        expected = "row 2, 统一社会信用代码 / uscc: A unified social credit code has 18 characters."
        assert out.getvalue().splitlines() == [expected]
        assert not Customer.objects.exists()

    def test_dry_run_changes_nothing_and_defaults_to_the_first_superuser(self, make_user, tmp_path):
        make_user(None, username="root", is_superuser=True)
        path = write(tmp_path, table("products", [{"sku": "P-1", "name": "甲", "unit": "pcs"}]), "products.xlsx")
        out, _err = self.call("products", str(path), "--dry-run")
        assert "No problems in 1 rows. Importing would create 1" in out
        assert not Product.objects.exists()

    @pytest.mark.parametrize("name, data, message", [
        ("a.csv", b"sku,name\n", "Upload an Excel workbook"),
        ("a.xlsx", b"random bytes", "not an Excel workbook"),
        ("a.xlsx", workbook_bytes(["名称 Name"], [["甲"]]), "must hold the column headers"),
    ])
    def test_a_malformed_file_is_a_clear_error(self, make_user, tmp_path, name, data, message):
        make_user(Role.ADMIN, username="boss")
        with pytest.raises(CommandError, match=message):
            self.call("products", str(write(tmp_path, data, name)), "--user", "boss")
        assert not ImportJob.objects.exists()

    def test_a_missing_file_user_or_capability_is_a_clear_error(self, make_user, tmp_path):
        make_user(Role.SALES, username="wang")
        path = write(tmp_path, table("customers", [{"code": "K-1", "name": "甲"}]))
        with pytest.raises(CommandError, match="There is no file"):
            self.call("customers", str(tmp_path / "nope.xlsx"), "--user", "wang")
        with pytest.raises(CommandError, match="No active user"):
            self.call("customers", str(path), "--user", "nobody")
        with pytest.raises(CommandError, match="wang may not import customers"):
            self.call("customers", str(path), "--user", "wang")
