"""Approval decisions under real concurrency on PostgreSQL: every decision locks the order first, so
two people acting on one request at once are served one after the other. Whatever the interleaving:
a one-of (或签) step is decided once and the second approver hears 409 "already decided"; the order
is confirmed and its stock reserved exactly once; an all-of (会签) step counts both approvers and
confirms once; an approval racing a revision ends either confirmed-then-revised or withdrawn —
never an approval standing for the revised draft; orders of a customer blocked above its credit
limit, submitted or approved at once, take the credit one after the other (the customer row is
locked after the order) and never together exceed it. Orders are prepared in the main thread."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from kaidan.approvals import flow
from kaidan.approvals.flow import AlreadyDecided, CreditLimitExceeded
from kaidan.approvals.models import ApprovalRequest, StepApprover
from kaidan.approvals.states import Decision, RequestStatus
from kaidan.core.models import AuditEvent
from kaidan.core.roles import Role
from kaidan.inventory.models import Reservation
from kaidan.sales import transitions
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import Status
from tests.approvals.factories import make_rule, pending_request, set_credit
from tests.catalog.factories import make_product
from tests.concurrency.test_reservations import assert_stock_consistent, run_at_once, split, unexpected
from tests.inventory.factories import default_warehouse, receive_stock, stock_of
from tests.parties.factories import make_customer
from tests.sales.factories import make_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ORDERS = 10


@pytest.fixture
def people(make_user):
    default_warehouse()
    return {"admin": make_user(Role.ADMIN), "seller": make_user(Role.SALES),
            "managers": [make_user(Role.SALES_MANAGER), make_user(Role.SALES_MANAGER)]}


@pytest.fixture
def server():
    """¥41,000 a piece: two make an ¥82,000 order that needs a sales manager."""
    product = make_product(name="并发审批服务器", list_price=D("41000.00"))
    receive_stock(product, 100)
    return product


def waiting_orders(people, product, count: int = ORDERS) -> list[ApprovalRequest]:
    seller = people["seller"]
    customer = make_customer(seller)
    requests = []
    for _ in range(count):
        order = make_order(seller, customer, lines=[(product, 2)])
        transitions.submit_order(actor=seller, order_id=order.pk)
        requests.append(pending_request(order))
    assert all(requests)
    return requests


def approving(actor, request: ApprovalRequest):
    return lambda: flow.approve(actor=actor, request_id=request.pk, comment="同意")


def count(order: SalesOrder, action: str) -> int:
    return AuditEvent.objects.filter(object_type="sales.salesorder", object_id=str(order.pk), action=action).count()


def test_two_managers_approving_one_of_step_at_once_decide_it_once(people, server):
    make_rule(people["admin"], "¥5万以上", "amount", min_amount="50000", steps=[(Role.SALES_MANAGER, "any")])
    requests = waiting_orders(people, server)
    first, second = people["managers"]

    # every manager on every order at once: 20 threads
    outcomes = run_at_once([work for r in requests for work in (approving(first, r), approving(second, r))])

    done, failed = split(outcomes)
    assert unexpected(failed, AlreadyDecided) == []
    assert len(done) == ORDERS and len(failed) == ORDERS
    assert all(exc.status == 409 and exc.code == "already_decided" for exc in failed)
    for pair in zip(outcomes[::2], outcomes[1::2], strict=True):
        assert sorted(isinstance(o, AlreadyDecided) for o in pair) == [False, True]  # one each order
    for request in requests:
        order = SalesOrder.objects.get(pk=request.order_id)
        assert order.status == Status.CONFIRMED
        assert (count(order, "approval_given"), count(order, "approval_approved"), count(order, "confirmed")) == (
            1, 1, 1)
        decisions = sorted(StepApprover.objects.filter(step__request=request).values_list("decision", flat=True))
        assert decisions == [Decision.APPROVED, Decision.SKIPPED]
        assert Reservation.objects.filter(order_id=order.pk).count() == 1
    assert stock_of(server) == (100, 2 * ORDERS)
    assert_stock_consistent(server)


def test_an_approval_racing_a_revision_never_leaves_an_approval_on_the_draft(people, server):
    make_rule(people["admin"], "¥5万以上", "amount", min_amount="50000", steps=[(Role.SALES_MANAGER, "any")])
    requests = waiting_orders(people, server)
    manager, seller = people["managers"][0], people["seller"]
    revisions = {r.order_id: SalesOrder.objects.get(pk=r.order_id).revision for r in requests}

    works = []
    for request in requests:
        works += [approving(manager, request),
                  lambda r=request: transitions.revise_document(actor=seller, order_id=r.order_id, reason="客户改单")]
    outcomes = run_at_once(works)

    approvals, revisions_done = outcomes[::2], outcomes[1::2]
    assert all(isinstance(o, SalesOrder) for o in revisions_done), revisions_done  # a revision always goes through
    assert unexpected([o for o in approvals if isinstance(o, BaseException)], AlreadyDecided) == []
    for request, approval in zip(requests, approvals, strict=True):
        order = SalesOrder.objects.get(pk=request.order_id)
        request.refresh_from_db()
        assert order.status == Status.DRAFT and order.revision == revisions[order.pk] + 1
        assert not ApprovalRequest.objects.filter(order=order, status=RequestStatus.PENDING).exists()
        assert not ApprovalRequest.objects.filter(order=order, revision=order.revision).exists()
        trail = list(AuditEvent.objects.filter(object_type="sales.salesorder", object_id=str(order.pk))
                     .order_by("at", "pk").values_list("action", flat=True))
        if isinstance(approval, AlreadyDecided):  # the revision came first
            assert request.status == RequestStatus.WITHDRAWN and "confirmed" not in trail
        else:  # the approval came first: confirmed, then revised
            assert request.status == RequestStatus.APPROVED
            assert trail.index("confirmed") < trail.index("revised")
    assert_stock_consistent(server)
    # Which came first is up to the scheduler (about half each way on a 2-core VM); both outcomes
    # are legal and each is checked above.


def test_two_members_of_an_all_of_step_approving_at_once_both_count_and_confirm_once(people, server):
    make_rule(people["admin"], "会签", "amount", min_amount="50000", steps=[(Role.SALES_MANAGER, "all")])
    requests = waiting_orders(people, server)
    first, second = people["managers"]

    outcomes = run_at_once([work for r in requests for work in (approving(first, r), approving(second, r))])

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    for request in requests:
        order = SalesOrder.objects.get(pk=request.order_id)
        assert order.status == Status.CONFIRMED
        assert (count(order, "approval_given"), count(order, "approval_approved"), count(order, "confirmed")) == (
            2, 1, 1)
        rows = StepApprover.objects.filter(step__request=request)
        assert sorted(rows.values_list("decision", "acted_by_id")) == sorted(
            [(Decision.APPROVED, first.pk), (Decision.APPROVED, second.pk)])
        assert Reservation.objects.filter(order_id=order.pk).count() == 1
    assert stock_of(server) == (100, 2 * ORDERS)
    assert_stock_consistent(server)


@pytest.fixture
def blocked_above_100000(people):
    """A customer with a ¥100,000 limit under block control."""
    customer = make_customer(people["seller"])
    return set_credit(people["managers"][0], customer, "100000", control="block")


def test_orders_of_a_customer_blocked_above_its_limit_submitted_at_once_stay_within_it(people,
                                                                                       blocked_above_100000):
    laptop = make_product(name="并发信用笔记本", list_price=D("5650.00"))
    receive_stock(laptop, 1000)
    seller = people["seller"]
    orders = [make_order(seller, blocked_above_100000, lines=[(laptop, 8)]) for _ in range(8)]  # ¥45,200 each

    outcomes = run_at_once([lambda o=o: transitions.submit_order(actor=seller, order_id=o.pk) for o in orders])

    done, failed = split(outcomes)
    assert unexpected(failed, CreditLimitExceeded) == []
    assert len(done) == 2 and len(failed) == 6  # 2 × 45,200 = 90,400; a third would be 135,600
    assert all(exc.code == "credit_limit_exceeded" for exc in failed)
    assert SalesOrder.objects.filter(customer=blocked_above_100000, status=Status.CONFIRMED).count() == 2
    assert stock_of(laptop) == (1000, 16)
    assert_stock_consistent(laptop)


def test_last_approvals_of_a_customer_blocked_above_its_limit_at_once_confirm_one(people, server,
                                                                                  blocked_above_100000):
    make_rule(people["admin"], "¥5万以上", "amount", min_amount="50000", steps=[(Role.SALES_MANAGER, "any")])
    seller, (first, second) = people["seller"], people["managers"]
    for _round in range(4):
        # two ¥82,000 orders waiting: each within the limit alone, not together
        pair = []
        for _ in range(2):
            order = make_order(seller, blocked_above_100000, lines=[(server, 2)])
            transitions.submit_order(actor=seller, order_id=order.pk)
            pair.append(pending_request(order))

        outcomes = run_at_once([approving(first, pair[0]), approving(second, pair[1])])

        done, failed = split(outcomes)
        assert len(done) == 1 and [type(e) for e in failed] == [CreditLimitExceeded], failed
        refused = pair[outcomes.index(failed[0])]
        assert pending_request(refused.order) == refused  # still waiting; the decision rolled back
        assert not StepApprover.objects.filter(step__request=refused).exclude(decision=Decision.OPEN).exists()
        transitions.cancel_document(actor=seller, order_id=done[0].order_id)  # frees the credit for the next round
        transitions.cancel_document(actor=seller, order_id=refused.order_id)
    assert_stock_consistent(server)
