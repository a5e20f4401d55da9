"""Separation of duties beyond "not your own order": one person decides one level of a route, anyone
who ever wrote the order stays out, and the "waiting for your approval" notices go once decided."""

import pytest
from django.utils import translation

from kaidan.approvals import flow, selectors
from kaidan.core.errors import Forbidden
from kaidan.core.models import Notification
from kaidan.core.roles import Role
from kaidan.sales.states import Status
from tests.approvals.factories import delegate, example_rules, pending_request, submitted
from tests.sales.factories import add_line, make_order


def _open_notices(user) -> int:
    return Notification.objects.filter(user=user, key="approval_needed", read_at__isnull=True).count()


def test_a_stand_in_for_the_first_level_cannot_also_give_the_second(admin, seller, manager, boss, make_user,
                                                                   customer, laptop):
    example_rules(admin)
    other_boss = make_user(Role.GENERAL_MANAGER)
    delegate(manager, to=boss)
    order = submitted(seller, make_order(seller, customer, lines=[(laptop, 40)]))  # ¥226,000: SM then GM
    request = pending_request(order)

    flow.approve(actor=boss, request_id=request.pk)  # for the sales manager, who is away
    with translation.override("en"), pytest.raises(Forbidden, match="step 1"):
        flow.approve(actor=boss, request_id=request.pk)
    assert selectors.inbox(boss) == [] and selectors.inbox_count(boss) == 0
    request = selectors.request_for_order(order)
    assert selectors.choices_for(boss, request) == []

    assert selectors.inbox_count(other_boss) == 1
    flow.approve(actor=other_boss, request_id=request.pk)
    order.refresh_from_db()
    assert order.status == Status.CONFIRMED


def test_a_manager_who_typed_the_discount_may_not_approve_it_after_the_salesperson_edits_again(
        admin, seller, manager, make_user, customer, laptop):
    example_rules(admin)
    second_manager = make_user(Role.SALES_MANAGER)
    order = make_order(seller, customer, lines=[(laptop, 1)])
    add_line(manager, order, laptop, 1, discount_percent="18")  # the manager gives the discount
    add_line(seller, order, laptop, 1)  # the salesperson is the last to edit
    order = submitted(seller, order)
    request = pending_request(order)
    assert manager.pk in request.excluded_user_ids

    with pytest.raises(Forbidden):
        flow.approve(actor=manager, request_id=request.pk)
    flow.approve(actor=second_manager, request_id=request.pk)
    order.refresh_from_db()
    assert order.status == Status.CONFIRMED


def test_waiting_notices_are_read_once_the_step_is_decided(admin, seller, manager, make_user, customer, laptop):
    example_rules(admin)
    colleague = make_user(Role.SALES_MANAGER)
    order = submitted(seller, make_order(seller, customer, lines=[(laptop, 15)]))  # ¥84,750: SM, any one
    assert _open_notices(manager) == 1 and _open_notices(colleague) == 1

    flow.approve(actor=colleague, request_id=pending_request(order).pk)

    assert _open_notices(manager) == 0 and _open_notices(colleague) == 0
