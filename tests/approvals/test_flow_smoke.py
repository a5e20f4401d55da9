"""The example route end to end in services (a first check; the full suite is in the other files)."""

from kaidan.approvals import flow
from kaidan.approvals.states import RequestStatus
from kaidan.sales import transitions
from kaidan.sales.states import Status
from tests.approvals.factories import example_rules, pending_request
from tests.sales.factories import make_order


def test_big_order_goes_to_manager_then_boss_and_confirms(admin, seller, manager, boss, customer, laptop):
    example_rules(admin)
    order = make_order(seller, customer, lines=[(laptop, 40)])  # 40 × 5,650 = 226,000
    order = transitions.submit_order(actor=seller, order_id=order.pk)
    assert order.status == Status.PENDING_APPROVAL
    request = pending_request(order)
    assert [s.role for s in request.steps.all()] == ["sales_manager", "general_manager"]
    flow.approve(actor=manager, request_id=request.pk, comment="ok")
    order.refresh_from_db()
    assert order.status == Status.PENDING_APPROVAL
    flow.approve(actor=boss, request_id=request.pk)
    order.refresh_from_db()
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert order.status == Status.CONFIRMED


def test_small_order_confirms_at_once(admin, seller, customer, laptop):
    example_rules(admin)
    order = make_order(seller, customer, lines=[(laptop, 2)])
    order = transitions.submit_order(actor=seller, order_id=order.pk)
    assert order.status == Status.CONFIRMED
