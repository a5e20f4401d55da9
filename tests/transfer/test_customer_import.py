"""Importing customers from Excel: a check lists every problem by row and column and changes nothing;
an import writes everything or nothing, through the customer services; importing the same file
again updates and leaves unchanged rows alone; the record rule holds."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation

from kaidan.core.errors import ValidationFailed
from kaidan.core.models import AuditEvent
from kaidan.core.roles import Role
from kaidan.parties import services as party_services
from kaidan.parties.models import Customer, CustomerGroup
from kaidan.transfer import services
from kaidan.transfer.models import ImportJob
from tests.parties.factories import OTHER_USCC, VALID_USCC, make_customer, month_end_term
from tests.transfer.factories import headers, table, upload, workbook_bytes

pytestmark = pytest.mark.django_db


def run(actor, data: bytes, *, dry_run: bool = False, language: str = "en") -> ImportJob:
    with translation.override(language):
        job = services.start_import(actor=actor, kind="customers", upload=upload(data), name="customers.xlsx",
                                    dry_run=dry_run)
    job.refresh_from_db()
    return job


def problems(job) -> list[tuple]:
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


@pytest.fixture
def manager(make_user):
    return make_user(Role.SALES_MANAGER)


GOOD = [
    {"code": "C-001", "name": "上海甲贸易有限公司", "uscc": VALID_USCC, "kind": "公司", "credit_limit": 50000,
     "payment_term": "month30", "tax_phone": "021-12345678"},
    {"code": "C-002", "name": "李四", "kind": "个人", "currency": "cny"},
]


class TestCheckOnly:
    def test_every_problem_is_listed_by_row_and_column_and_nothing_changes(self, manager):
        month_end_term()
        events = AuditEvent.objects.count()
        rows = [
            {"code": "C-001", "name": "甲", "uscc": "91310115MA1K4A2B3B", "credit_limit": "12.345", "group": "nope"},
            {"code": "C-001", "name": "", "kind": "合伙", "credit_limit": "lots", "payment_term": "month30"},
            {"code": None, "name": "无编码"},
            {"code": "C-004", "name": "丁", "owner": "ghost", "tax_phone": "call me", "currency": "RMB1"},
        ]
        job = run(manager, table("customers", rows), dry_run=True)
        assert job.outcome == "rejected" and job.status == "done"
        assert problems(job) == [
            (2, "统一社会信用代码 / uscc", "The check character of the unified social credit code is wrong."),
            (2, "客户分组 / group", "“nope” is not an active code here; see the Codes sheet of the template."),
            (2, "信用额度 / credit_limit", "Enter at most 2 decimal places."),
            (3, "编码 / code", "Row 2 has the same value; each may appear only once."),
            (3, "名称 / name", "Enter the customer's name."),
            (3, "类型 / kind", "Enter 公司 (company) or 个人 (individual)."),
            (3, "信用额度 / credit_limit", "Enter a number, e.g. 12.50."),
            (4, "编码 / code", "Enter the customer's code."),
            (5, "业务员 / owner", "No active user is called “ghost”."),
            (5, "币种 / currency", "Three capital letters, e.g. CNY."),
            (5, "币种 / currency", "Ensure this value has at most 3 characters (it has 4)."),
            (5, "注册电话 / tax_phone", "Enter a phone number: digits, spaces, + ( ) and -."),
        ]
        assert job.problem_count == 12 and job.processed_rows == job.total_rows == 4
        assert not Customer.objects.exists()
        assert AuditEvent.objects.count() == events

    def test_messages_are_in_the_language_of_the_upload(self, manager):
        data = table("customers", [{"code": "C-1", "name": "甲", "uscc": "123"}])
        english = run(manager, data, dry_run=True, language="en")
        chinese = run(manager, data, dry_run=True, language="zh-hans")
        assert english.errors[0]["message"] == "A unified social credit code has 18 characters."
        assert chinese.errors[0]["message"] == "统一社会信用代码应为 18 位。"

    def test_a_clean_check_predicts_the_counts_and_writes_nothing(self, manager):
        month_end_term()
        make_customer(manager, code="C-002", name="李四", kind="individual")
        job = run(manager, table("customers", GOOD), dry_run=True)
        assert job.outcome == "checked" and job.errors == []
        assert (job.created_count, job.updated_count, job.unchanged_count) == (1, 0, 1)
        assert Customer.objects.count() == 1

    def test_unknown_and_repeated_columns_are_problems_of_row_1(self, manager):
        data = workbook_bytes(["编码 Code", "名称", "Name", "颜色 Colour"], [["C-1", "甲", "甲"]])
        job = run(manager, data, dry_run=True)
        assert problems(job) == [
            (1, "名称 / name", "This column appears twice."),
            (1, "颜色 Colour", "Unknown column. Use the column headers of the template (its first row)."),
        ]

    def test_the_templates_example_row_is_skipped(self, manager):
        importer = services.importer_for("customers")
        data = workbook_bytes(headers("customers"), [importer.example_row(), ["C-9", "真客户"]])
        job = run(manager, data)
        assert job.outcome == "imported" and job.total_rows == 1
        assert list(Customer.objects.values_list("code", flat=True)) == ["C-9"]


class TestImport:
    def test_creates_through_the_service_with_history_and_search(self, manager):
        month_end_term()
        job = run(manager, table("customers", GOOD))
        assert job.outcome == "imported"
        assert (job.created_count, job.updated_count, job.unchanged_count) == (2, 0, 0)
        first = Customer.objects.get(code="C-001")
        assert first.uscc == VALID_USCC and first.credit_limit == Decimal("50000.00")
        assert first.payment_term.code == "month30" and first.owner == manager
        assert first.invoice_title == first.name and "shjmy" in first.search_text  # pinyin initials, as the UI
        assert Customer.objects.get(code="C-002").currency == "CNY"
        assert AuditEvent.objects.filter(object_type="parties.customer", action="created").count() == 2

    def test_one_bad_row_means_nothing_is_written(self, manager):
        rows = GOOD[1:] + [{"code": "C-003", "name": "丙", "uscc": "bad"}]
        job = run(manager, table("customers", rows))
        assert job.outcome == "rejected" and job.created_count == 0
        assert not Customer.objects.exists()

    def test_a_row_the_service_refuses_at_commit_rolls_back_every_row(self, manager, monkeypatch):
        # given rows that pass the checks, and a service that refuses the third while writing
        real_create = party_services.create_customer
        calls = []

        def refusing_third(*, actor, data):
            calls.append(data["code"])
            if len(calls) == 3:
                raise ValidationFailed.for_field("code", "This code was just taken; try again.")
            return real_create(actor=actor, data=data)

        monkeypatch.setattr(party_services, "create_customer", refusing_third)
        rows = [{"code": f"C-{i}", "name": f"客户{i}"} for i in range(1, 5)]
        # when
        job = run(manager, table("customers", rows))
        # then every row was tried, the refusal is reported on its row and column, and nothing is kept
        assert calls == ["C-1", "C-2", "C-3", "C-4"]
        assert problems(job) == [(4, "编码 / code", "This code was just taken; try again.")]
        assert job.outcome == "rejected" and job.created_count == 0
        assert not Customer.objects.exists()
        assert not AuditEvent.objects.filter(object_type="parties.customer").exists()

    def test_importing_the_same_file_again_updates_and_leaves_unchanged_rows_alone(self, manager):
        month_end_term()
        run(manager, table("customers", GOOD))
        events = AuditEvent.objects.count()
        versions = dict(Customer.objects.values_list("code", "version"))
        # the same file again: nothing to do
        again = run(manager, table("customers", GOOD))
        assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
        assert AuditEvent.objects.count() == events
        assert dict(Customer.objects.values_list("code", "version")) == versions
        # one row edited: only that customer changes
        edited = [{**GOOD[0], "short_name": "甲贸易", "credit_limit": "60000.5"}, GOOD[1]]
        third = run(manager, table("customers", edited))
        assert (third.created_count, third.updated_count, third.unchanged_count) == (0, 1, 1)
        assert Customer.objects.count() == 2
        first = Customer.objects.get(code="C-001")
        assert (first.short_name, first.credit_limit, first.version) == ("甲贸易", Decimal("60000.50"), 2)
        event = AuditEvent.objects.filter(object_id=str(first.pk), action="updated").get()
        assert event.after == {"credit_limit": "60000.50", "short_name": "甲贸易"}

    def test_blank_cells_clear_text_and_keep_owner_and_limit(self, manager, make_user):
        other = make_user(Role.SALES, username="zhang")
        group = CustomerGroup.objects.create(code="vip", name="大客户")
        customer = make_customer(manager, code="C-1", notes="old", credit_limit=Decimal("100"), owner_id=other.pk,
                                 group_id=group.pk)
        job = run(manager, table("customers", [{"code": "C-1", "name": customer.name, "notes": None, "owner": None,
                                                "credit_limit": None, "group": None}]))
        assert job.outcome == "imported" and job.updated_count == 1
        customer.refresh_from_db()
        assert (customer.notes, customer.group_id) == ("", None)
        assert (customer.owner, customer.credit_limit) == (other, Decimal("100.00"))

    def test_a_credit_code_of_another_customer_is_refused(self, manager):
        make_customer(manager, code="OLD", uscc=OTHER_USCC)
        rows = [{"code": "NEW", "name": "新", "uscc": OTHER_USCC.lower()},
                {"code": "N2", "name": "二", "uscc": VALID_USCC}, {"code": "N3", "name": "三", "uscc": VALID_USCC}]
        job = run(manager, table("customers", rows), dry_run=True)
        assert problems(job) == [
            (2, "统一社会信用代码 / uscc", "Another customer already has this unified social credit code."),
            (4, "统一社会信用代码 / uscc", "Row 3 has the same value; each may appear only once."),
        ]


class TestRecordRule:
    @pytest.fixture
    def wang(self, make_user):
        """A salesperson allowed to import (the matrix gives it to managers; an admin may grant it)."""
        user = make_user(Role.SALES, username="wang")
        user.user_permissions.add(Permission.objects.get(codename="import_customers"))
        return user

    def test_a_salesperson_updates_own_customers_only_and_new_ones_become_theirs(self, wang, make_user, manager):
        zhao = make_user(Role.SALES, username="zhao")
        make_customer(manager, code="MINE", name="我的", owner_id=wang.pk)
        make_customer(manager, code="THEIRS", name="别人的", owner_id=zhao.pk)
        rows = [{"code": "MINE", "name": "我的客户"}, {"code": "THEIRS", "name": "抢来的"},
                {"code": "NEW", "name": "新"}]
        job = run(wang, table("customers", rows))
        assert problems(job) == [(3, "编码 / code", "No customer you may change has this code.")]
        assert job.outcome == "rejected"
        assert Customer.objects.get(code="THEIRS").name == "别人的"
        job = run(wang, table("customers", [rows[0], rows[2]]))
        assert job.outcome == "imported" and (job.created_count, job.updated_count) == (1, 1)
        assert Customer.objects.get(code="NEW").owner == wang
        assert Customer.objects.get(code="MINE").name == "我的客户"

    def test_a_salesperson_cannot_give_customers_away_or_set_limits(self, wang, make_user):
        make_user(Role.SALES, username="zhao")
        job = run(wang, table("customers", [{"code": "N1", "name": "新", "owner": "zhao", "credit_limit": 100}]),
                  dry_run=True)
        assert problems(job) == [
            (2, "业务员 / owner", "Only a sales manager may give a customer to another salesperson."),
            (2, "信用额度 / credit_limit", "Only a sales manager or finance may set the credit limit."),
        ]

    def test_without_the_import_capability_nothing_starts(self, make_user):
        from kaidan.core.errors import Forbidden

        with pytest.raises(Forbidden):
            run(make_user(Role.SALES), table("customers", GOOD))
        assert not ImportJob.objects.exists()
