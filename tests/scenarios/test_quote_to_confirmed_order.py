"""Scenario: from a quotation to a confirmed order, with a group price list, a spend-and-save
promotion and a salesperson's discount — and the numbers the customer sees never move after
confirmation.

Read top to bottom: it is the story the sales team tells when they explain Kaidan's pricing."""

from decimal import Decimal as D

import pytest

from kaidan.core.roles import Role
from kaidan.parties.models import CustomerGroup
from kaidan.pricing.models import PriceList, PriceListItem, Promotion
from tests.catalog.factories import make_product
from tests.inventory.factories import make_warehouse, receive_stock, stock_of
from tests.parties.factories import add_shipping_address, make_customer

pytestmark = pytest.mark.django_db


def test_quotation_to_confirmed_order(api_for):
    seller = api_for(Role.SALES)
    # Given an A-grade customer group with its own price list, and a 满1000减100 promotion
    group_a = CustomerGroup.objects.create(code="grade-a", name="A 级客户")
    monitor = make_product(name="显示器 27 寸", list_price=D("1299.00"), standard_cost=D("900.00"))
    keyboard = make_product(name="机械键盘", list_price=D("399.00"), standard_cost=D("210.00"))
    grade_a = PriceList.objects.create(code="A", name="客户价目表 A 级", group=group_a)
    PriceListItem.objects.create(price_list=grade_a, product=monitor, min_quantity=0, price=D("1199.00"))
    PriceListItem.objects.create(price_list=grade_a, product=monitor, min_quantity=5, price=D("1150.00"))
    Promotion.objects.create(code="MJ1000", name="满1000减100", kind="order_threshold", threshold=D("1000"),
                             amount=D("100"))
    # and a warehouse with 20 monitors and 10 keyboards on the shelf
    warehouse = make_warehouse("WH-SZ", name="深圳总仓")
    receive_stock(monitor, 20, warehouse)
    receive_stock(keyboard, 10, warehouse)
    customer = make_customer(seller.user, name="苏州工业园区明德科技有限公司", group_id=group_a.pk)
    add_shipping_address(seller.user, customer, is_default=True)

    # When the salesperson quotes 4 monitors and 2 keyboards
    quotation = seller.post("/api/orders", {"kind": "quotation", "customer_id": customer.pk, "lines": [
        {"product_id": monitor.pk, "quantity": "4"}, {"product_id": keyboard.pk, "quantity": "2"}]}).json()
    # Then the monitors come from the A-grade list and the 满减 is shared across the lines
    monitors, keyboards = quotation["lines"]
    assert monitors["unit_price"] == "1199.0000" and monitors["price_source"] == "price_list"
    assert D(monitors["allocated_discount"]) + D(keyboards["allocated_discount"]) == D("100.00")
    assert quotation["gross_amount"] == str(4 * D("1199") + 2 * D("399") - 100) + ".00"
    assert any("客户价目表 A 级" in step["text"] for step in monitors["breakdown"])

    # When the customer asks for one more monitor, the quantity break to 1,150 applies
    change = seller.put(f"/api/orders/{quotation['id']}/lines/{monitors['id']}",
                        {"version": quotation["version"], "quantity": "5"}).json()
    assert change["lines"][0]["unit_price"] == "1150.0000"
    # and only the lines whose numbers changed come back
    assert {line["id"] for line in change["lines"]} <= {monitors["id"], keyboards["id"]}

    # When the quotation is sent and accepted, it converts into an order with the same numbers
    seller.post(f"/api/orders/{quotation['id']}/send")
    quoted = seller.get(f"/api/orders/{quotation['id']}").json()
    order = seller.post(f"/api/orders/{quotation['id']}/convert").json()
    assert order["quotation_id"] == quotation["id"]
    assert order["gross_amount"] == quoted["gross_amount"]

    # When the salesperson gives 5% on the keyboards (within the 10% limit) and submits
    keyboard_line = next(line for line in order["lines"] if line["product_id"] == keyboard.pk)
    seller.put(f"/api/orders/{order['id']}/lines/{keyboard_line['id']}",
               {"version": order["version"], "discount_percent": "5"})
    confirmed = seller.post(f"/api/orders/{order['id']}/submit").json()

    # Then it is confirmed at once (no approval rules yet), its stock is reserved in the warehouse,
    assert confirmed["status"] == "confirmed"
    assert stock_of(monitor, warehouse) == (D(20), D(5)) and stock_of(keyboard, warehouse) == (D(10), D(2))
    # and the totals hold together
    lines = confirmed["lines"]
    assert sum(D(line["gross_amount"]) for line in lines) == D(confirmed["gross_amount"])
    assert all(D(line["net_amount"]) + D(line["tax_amount"]) == D(line["gross_amount"]) for line in lines)
    assert sum(D(r["gross"]) for r in confirmed["totals_by_rate"]) == D(confirmed["gross_amount"])
    assert confirmed["amount_in_words"].endswith(("整", "分", "角"))

    # When prices change afterwards, the confirmed order keeps its numbers
    PriceListItem.objects.filter(price_list=grade_a).update(price=D("999.00"))
    again = seller.get(f"/api/orders/{order['id']}").json()
    assert again["gross_amount"] == confirmed["gross_amount"] and again["lines"] == lines

    # And a sales manager sees the margin that the salesperson does not
    manager = api_for(Role.SALES_MANAGER)
    seen = manager.get(f"/api/orders/{order['id']}").json()
    assert seen["margin"] is not None and confirmed["margin"] is None
    assert D(seen["margin"]) == D(seen["net_amount"]) - D(seen["cost_amount"])
