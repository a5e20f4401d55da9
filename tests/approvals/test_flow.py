"""Submitting orders through the approval rules and deciding on them, in services: routes, one-of
(或签) and all-of (会签) steps, rejection, notifications, separation of duties and the audit trail.
Editing after approval and stock at the last approval are in test_flow_edits.py; credit and
delegation in test_flow_credit.py."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import translation

from kaidan.approvals import flow
from kaidan.approvals.flow import AlreadyDecided, NoApprover
from kaidan.approvals.models import ApprovalRequest, ApprovalStep
from kaidan.approvals.states import Decision, RequestStatus, StepStatus
from kaidan.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kaidan.core.models import AuditEvent, Notification
from kaidan.core.notifications import text_of
from kaidan.core.roles import Role
from kaidan.sales import services as sales_services
from kaidan.sales import transitions
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import Status
from tests.approvals.factories import (
    actions_of,
    audit_event,
    decisions,
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


# -- which orders wait, for whom ------------------------------------------------------------------------------

class TestSubmitting:
    def test_an_order_under_50000_is_confirmed_at_once_and_its_stock_reserved(self, rules, seller, customer, laptop):
        order = make_order(seller, customer, lines=[(laptop, 8)])  # ¥45,200
        order = submitted(seller, order)
        assert order.status == Status.CONFIRMED
        assert stock_of(laptop) == (1000, 8)
        assert not ApprovalRequest.objects.filter(order=order).exists()
        assert audit_event(order, "approval_evaluated").after["reasons"] == []

    def test_an_82000_order_waits_for_the_sales_manager_with_the_reason(self, rules, seller, manager, customer,
                                                                          workstation):
        order = make_order(seller, customer, lines=[(workstation, 10)])
        order = submitted(seller, order)

        assert order.status == Status.PENDING_APPROVAL and order.gross_amount == D("82000.00")
        assert stock_of(workstation) == (100, 0)  # nothing reserved while it waits
        request = pending_request(order)
        assert route_of(request) == [("sales_manager", StepStatus.PENDING, ["amount"])]
        assert in_english(request.reasons) == ["Order total ¥82,000.00 is between ¥50,000.00 and ¥200,000.00"]
        assert [r.user for r in request.steps.get().approvers.all()] == [manager]
        assert request.submitted_by == seller and request.revision == order.revision

    @pytest.mark.parametrize("boxes, route", [
        (49, []),
        (50, ["sales_manager"]),
        (199, ["sales_manager"]),
        (200, ["sales_manager", "general_manager"]),  # the "from ¥200,000" rule only: no sales manager twice
    ])
    def test_the_band_edges_on_real_orders(self, rules, seller, manager, boss, customer, cable, boxes, route):
        order = submitted(seller, make_order(seller, customer, lines=[(cable, boxes)]))
        request = pending_request(order)
        assert ([s.role for s in request.steps.all()] if request else []) == route
        assert order.status == (Status.PENDING_APPROVAL if route else Status.CONFIRMED)

    def test_from_200000_the_sales_manager_then_the_general_manager_approve_in_turn(
            self, rules, seller, manager, boss, customer, laptop):
        order = submitted(seller, make_order(seller, customer, lines=[(laptop, 40)]))  # ¥226,000
        request = pending_request(order)
        assert route_of(request) == [("sales_manager", StepStatus.PENDING, ["amount"]),
                                     ("general_manager", StepStatus.WAITING, ["amount"])]

        # the general manager cannot act before the sales manager
        with pytest.raises(Forbidden) as refused, translation.override("en"):
            flow.approve(actor=boss, request_id=request.pk)
        assert refused.value.status == 403 and "waits for someone else" in str(refused.value)

        flow.approve(actor=manager, request_id=request.pk, comment="客户信誉良好")
        assert route_of(request) == [("sales_manager", StepStatus.APPROVED, ["amount"]),
                                     ("general_manager", StepStatus.PENDING, ["amount"])]
        assert SalesOrder.objects.get(pk=order.pk).status == Status.PENDING_APPROVAL
        assert stock_of(laptop) == (1000, 0)

        flow.approve(actor=boss, request_id=request.pk)
        request.refresh_from_db()
        assert request.status == RequestStatus.APPROVED and request.decided_at is not None
        assert SalesOrder.objects.get(pk=order.pk).status == Status.CONFIRMED
        assert stock_of(laptop) == (1000, 40)

    def test_an_18_percent_discount_goes_to_the_sales_manager_for_the_discount(
            self, rules, discounts_up_to_20, seller, manager, customer, laptop):
        order = submitted(seller, make_order(seller, customer, lines=[(laptop, 1), (laptop, 2, "18")]))
        request = pending_request(order)
        assert route_of(request) == [("sales_manager", StepStatus.PENDING, ["discount"])]
        assert in_english(request.reasons) == ["Discount 18% on line 2 exceeds 10%"]

    def test_a_manual_price_below_the_list_counts_as_a_discount(self, rules, discounts_up_to_20, seller, manager,
                                                                customer, laptop):
        order = make_order(seller, customer, lines=[{"product_id": laptop.pk, "quantity": "1", "unit_price": "4800"}])
        request = pending_request(submitted(seller, order))
        assert in_english(request.reasons) == ["Discount 15.04% on line 1 exceeds 10%"]  # 1 − 4,800 / 5,650

    def test_a_discount_of_exactly_10_percent_needs_nobody(self, rules, seller, customer, laptop):
        order = submitted(seller, make_order(seller, customer, lines=[(laptop, 2, "10")]))
        assert order.status == Status.CONFIRMED

    def test_big_discounted_over_the_limit_merges_the_sales_manager_and_ends_with_finance(
            self, rules, discounts_up_to_20, seller, manager, boss, finance, customer, laptop):
        set_credit(manager, customer, "100000")
        order = submitted(seller, make_order(seller, customer, lines=[(laptop, 40), (laptop, 5, "18")]))
        request = pending_request(order)
        assert route_of(request) == [("sales_manager", StepStatus.PENDING, ["amount", "discount"]),
                                     ("general_manager", StepStatus.WAITING, ["amount"]),
                                     ("finance", StepStatus.WAITING, ["credit"])]
        assert request.steps.get(position=1).rule_names == ["¥20万以上", "折扣超过10%"]
        for approver in (manager, boss, finance):
            flow.approve(actor=approver, request_id=request.pk)
        assert SalesOrder.objects.get(pk=order.pk).status == Status.CONFIRMED

    def test_without_rules_every_order_is_confirmed_at_once(self, seller, customer, laptop):
        order = submitted(seller, make_order(seller, customer, lines=[(laptop, 100)]))
        assert order.status == Status.CONFIRMED

    def test_an_inactive_rule_is_not_applied(self, admin, seller, manager, customer, laptop):
        make_rule(admin, "everything", "amount", min_amount="0", steps=[(Role.SALES_MANAGER, "any")], active=False)
        assert submitted(seller, make_order(seller, customer, lines=[(laptop, 1)])).status == Status.CONFIRMED

    def test_confirm_order_on_an_order_waiting_for_approval_is_a_conflict(self, rules, seller, manager, customer,
                                                                        workstation):
        order = submitted(seller, make_order(seller, customer, lines=[(workstation, 10)]))
        with pytest.raises(Conflict) as refused:
            transitions.confirm_order(actor=seller, order_id=order.pk)
        assert refused.value.status == 409
        assert SalesOrder.objects.get(pk=order.pk).status == Status.PENDING_APPROVAL


# -- one of them (或签), all of them (会签), named people -------------------------------------------------------------

class TestModes:
    def test_one_of_two_managers_approves_and_the_other_is_no_longer_needed(self, rules, seller, manager, manager2,
                                                                          customer, workstation):
        request = pending_request(submitted(seller, make_order(seller, customer, lines=[(workstation, 10)])))
        assert {r.user for r in request.steps.get().approvers.all()} == {manager, manager2}

        flow.approve(actor=manager2, request_id=request.pk)

        assert decisions(request) == [(1, manager.username, Decision.SKIPPED, None),
                                      (1, manager2.username, Decision.APPROVED, manager2.username)]
        assert SalesOrder.objects.get(pk=request.order_id).status == Status.CONFIRMED
        with pytest.raises(AlreadyDecided) as late:
            flow.approve(actor=manager, request_id=request.pk)
        assert late.value.status == 409 and late.value.code == "already_decided"

    def test_all_of_them_needs_every_member_and_confirms_after_the_last(self, admin, seller, manager, manager2,
                                                                        customer, workstation):
        make_rule(admin, "会签", "amount", min_amount="50000", steps=[(Role.SALES_MANAGER, "all")])
        order = submitted(seller, make_order(seller, customer, lines=[(workstation, 10)]))
        request = pending_request(order)

        flow.approve(actor=manager, request_id=request.pk)
        assert SalesOrder.objects.get(pk=order.pk).status == Status.PENDING_APPROVAL
        assert request.steps.get().status == StepStatus.PENDING
        with pytest.raises(AlreadyDecided):
            flow.approve(actor=manager, request_id=request.pk)  # once is enough for him

        flow.approve(actor=manager2, request_id=request.pk)
        assert SalesOrder.objects.get(pk=order.pk).status == Status.CONFIRMED
        assert [d[2] for d in decisions(request)] == [Decision.APPROVED, Decision.APPROVED]
        assert actions_of(order).count("approval_given") == 2

    def test_a_step_naming_people_asks_only_them(self, admin, seller, manager, boss, finance, customer, workstation):
        make_rule(admin, "陈总或刘", "amount", min_amount="50000", steps=[([boss, finance], "any")])
        request = pending_request(submitted(seller, make_order(seller, customer, lines=[(workstation, 10)])))
        assert request.steps.get().role == ""
        assert {r.user for r in request.steps.get().approvers.all()} == {boss, finance}
        with pytest.raises(NotFound):
            flow.approve(actor=manager, request_id=request.pk)  # not asked: the request does not exist for him
        flow.approve(actor=finance, request_id=request.pk)
        assert SalesOrder.objects.get(pk=request.order_id).status == Status.CONFIRMED

    def test_an_unknown_request_is_not_found(self, manager):
        with pytest.raises(NotFound):
            flow.approve(actor=manager, request_id=987654)


# -- rejecting ---------------------------------------------------------------------------------------------------

class TestRejecting:
    def test_a_rejection_returns_the_order_to_draft_with_the_comment_and_tells_the_salesperson(
            self, rules, seller, manager, boss, customer, laptop):
        order = submitted(seller, make_order(seller, customer, lines=[(laptop, 40)]))
        request = pending_request(order)

        flow.reject(actor=manager, request_id=request.pk, comment="折扣太大，请与客户重新谈价")

        order.refresh_from_db()
        request.refresh_from_db()
        assert order.status == Status.DRAFT and order.submitted_at is None
        assert request.status == RequestStatus.REJECTED and request.comment == "折扣太大，请与客户重新谈价"
        assert route_of(request) == [("sales_manager", StepStatus.REJECTED, ["amount"]),
                                     ("general_manager", StepStatus.WITHDRAWN, ["amount"])]
        [(key, params)] = [n for n in notes_of(seller) if n[0] != "approval_needed"]
        assert key == "approval_rejected" and params["comment"] == "折扣太大，请与客户重新谈价"
        note = Notification.objects.get(user=seller, key="approval_rejected")
        with translation.override("en"):
            assert text_of(note) == f"{order.number} was rejected by 李娜: 折扣太大，请与客户重新谈价"
        assert notes_of(boss) == []  # his step never came
        assert stock_of(laptop) == (1000, 0)
        with pytest.raises(AlreadyDecided):
            flow.approve(actor=manager, request_id=request.pk)

    @pytest.mark.parametrize("comment", ["", "   ", "x" * 501, "bad\x00"])
    def test_a_rejection_needs_a_plain_comment(self, rules, seller, manager, customer, workstation, comment):
        request = pending_request(submitted(seller, make_order(seller, customer, lines=[(workstation, 10)])))
        with pytest.raises(ValidationFailed) as refused:
            flow.reject(actor=manager, request_id=request.pk, comment=comment)
        assert list(refused.value.fields) == ["comment"]
        assert pending_request(request.order) == request

    def test_the_salesperson_revises_and_resubmits_a_rejected_order(self, rules, seller, manager, customer,
                                                                   workstation):
        order = submitted(seller, make_order(seller, customer, lines=[(workstation, 10)]))
        first = pending_request(order)
        flow.reject(actor=manager, request_id=first.pk, comment="数量太多")
        order.refresh_from_db()
        line = order.lines.get()
        sales_services.save_line(actor=seller, order_id=order.pk, version=order.version, line_id=line.pk,
                                 data={"quantity": "7"})  # ¥57,400

        order = submitted(seller, order)

        second = pending_request(order)
        assert second != first and in_english(second.reasons) == [
            "Order total ¥57,400.00 is between ¥50,000.00 and ¥200,000.00"]
        flow.approve(actor=manager, request_id=second.pk)
        assert SalesOrder.objects.get(pk=order.pk).status == Status.CONFIRMED


# -- who is told -------------------------------------------------------------------------------------------------

class TestNotifications:
    def test_each_step_is_told_when_its_turn_comes_and_the_salesperson_at_the_end(
            self, rules, seller, manager, manager2, boss, customer, laptop):
        order = submitted(seller, make_order(seller, customer, lines=[(laptop, 40)]))
        request = pending_request(order)
        expected_params = {"number": order.number, "customer": "深圳恒达电子有限公司"}
        assert notes_of(manager) == notes_of(manager2) == [("approval_needed", expected_params)]
        assert notes_of(boss) == [] and notes_of(seller) == []

        flow.approve(actor=manager, request_id=request.pk)
        assert notes_of(boss) == [("approval_needed", expected_params)]
        assert notes_of(seller) == []  # not yet: one step is still open

        flow.approve(actor=boss, request_id=request.pk, comment="同意")
        [(key, params)] = notes_of(seller)
        assert key == "approval_approved" and params["by"] == "陈总"
        with translation.override("en"):
            assert text_of(Notification.objects.get(user=seller)) == (
                f"{order.number} was approved by 陈总 and is confirmed.")
            assert text_of(Notification.objects.get(user=boss)) == (
                f"{order.number} (深圳恒达电子有限公司) is waiting for your approval.")
        assert all(n.url.endswith(f"/{order.pk}/") or str(order.pk) in n.url
                   for n in Notification.objects.filter(user__in=[seller, boss]))


# -- separation of duties ----------------------------------------------------------------------------------------

class TestSeparationOfDuties:
    def test_a_sales_manager_who_created_the_order_cannot_approve_it(self, rules, manager, manager2, customer,
                                                                     workstation):
        order = submitted(manager, make_order(manager, customer, lines=[(workstation, 10)]))
        request = pending_request(order)
        assert [r.user for r in request.steps.get().approvers.all()] == [manager2]  # he is not even asked
        with pytest.raises(Forbidden) as refused, translation.override("en"):
            flow.approve(actor=manager, request_id=request.pk)
        assert refused.value.status == 403 and "someone else must approve" in str(refused.value)
        with pytest.raises(Forbidden):
            flow.reject(actor=manager, request_id=request.pk, comment="我自己不批")
        flow.approve(actor=manager2, request_id=request.pk)
        assert SalesOrder.objects.get(pk=order.pk).status == Status.CONFIRMED

    def test_the_last_editor_cannot_approve(self, rules, seller, manager, manager2, customer, workstation, monitor):
        order = make_order(seller, customer, lines=[(workstation, 10)])
        sales_services.save_line(actor=manager, order_id=order.pk, version=order.version,
                                 data={"product_id": monitor.pk, "quantity": "1"})  # the manager adds a line
        request = pending_request(submitted(seller, order))
        assert set(request.excluded_user_ids) == {seller.pk, manager.pk}
        with pytest.raises(Forbidden):
            flow.approve(actor=manager, request_id=request.pk)

    def test_the_submitter_cannot_approve(self, rules, seller, manager, manager2, customer, workstation):
        order = make_order(seller, customer, lines=[(workstation, 10)])
        request = pending_request(submitted(manager, order))  # the manager submits the seller's order
        with pytest.raises(Forbidden):
            flow.approve(actor=manager, request_id=request.pk)
        flow.approve(actor=manager2, request_id=request.pk)

    def test_the_salesperson_cannot_approve_his_own_order(self, rules, seller, manager, customer, workstation):
        request = pending_request(submitted(seller, make_order(seller, customer, lines=[(workstation, 10)])))
        with pytest.raises(Forbidden):
            flow.approve(actor=seller, request_id=request.pk)

    def test_when_nobody_else_may_approve_the_submit_is_refused_and_nothing_is_written(
            self, rules, manager, customer, workstation):
        order = make_order(manager, customer, lines=[(workstation, 10)])  # the only sales manager made it
        events_before = AuditEvent.objects.count()

        with pytest.raises(NoApprover) as refused, translation.override("en"):
            transitions.submit_order(actor=manager, order_id=order.pk, version=order.version)

        assert refused.value.status == 409 and refused.value.code == "no_approver"
        assert "step 1 (Sales manager)" in str(refused.value)
        stored = SalesOrder.objects.get(pk=order.pk)
        assert stored.status == Status.DRAFT and stored.version == order.version
        assert not ApprovalRequest.objects.exists() and not ApprovalStep.objects.exists()
        assert AuditEvent.objects.count() == events_before and not Notification.objects.exists()

    def test_a_named_approver_who_left_makes_the_step_unapprovable(self, admin, seller, boss, customer,
                                                                   workstation):
        make_rule(admin, "陈总", "amount", min_amount="50000", steps=[([boss], "any")])
        boss.is_active = False
        boss.save(update_fields=["is_active"])
        order = make_order(seller, customer, lines=[(workstation, 10)])
        with pytest.raises(NoApprover):
            transitions.submit_order(actor=seller, order_id=order.pk)
        assert SalesOrder.objects.get(pk=order.pk).status == Status.DRAFT

    def test_nobody_acts_twice_on_a_step_not_even_for_someone_he_stands_in_for(
            self, admin, seller, manager, manager2, customer, workstation):
        make_rule(admin, "会签", "amount", min_amount="50000", steps=[(Role.SALES_MANAGER, "all")])
        delegate(manager2, to=manager)  # 赵 is away; 李 stands in for him
        request = pending_request(submitted(seller, make_order(seller, customer, lines=[(workstation, 10)])))

        flow.approve(actor=manager, request_id=request.pk)  # for himself
        with pytest.raises(AlreadyDecided):
            flow.approve(actor=manager, request_id=request.pk, on_behalf_of=manager2.pk)
        with pytest.raises(AlreadyDecided):
            flow.approve(actor=manager, request_id=request.pk)
        assert decisions(request) == [(1, manager.username, Decision.APPROVED, manager.username),
                                      (1, manager2.username, Decision.OPEN, None)]
        assert SalesOrder.objects.get(pk=request.order_id).status == Status.PENDING_APPROVAL


# -- the audit trail ---------------------------------------------------------------------------------------------

class TestAuditTrail:
    def test_every_evaluation_and_decision_is_recorded(self, rules, seller, manager, boss, customer, laptop):
        order = submitted(seller, make_order(seller, customer, lines=[(laptop, 40)]))
        request = pending_request(order)
        flow.approve(actor=manager, request_id=request.pk, comment="客户信誉良好")
        flow.approve(actor=boss, request_id=request.pk)

        trail = actions_of(order)
        assert trail[trail.index("submitted"):] == [
            "submitted", "approval_evaluated", "approval_requested", "pending_approval",
            "approval_given", "approval_given", "approval_approved", "confirmed"]
        evaluated = audit_event(order, "approval_evaluated").after
        assert [r["code"] for r in evaluated["reasons"]] == ["amount"] and evaluated["reasons"][0]["text"]
        assert "facts" not in evaluated  # margins stay on the request, out of the history every viewer sees
        with translation.override("en"):
            assert in_english(evaluated["reasons"]) == ["Order total ¥226,000.00 is ¥200,000.00 or more"]
        assert len(evaluated["route"]) == 2 and all(isinstance(step, str) for step in evaluated["route"])
        given = AuditEvent.objects.filter(object_id=str(order.pk), action="approval_given").order_by("pk")
        assert [(e.actor, e.after["step"], e.after["comment"]) for e in given] == [
            (manager, 1, "客户信誉良好"), (boss, 2, "")]
        assert "acted_by" not in given[0].after and given[0].after["approver"] == "李娜"  # no stand-in

    def test_a_rejection_is_recorded_with_its_comment(self, rules, seller, manager, customer, workstation):
        order = submitted(seller, make_order(seller, customer, lines=[(workstation, 10)]))
        flow.reject(actor=manager, request_id=pending_request(order).pk, comment="价格太低")
        trail = actions_of(order)
        assert trail[-2:] == ["approval_rejected", "returned_to_draft"]
        assert audit_event(order, "approval_rejected").after["comment"] == "价格太低"
        # the approver's move back to draft does not make him the order's last editor
        assert SalesOrder.objects.get(pk=order.pk).last_edited_by == seller

    def test_an_order_that_needs_nobody_still_records_the_evaluation(self, rules, seller, customer, laptop):
        order = submitted(seller, make_order(seller, customer, lines=[(laptop, 1)]))
        assert actions_of(order)[-3:] == ["submitted", "approval_evaluated", "confirmed"]
