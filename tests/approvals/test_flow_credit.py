"""Submitting orders through the approval rules, continued: credit (exposure, warn and block,
finance's overrides), blocked, new and overdue customers, and approvers standing in for each other."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.utils import translation

from kaidan.approvals import credit, flow, services
from kaidan.approvals.flow import CreditLimitExceeded
from kaidan.approvals.models import ApprovalRequest, Delegation
from kaidan.approvals.states import Decision, StepStatus
from kaidan.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kaidan.core.models import AuditEvent
from kaidan.core.roles import Role
from kaidan.parties import services as party_services
from kaidan.sales import transitions
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import Status
from tests.approvals.factories import (
    audit_event,
    delegate,
    in_english,
    make_rule,
    notes_of,
    pending_request,
    route_of,
    set_credit,
    submitted,
)
from tests.inventory.factories import stock_of
from tests.sales.factories import make_order

pytestmark = pytest.mark.django_db


def eight_laptops(seller, customer, laptop) -> SalesOrder:
    """A ¥45,200 draft: under every amount band, so only credit decides."""
    return make_order(seller, customer, lines=[(laptop, 8)])


@pytest.fixture
def on_credit(rules, seller, manager, customer, laptop):
    """A ¥50,000 limit with ¥45,200 of it taken by a confirmed order."""
    set_credit(manager, customer, "50000")
    first = submitted(seller, eight_laptops(seller, customer, laptop))
    assert first.status == Status.CONFIRMED
    return first


def grant(finance, customer, *, amount=None, days=3, reason="年底大单，已与客户确认付款计划"):
    expires = datetime.date.today() + datetime.timedelta(days=days)
    data = {"expires_on": expires.isoformat(), "reason": reason}
    if amount is not None:
        data["amount"] = str(amount)
    return services.grant_override(actor=finance, customer_id=customer.pk, data=data)


def refused_for_credit(seller, order) -> CreditLimitExceeded:
    order.refresh_from_db()
    with pytest.raises(CreditLimitExceeded) as refused, translation.override("en"):
        transitions.submit_order(actor=seller, order_id=order.pk, version=order.version)
    return refused.value


class TestExposure:
    def test_exposure_is_confirmed_orders_not_invoiced_plus_the_order_being_submitted(self, seller, manager,
                                                                                        customer, laptop):
        set_credit(manager, customer, "100000")
        submitted(seller, eight_laptops(seller, customer, laptop))  # confirmed: ¥45,200
        eight_laptops(seller, customer, laptop)  # a draft: not exposure
        cancelled = submitted(seller, eight_laptops(seller, customer, laptop))
        transitions.cancel_document(actor=seller, order_id=cancelled.pk)  # cancelled: not exposure either

        customer.refresh_from_db()
        position = credit.position(customer)

        assert position.limit == D("100000.00") and position.open_orders == D("45200.00")
        assert position.exposure_with(D("45200.00")) == D("90400.00")
        assert position.exceeded_by(D("45200.00")) == D("0.00")
        assert position.exceeded_by(D("60000.00")) == D("5200.00")

    def test_an_order_being_resubmitted_is_not_counted_twice(self, seller, manager, customer, laptop):
        set_credit(manager, customer, "50000")
        order = submitted(seller, eight_laptops(seller, customer, laptop))
        transitions.revise_document(actor=seller, order_id=order.pk)
        assert credit.position(customer, excluding_order=order.pk).open_orders == D("0.00")

    def test_invoices_the_billing_app_reports_count_and_the_most_overdue_one_matters(
            self, admin, seller, manager, customer, laptop, monkeypatch):
        def billing(customer_id, today):
            return credit.Receivables(unpaid=D("30000.00"), overdue_days=45)

        monkeypatch.setattr(credit, "_sources", [])
        credit.register_receivables(billing)
        credit.register_receivables(billing)  # registering twice counts once
        make_rule(admin, "逾期超过30天", "overdue", days=30, steps=[(Role.SALES_MANAGER, "any")])
        set_credit(manager, customer, "50000")

        order = submitted(seller, eight_laptops(seller, customer, laptop))

        request = pending_request(order)
        assert in_english(request.reasons) == ["An invoice is 45 days overdue (more than 30 days)"]
        assert request.facts["exposure"] == "75200.00" and request.facts["credit_exceeded_by"] == "25200.00"


class TestWarn:
    def test_over_the_limit_the_order_goes_to_finance_with_the_overrun(self, on_credit, seller, finance, customer,
                                                                       laptop):
        order = submitted(seller, eight_laptops(seller, customer, laptop))

        assert order.status == Status.PENDING_APPROVAL
        request = pending_request(order)
        assert route_of(request) == [("finance", StepStatus.PENDING, ["credit"])]
        assert in_english(request.reasons) == [
            "Credit limit exceeded by ¥40,400.00 (exposure ¥90,400.00, limit ¥50,000.00)"]
        flow.approve(actor=finance, request_id=request.pk, comment="客户已付预付款")
        assert SalesOrder.objects.get(pk=order.pk).status == Status.CONFIRMED

    def test_without_a_credit_rule_warn_lets_the_order_through(self, rules, admin, seller, manager, customer, laptop):
        services.delete_rule(actor=admin, rule_id=rules[3].pk)
        set_credit(manager, customer, "10000")
        assert submitted(seller, eight_laptops(seller, customer, laptop)).status == Status.CONFIRMED


class TestBlock:
    def test_over_the_limit_the_submit_is_refused_and_nothing_is_written(self, on_credit, seller, manager,
                                                                         customer, laptop):
        set_credit(manager, customer, "50000", control="block")
        order = eight_laptops(seller, customer, laptop)
        events = AuditEvent.objects.count()

        refused = refused_for_credit(seller, order)

        assert refused.status == 409 and refused.code == "credit_limit_exceeded"
        assert str(refused).startswith("Credit limit exceeded by ¥40,400.00 (exposure ¥90,400.00, limit ¥50,000.00)")
        assert "finance can grant a temporary override" in str(refused)
        assert refused.detail == {"over": "40400.00", "exposure": "90400.00", "limit": "50000.00"}
        stored = SalesOrder.objects.get(pk=order.pk)
        assert stored.status == Status.DRAFT and stored.version == order.version
        assert not ApprovalRequest.objects.filter(order=order).exists()
        assert AuditEvent.objects.count() == events
        assert stock_of(laptop) == (1000, 8)  # only the first order's

    def test_block_applies_even_without_any_rule(self, seller, manager, customer, laptop):
        set_credit(manager, customer, "10000", control="block")
        refused_for_credit(seller, eight_laptops(seller, customer, laptop))

    def test_an_order_just_at_the_limit_passes(self, seller, manager, customer, laptop):
        set_credit(manager, customer, "45200", control="block")
        assert submitted(seller, eight_laptops(seller, customer, laptop)).status == Status.CONFIRMED

    def test_a_limit_of_zero_blocks_nothing(self, seller, manager, customer, laptop):
        set_credit(manager, customer, "0", control="block")
        assert submitted(seller, eight_laptops(seller, customer, laptop)).status == Status.CONFIRMED

    @pytest.mark.parametrize("amount", ["50000", None], ids=["by-an-amount", "unlimited"])
    def test_an_override_from_finance_lets_the_order_through(self, on_credit, seller, manager, finance, customer,
                                                             laptop, amount):
        set_credit(manager, customer, "50000", control="block")
        order = eight_laptops(seller, customer, laptop)
        refused_for_credit(seller, order)

        grant(finance, customer, amount=amount)

        assert submitted(seller, order).status == Status.CONFIRMED  # within ¥100,000, or no limit at all
        assert audit_event(customer, "credit_override_granted").actor == finance

    def test_an_override_too_small_still_refuses(self, on_credit, seller, manager, finance, customer, laptop):
        set_credit(manager, customer, "50000", control="block")
        grant(finance, customer, amount="40000")  # ¥90,000: ¥400 short
        assert refused_for_credit(seller, eight_laptops(seller, customer, laptop)).detail["over"] == "400.00"

    def test_an_override_counts_through_its_last_day_and_not_after(self, on_credit, seller, manager, finance,
                                                                   customer, laptop, clock):
        set_credit(manager, customer, "50000", control="block")
        grant(finance, customer, amount="50000", days=3)
        order = eight_laptops(seller, customer, laptop)

        clock.move(4)
        refused_for_credit(seller, order)
        clock.move(3)
        assert submitted(seller, order).status == Status.CONFIRMED

    def test_credit_is_checked_again_when_the_last_approver_confirms(self, rules, seller, manager, finance,
                                                                    customer, laptop, workstation):
        set_credit(manager, customer, "100000", control="block")
        waiting = pending_request(submitted(seller, make_order(seller, customer, lines=[(workstation, 10)])))
        # while the ¥82,000 order waits, a ¥45,200 one is confirmed: together they are over the limit
        assert submitted(seller, eight_laptops(seller, customer, laptop)).status == Status.CONFIRMED

        with pytest.raises(CreditLimitExceeded) as refused:
            flow.approve(actor=manager, request_id=waiting.pk)

        assert refused.value.detail["over"] == "27200.00"
        waiting.refresh_from_db()
        assert waiting.steps.get().status == StepStatus.PENDING and waiting.order.status == Status.PENDING_APPROVAL
        grant(finance, customer, amount="30000")
        flow.approve(actor=manager, request_id=waiting.pk)
        assert SalesOrder.objects.get(pk=waiting.order_id).status == Status.CONFIRMED

    def test_a_revoked_override_no_longer_counts(self, on_credit, seller, manager, finance, customer, laptop):
        set_credit(manager, customer, "50000", control="block")
        override = grant(finance, customer)
        services.revoke_override(actor=finance, override_id=override.pk)
        refused_for_credit(seller, eight_laptops(seller, customer, laptop))
        assert audit_event(customer, "credit_override_revoked").after["override"] == override.pk


class TestCustomers:
    def block(self, manager, customer):
        return party_services.set_customer_status(actor=manager, customer_id=customer.pk, status="blocked",
                                                  reason="拖欠货款")

    def test_a_blocked_customer_is_refused_without_a_rule_for_it(self, rules, seller, manager, customer, laptop):
        order = eight_laptops(seller, customer, laptop)
        self.block(manager, customer)
        with pytest.raises(Conflict) as refused:
            transitions.submit_order(actor=seller, order_id=order.pk)
        assert refused.value.detail == {"customer_status": "blocked"}
        assert SalesOrder.objects.get(pk=order.pk).status == Status.DRAFT

    def test_with_a_rule_for_blocked_customers_the_order_waits_for_approval_instead(
            self, rules, admin, seller, manager, finance, customer, laptop):
        make_rule(admin, "冻结客户", "customer_blocked", steps=[(Role.FINANCE, "any")])
        order = eight_laptops(seller, customer, laptop)
        self.block(manager, customer)

        order = submitted(seller, order)

        request = pending_request(order)
        assert route_of(request) == [("finance", StepStatus.PENDING, ["customer_blocked"])]
        assert in_english(request.reasons) == ["Customer is blocked: 拖欠货款"]
        flow.approve(actor=finance, request_id=request.pk)
        assert SalesOrder.objects.get(pk=order.pk).status == Status.CONFIRMED

    def test_an_inactive_customer_stays_refused_even_with_the_rule(self, admin, seller, manager, customer, laptop):
        make_rule(admin, "冻结客户", "customer_blocked", steps=[(Role.FINANCE, "any")])
        order = eight_laptops(seller, customer, laptop)
        party_services.set_customer_status(actor=manager, customer_id=customer.pk, status="inactive")
        with pytest.raises(Conflict):
            transitions.submit_order(actor=seller, order_id=order.pk)

    def test_the_new_customer_rule_holds_only_until_the_first_confirmed_order(self, admin, seller, manager,
                                                                              customer, laptop):
        make_rule(admin, "新客户", "customer_new", steps=[(Role.SALES_MANAGER, "any")])
        first = submitted(seller, eight_laptops(seller, customer, laptop))
        request = pending_request(first)
        assert in_english(request.reasons) == ["New customer: no earlier confirmed order"]
        # a second order while the first still waits: still a new customer
        assert submitted(seller, eight_laptops(seller, customer, laptop)).status == Status.PENDING_APPROVAL

        flow.approve(actor=manager, request_id=request.pk)

        assert submitted(seller, eight_laptops(seller, customer, laptop)).status == Status.CONFIRMED


class TestDelegation:
    @pytest.fixture
    def deputy(self, make_user):
        return make_user(Role.SALES, first_name="芳", last_name="周")

    @pytest.fixture
    def waiting(self, rules, seller, manager, customer, workstation):
        """An ¥82,000 order waiting for 李娜 (the only sales manager)."""
        return pending_request(submitted(seller, make_order(seller, customer, lines=[(workstation, 10)])))

    def test_a_delegate_approves_for_the_approver_and_the_record_says_both(self, manager, deputy, rules, seller,
                                                                           customer, workstation):
        delegate(manager, to=deputy, days=3)
        request = pending_request(submitted(seller, make_order(seller, customer, lines=[(workstation, 10)])))
        assert [key for key, _params in notes_of(deputy)] == ["approval_needed"]  # told like the approver

        flow.approve(actor=deputy, request_id=request.pk, comment="代李娜审批")

        row = request.steps.get().approvers.get()
        assert (row.user, row.acted_by, row.decision) == (manager, deputy, Decision.APPROVED)
        given = audit_event(request.order, "approval_given")
        assert given.actor == deputy
        assert [given.after[k] for k in ("approver", "acted_by")] == ["李娜", "周芳"]
        assert SalesOrder.objects.get(pk=request.order_id).status == Status.CONFIRMED

    def test_a_delegation_counts_through_its_last_day(self, manager, deputy, waiting, clock):
        delegate(manager, to=deputy, days=3)
        clock.move(3)
        flow.approve(actor=deputy, request_id=waiting.pk, comment="最后一天")

    def test_an_expired_delegation_gives_no_right(self, manager, deputy, waiting, clock):
        delegate(manager, to=deputy, days=3)
        clock.move(4)
        with pytest.raises(NotFound):
            flow.approve(actor=deputy, request_id=waiting.pk)

    def test_a_cancelled_delegation_gives_no_right(self, manager, deputy, waiting):
        given = delegate(manager, to=deputy)
        services.cancel_delegation(actor=manager, delegation_id=given.pk)
        with pytest.raises(NotFound):
            flow.approve(actor=deputy, request_id=waiting.pk)
        assert audit_event(Delegation.objects.get(pk=given.pk), "revoked").actor == manager

    def test_a_delegation_starting_tomorrow_gives_no_right_today(self, manager, deputy, waiting, clock):
        delegate(manager, to=deputy, starts_in=1)
        with pytest.raises(NotFound):
            flow.approve(actor=deputy, request_id=waiting.pk)
        clock.move(1)
        flow.approve(actor=deputy, request_id=waiting.pk)

    def test_only_someone_one_stands_in_for_can_be_named(self, manager, manager2, deputy, rules, seller, customer,
                                                         workstation):
        delegate(manager, to=deputy)
        request = pending_request(submitted(seller, make_order(seller, customer, lines=[(workstation, 10)])))
        with pytest.raises(ValidationFailed) as refused:
            flow.approve(actor=deputy, request_id=request.pk, on_behalf_of=manager2.pk)
        assert list(refused.value.fields) == ["on_behalf_of"]

    def test_a_manager_standing_in_for_a_colleague_may_decide_for_him_by_name(
            self, manager, manager2, rules, seller, customer, workstation):
        delegate(manager2, to=manager)
        request = pending_request(submitted(seller, make_order(seller, customer, lines=[(workstation, 10)])))
        flow.approve(actor=manager, request_id=request.pk, on_behalf_of=manager2.pk)
        rows = {r.user: (r.decision, r.acted_by) for r in request.steps.get().approvers.all()}
        assert rows == {manager: (Decision.SKIPPED, None), manager2: (Decision.APPROVED, manager)}

    def test_the_orders_own_salesperson_cannot_approve_as_a_delegate(self, manager, seller, rules, customer,
                                                                     workstation):
        delegate(manager, to=seller)
        request = pending_request(submitted(seller, make_order(seller, customer, lines=[(workstation, 10)])))
        with pytest.raises(Forbidden):
            flow.approve(actor=seller, request_id=request.pk)
