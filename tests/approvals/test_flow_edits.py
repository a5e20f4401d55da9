"""After an order was submitted: revising it (before or after approval), copying and cancelling it,
rules changing while it waits, and stock running short before the last approval."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from kaidan.approvals import flow, services
from kaidan.approvals.flow import AlreadyDecided
from kaidan.approvals.models import ApprovalRequest
from kaidan.approvals.states import Decision, RequestStatus, StepStatus
from kaidan.core import audit
from kaidan.core.errors import Forbidden
from kaidan.inventory.models import ReplenishmentRequest
from kaidan.inventory.reservations import InsufficientStock
from kaidan.sales import services as sales_services
from kaidan.sales import transitions
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import Status
from tests.approvals.factories import (
    actions_of,
    audit_event,
    decisions,
    notes_of,
    pending_request,
    route_of,
    submitted,
)
from tests.catalog.factories import make_product
from tests.inventory.factories import in_stock, receive_stock, stock_of
from tests.sales.factories import make_order

pytestmark = pytest.mark.django_db


# -- editing after approval --------------------------------------------------------------------------------------

class TestEditingAfterApproval:
    def test_revising_after_the_first_step_withdraws_and_resubmitting_starts_over(
            self, rules, seller, manager, boss, customer, laptop):
        order = submitted(seller, make_order(seller, customer, lines=[(laptop, 40)]))
        first = pending_request(order)
        flow.approve(actor=manager, request_id=first.pk)

        transitions.revise_document(actor=seller, order_id=order.pk, reason="客户加单")
        first.refresh_from_db()
        assert first.status == RequestStatus.WITHDRAWN
        assert route_of(first) == [("sales_manager", StepStatus.APPROVED, ["amount"]),
                                   ("general_manager", StepStatus.WITHDRAWN, ["amount"])]
        with pytest.raises(AlreadyDecided):
            flow.approve(actor=boss, request_id=first.pk)

        order.refresh_from_db()
        sales_services.save_line(actor=seller, order_id=order.pk, version=order.version,
                                 line_id=order.lines.get().pk, data={"quantity": "45"})
        order = submitted(seller, order)

        second = pending_request(order)
        assert second.pk != first.pk and second.revision == first.revision + 1
        assert route_of(second)[0] == ("sales_manager", StepStatus.PENDING, ["amount"])
        assert {d[2] for d in decisions(second)} == {Decision.OPEN}  # the old approval is not reused
        with pytest.raises(Forbidden):
            flow.approve(actor=boss, request_id=second.pk)
        assert "approval_withdrawn" in actions_of(order)

    def test_a_confirmed_order_revised_needs_approval_again(self, rules, seller, manager, customer, workstation):
        order = submitted(seller, make_order(seller, customer, lines=[(workstation, 10)]))
        flow.approve(actor=manager, request_id=pending_request(order).pk)
        assert SalesOrder.objects.get(pk=order.pk).status == Status.CONFIRMED

        transitions.revise_document(actor=seller, order_id=order.pk)
        order = submitted(seller, order)

        assert order.status == Status.PENDING_APPROVAL
        statuses = list(ApprovalRequest.objects.filter(order=order).order_by("pk").values_list("status", flat=True))
        assert statuses == [RequestStatus.APPROVED, RequestStatus.PENDING]

    def test_a_copy_of_an_approved_order_is_a_draft_without_a_request(self, rules, seller, manager, customer,
                                                                      workstation):
        order = submitted(seller, make_order(seller, customer, lines=[(workstation, 10)]))
        flow.approve(actor=manager, request_id=pending_request(order).pk)

        copy = transitions.copy_document(actor=seller, order_id=order.pk)

        assert copy.status == Status.DRAFT and not ApprovalRequest.objects.filter(order=copy).exists()
        assert submitted(seller, copy).status == Status.PENDING_APPROVAL  # and it is approved on its own

    def test_cancelling_a_waiting_order_withdraws_its_request(self, rules, seller, manager, customer, workstation):
        order = submitted(seller, make_order(seller, customer, lines=[(workstation, 10)]))
        request = pending_request(order)

        transitions.cancel_document(actor=seller, order_id=order.pk, reason="客户取消")

        request.refresh_from_db()
        assert request.status == RequestStatus.WITHDRAWN
        assert audit_event(order, "approval_withdrawn").after == {"request": request.pk,
                                                                  "why": audit.action_label("cancelled")}
        with pytest.raises(AlreadyDecided):
            flow.approve(actor=manager, request_id=request.pk)
        assert SalesOrder.objects.get(pk=order.pk).status == Status.CANCELLED

    def test_rule_changes_after_submission_do_not_move_a_waiting_request(self, admin, rules, seller, manager, boss,
                                                                         customer, laptop):
        order = submitted(seller, make_order(seller, customer, lines=[(laptop, 40)]))
        request = pending_request(order)
        big = rules[1]
        services.update_rule(actor=admin, rule_id=big.pk, version=big.version, data={
            "name": big.name, "kind": "amount", "min_amount": "200000", "steps": [{"role": "finance"}]})
        services.delete_rule(actor=admin, rule_id=rules[0].pk)

        assert route_of(request) == [("sales_manager", StepStatus.PENDING, ["amount"]),
                                     ("general_manager", StepStatus.WAITING, ["amount"])]
        flow.approve(actor=manager, request_id=request.pk)
        flow.approve(actor=boss, request_id=request.pk)
        assert SalesOrder.objects.get(pk=order.pk).status == Status.CONFIRMED


# -- stock at the last approval ----------------------------------------------------------------------------------

class TestStockAtTheLastApproval:
    def test_the_last_approval_without_stock_is_refused_and_leaves_the_request_waiting(
            self, rules, seller, manager, customer, warehouse):
        scarce = in_stock(make_product(name="服务器", list_price=D("41000.00")), warehouse, 1)
        order = make_order(seller, customer, lines=[(scarce, 2)])  # ¥82,000, one on the shelf
        request = pending_request(submitted(seller, order))

        with pytest.raises(InsufficientStock) as refused:
            flow.approve(actor=manager, request_id=request.pk, comment="同意")

        assert refused.value.status == 409 and refused.value.code == "insufficient_stock"
        request.refresh_from_db()
        assert request.status == RequestStatus.PENDING and request.steps.get().status == StepStatus.PENDING
        assert decisions(request)[0][2] == Decision.OPEN
        assert SalesOrder.objects.get(pk=order.pk).status == Status.PENDING_APPROVAL
        assert stock_of(scarce) == (1, 0)
        assert "approval_given" not in actions_of(order) and not notes_of(seller)
        # purchasing was asked for the missing one, in a transaction of its own
        assert ReplenishmentRequest.objects.filter(product=scarce).exists()

        receive_stock(scarce, 1)
        flow.approve(actor=manager, request_id=request.pk, comment="同意")
        assert SalesOrder.objects.get(pk=order.pk).status == Status.CONFIRMED
        assert stock_of(scarce) == (2, 2)


