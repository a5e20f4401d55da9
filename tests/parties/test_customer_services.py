"""Creating and editing customers: numbering, validation, privileged fields, status, delete."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from kaidan.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, StaleEdit, ValidationFailed
from kaidan.core.models import AuditEvent
from kaidan.core.roles import Role
from kaidan.parties import services
from kaidan.parties.models import Customer
from kaidan.parties.terms import due_date
from tests.parties.factories import OTHER_USCC, VALID_USCC, make_customer, month_end_term

pytestmark = pytest.mark.django_db


class TestCreateCustomer:
    def test_numbers_the_customer_and_makes_the_salesperson_its_owner(self, make_user):
        wang = make_user(Role.SALES)
        customer = make_customer(wang, uscc=VALID_USCC.lower(), short_name="测试")
        assert customer.code == "C00001"
        assert customer.owner == wang
        assert customer.uscc == VALID_USCC
        assert customer.invoice_title == customer.name
        assert AuditEvent.objects.filter(object_type="parties.customer", action="created").count() == 1

    def test_a_given_code_is_kept_and_must_be_unique(self, make_user):
        admin = make_user(Role.ADMIN)
        make_customer(admin, code="VIP-001")
        with pytest.raises(ValidationFailed) as err:
            make_customer(admin, code="VIP-001", name="另一家")
        assert "code" in err.value.fields

    @pytest.mark.parametrize("field, value", [
        ("uscc", "91310115MA1K4A2B3B"),
        ("uscc", "123"),
        ("currency", "rmb"),
        ("kind", "alien"),
        ("name", ""),
        ("tax_phone", "call me"),
        ("bank_account", "IBAN-X"),
        ("credit_limit", "-1"),
        ("credit_limit", "abc"),
        ("payment_term_id", 999999),
        ("group_id", 999999),
        ("colour", "red"),
    ])
    def test_bad_fields_are_named_and_nothing_is_created(self, make_user, field, value):
        manager = make_user(Role.SALES_MANAGER)
        with pytest.raises(ValidationFailed) as err:
            make_customer(manager, **{field: value})
        assert field in err.value.fields
        assert not Customer.objects.exists()

    def test_a_credit_code_belongs_to_one_customer(self, make_user):
        admin = make_user(Role.ADMIN)
        make_customer(admin, uscc=VALID_USCC)
        with pytest.raises(ValidationFailed) as err:
            make_customer(admin, uscc=VALID_USCC, name="重复")
        assert "uscc" in err.value.fields

    def test_a_salesperson_cannot_set_a_credit_limit_or_give_the_customer_away(self, make_user):
        wang, li = make_user(Role.SALES), make_user(Role.SALES)
        with pytest.raises(ValidationFailed) as err:
            make_customer(wang, credit_limit="50000")
        assert "credit_limit" in err.value.fields
        with pytest.raises(ValidationFailed) as err:
            make_customer(wang, owner_id=li.pk)
        assert "owner_id" in err.value.fields

    def test_a_manager_sets_limit_owner_and_terms(self, make_user):
        manager, wang = make_user(Role.SALES_MANAGER), make_user(Role.SALES)
        customer = make_customer(manager, credit_limit="50000.00", owner_id=wang.pk,
                                 payment_term_id=month_end_term().pk)
        assert customer.credit_limit == Decimal("50000.00") and customer.owner == wang

    def test_warehouse_cannot_create_customers(self, make_user):
        with pytest.raises(Forbidden):
            make_customer(make_user(Role.WAREHOUSE))


class TestUpdateCustomer:
    def test_edits_bump_the_version_and_record_what_changed(self, make_user):
        wang = make_user(Role.SALES)
        customer = make_customer(wang)
        updated = services.update_customer(actor=wang, customer_id=customer.pk, version=1,
                                           data={"short_name": "新简称"})
        assert updated.version == 2
        event = AuditEvent.objects.filter(object_type="parties.customer", action="updated").get()
        assert event.after == {"short_name": "新简称"}

    def test_a_stale_edit_is_refused(self, make_user):
        wang = make_user(Role.SALES)
        customer = make_customer(wang)
        services.update_customer(actor=wang, customer_id=customer.pk, version=1, data={"notes": "一"})
        with pytest.raises(StaleEdit):
            services.update_customer(actor=wang, customer_id=customer.pk, version=1, data={"notes": "二"})

    def test_someone_elses_customer_is_not_found_for_a_salesperson(self, make_user):
        wang, li = make_user(Role.SALES), make_user(Role.SALES)
        customer = make_customer(wang)
        with pytest.raises(NotFound):
            services.update_customer(actor=li, customer_id=customer.pk, version=1, data={"notes": "x"})

    def test_finance_edits_invoice_details_and_the_limit(self, make_user):
        customer = make_customer(make_user(Role.SALES))
        finance = make_user(Role.FINANCE)
        updated = services.update_customer(actor=finance, customer_id=customer.pk, version=1, data={
            "credit_limit": "80000", "tax_address": "上海市浦东新区", "tax_phone": "021-1234567",
            "bank_name": "招商银行", "bank_account": "1219 0001"})
        assert updated.credit_limit == Decimal("80000")

    def test_missing_special_invoice_details_are_listed(self, make_user):
        customer = make_customer(make_user(Role.ADMIN), uscc=OTHER_USCC)
        assert customer.missing_special_invoice_details() == ["tax_address", "tax_phone", "bank_name", "bank_account"]


class TestStatus:
    def test_blocking_needs_a_reason_and_the_right_role(self, make_user):
        wang, manager = make_user(Role.SALES), make_user(Role.SALES_MANAGER)
        customer = make_customer(wang)
        with pytest.raises(Forbidden):
            services.set_customer_status(actor=wang, customer_id=customer.pk, status="blocked", reason="欠款")
        with pytest.raises(ValidationFailed):
            services.set_customer_status(actor=manager, customer_id=customer.pk, status="blocked")
        blocked = services.set_customer_status(actor=manager, customer_id=customer.pk, status="blocked",
                                               reason="逾期未付款")
        assert blocked.status == "blocked" and blocked.blocked_reason == "逾期未付款"
        active = services.set_customer_status(actor=manager, customer_id=customer.pk, status="active")
        assert active.blocked_reason == ""

    def test_illegal_transitions_are_refused(self, make_user):
        admin = make_user(Role.ADMIN)
        customer = make_customer(admin)
        services.set_customer_status(actor=admin, customer_id=customer.pk, status="inactive")
        with pytest.raises(InvalidTransition):
            services.set_customer_status(actor=admin, customer_id=customer.pk, status="blocked", reason="x")


class TestDelete:
    def test_an_unused_customer_is_deleted_and_the_deletion_audited(self, make_user):
        admin = make_user(Role.ADMIN)
        customer = make_customer(admin)
        services.delete_customer(actor=admin, customer_id=customer.pk)
        assert not Customer.objects.exists()
        assert AuditEvent.objects.filter(object_type="parties.customer", action="deleted").exists()

    def test_a_customer_used_by_documents_is_refused_with_the_reason(self, make_user, monkeypatch):
        from django.db.models import ProtectedError

        admin = make_user(Role.ADMIN)
        customer = make_customer(admin)
        # given a document that protects the customer (sales orders arrive with their issue)
        referrer = SimpleNamespace(_meta=SimpleNamespace(verbose_name="sales order"))

        def protected(self, *args, **kwargs):
            raise ProtectedError("protected", [referrer])

        monkeypatch.setattr(Customer, "delete", protected)
        with pytest.raises(Conflict) as err:
            services.delete_customer(actor=admin, customer_id=customer.pk)
        assert err.value.detail["referenced_by"] == ["sales order"]
        assert Customer.objects.filter(pk=customer.pk).exists()


class TestPaymentTerms:
    @pytest.mark.parametrize("kind, days, invoice, due", [
        ("prepaid", 0, datetime.date(2026, 11, 25), datetime.date(2026, 11, 25)),
        ("net", 30, datetime.date(2026, 11, 25), datetime.date(2026, 12, 25)),
        ("month_end", 30, datetime.date(2026, 11, 25), datetime.date(2026, 12, 30)),
        ("month_end", 60, datetime.date(2026, 1, 31), datetime.date(2026, 4, 1)),
    ])
    def test_due_dates(self, kind, days, invoice, due):
        assert due_date(kind=kind, days=days, invoice_date=invoice) == due
