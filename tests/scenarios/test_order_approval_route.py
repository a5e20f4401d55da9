"""Scenario: an order that needs the sales manager's approval — for its total and for a discount —
is rejected with a comment, corrected by the salesperson and approved; at each step the manager's
inbox, the order's route and everyone's notifications say what is going on.

Read top to bottom: it is how the sales team explains approvals to a new salesperson."""

from decimal import Decimal as D

import pytest
from django.utils import translation

from kaidan.approvals import flow, selectors
from kaidan.approvals import services as approval_services
from kaidan.core import notifications
from kaidan.core.models import Notification
from kaidan.core.roles import Role
from kaidan.pricing import services as pricing_services
from kaidan.sales import services as sales_services
from kaidan.sales import transitions
from kaidan.sales.models import SalesOrder
from tests.catalog.factories import make_product
from tests.inventory.factories import default_warehouse, in_stock, stock_of
from tests.parties.factories import make_customer

pytestmark = pytest.mark.django_db


def inbox_of(user) -> list[tuple[str, list[str]]]:
    """What the user's inbox lists: the order number and the reasons, in English."""
    with translation.override("en"):
        return [(item.order.number, item.reasons) for item in selectors.inbox(user)]


def messages_of(user) -> list[str]:
    """The user's notifications as they read them, oldest first."""
    with translation.override("en"):
        return [notifications.text_of(n) for n in Notification.objects.filter(user=user).order_by("created_at", "pk")]


def route_of(order, actor) -> dict:
    with translation.override("en"):
        return selectors.route_view(selectors.request_for_order(order), actor)


def test_an_order_rejected_for_its_discount_is_corrected_and_approved(make_user):
    admin = make_user(Role.ADMIN)
    wang = make_user(Role.SALES, first_name="伟", last_name="王")
    li = make_user(Role.SALES_MANAGER, first_name="娜", last_name="李")
    chen = make_user(Role.GENERAL_MANAGER, first_name="总", last_name="陈")
    warehouse = default_warehouse()
    workstation = in_stock(make_product(name="图形工作站", list_price=D("8200.00")), warehouse, 50)
    monitor = in_stock(make_product(name="显示器", list_price=D("2500.00")), warehouse, 50)
    customer = make_customer(wang, name="深圳恒达电子有限公司")

    # Given the administrator's rules: ¥50,000–200,000 and discounts above 10% go to a sales manager,
    # from ¥200,000 also to the general manager; salespeople may give up to 20% off
    approval_services.create_rule(actor=admin, data={
        "name": "¥5万–20万", "kind": "amount", "min_amount": "50000", "max_amount": "200000",
        "steps": [{"role": "sales_manager", "mode": "any"}]})
    approval_services.create_rule(actor=admin, data={
        "name": "¥20万以上", "kind": "amount", "min_amount": "200000",
        "steps": [{"role": "sales_manager"}, {"role": "general_manager"}]})
    approval_services.create_rule(actor=admin, data={
        "name": "折扣超过10%", "kind": "discount", "percent": "10", "steps": [{"role": "sales_manager"}]})
    pricing_services.set_discount_limit(actor=admin, role="sales", max_percent="20")

    # When 王伟 submits 8 workstations and 8 monitors at 18% off: 65,600 + 16,400 = ¥82,000
    order = sales_services.create_document(actor=wang, data={"customer_id": customer.pk}, lines=[
        {"product_id": workstation.pk, "quantity": "8"},
        {"product_id": monitor.pk, "quantity": "8", "discount_percent": "18"}])
    assert order.gross_amount == D("82000.00")
    transitions.submit_order(actor=wang, order_id=order.pk, version=order.version)

    # Then it waits for the sales manager — once, for both reasons — and nothing is reserved yet
    order.refresh_from_db()
    assert order.status == "pending_approval"
    both = ["Order total ¥82,000.00 is between ¥50,000.00 and ¥200,000.00", "Discount 18% on line 2 exceeds 10%"]
    assert inbox_of(li) == [(order.number, both)]
    assert inbox_of(wang) == [] and inbox_of(chen) == []
    assert messages_of(li) == [f"{order.number} (深圳恒达电子有限公司) is waiting for your approval."]
    route = route_of(order, wang)
    assert [(s["who"], s["status_label"], s["reasons"]) for s in route["steps"]] == [
        ("Sales manager", "Its turn", both)]
    assert route["can_decide"] == []  # 王伟 cannot approve his own order
    assert route_of(order, li)["can_decide"] == [{"user_id": li.pk, "name": "李娜", "is_self": True}]
    assert stock_of(workstation) == (50, 0) and stock_of(monitor) == (50, 0)

    # When 李娜 rejects it: the monitors may go at 8% off at most
    request = selectors.request_for_order(order)
    flow.reject(actor=li, request_id=request.pk, comment="显示器折扣最多 8%，请重新报价")

    # Then the order is a draft again, 王伟 reads why, and 李娜's inbox is empty
    order.refresh_from_db()
    assert order.status == "draft"
    assert messages_of(wang) == [f"{order.number} was rejected by 李娜: 显示器折扣最多 8%，请重新报价"]
    assert notifications.unread_count(wang) == 1
    route = route_of(order, wang)
    assert (route["status_label"], route["comment"]) == ("Rejected", "显示器折扣最多 8%，请重新报价")
    assert route["steps"][0]["approvers"][0]["comment"] == "显示器折扣最多 8%，请重新报价"
    assert inbox_of(li) == []

    # When 王伟 lowers the discount to 8% (the total becomes ¥84,000) and submits again
    notifications.mark_read(wang)
    monitors = order.lines.get(product=monitor)
    sales_services.save_line(actor=wang, order_id=order.pk, version=order.version, line_id=monitors.pk,
                             data={"discount_percent": "8"})
    order.refresh_from_db()
    assert order.gross_amount == D("84000.00")
    transitions.submit_order(actor=wang, order_id=order.pk, version=order.version)

    # Then it waits for 李娜 again, for its total only: the discount is within bounds now
    assert inbox_of(li) == [(order.number, ["Order total ¥84,000.00 is between ¥50,000.00 and ¥200,000.00"])]
    assert len(messages_of(li)) == 2

    # When 李娜 approves
    flow.approve(actor=li, request_id=selectors.request_for_order(order).pk, comment="同意")

    # Then the order is confirmed, its stock reserved, and 王伟 is told
    order = SalesOrder.objects.get(pk=order.pk)
    assert order.status == "confirmed"
    assert stock_of(workstation) == (50, 8) and stock_of(monitor) == (50, 8)
    assert messages_of(wang)[-1] == f"{order.number} was approved by 李娜 and is confirmed."
    assert notifications.unread_count(wang) == 1
    assert inbox_of(li) == [] and inbox_of(chen) == []
    # and the order keeps both rounds: rejected, then approved
    assert [r.status for r in selectors.requests_of(order).order_by("pk")] == ["rejected", "approved"]
