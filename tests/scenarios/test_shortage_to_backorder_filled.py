"""Scenario: a customer wants more printers than the warehouse has. Nothing is oversold, nobody is
surprised: the salesperson sees the shortage while typing, the refusal asks purchasing for the
missing printers, purchasing orders them with a date the salesperson can promise, the customer takes
what is there now, and the rest is reserved the moment the goods arrive.

Read top to bottom: it is the story the warehouse and the sales team tell together."""

import datetime
from decimal import Decimal as D

import pytest

from kaidan.core.roles import Role
from kaidan.inventory import selectors
from tests.catalog.factories import make_product
from tests.inventory.factories import make_warehouse, receive_stock, stock_of
from tests.parties.factories import add_shipping_address, make_customer

pytestmark = pytest.mark.django_db


def test_a_shortage_becomes_a_promise_and_then_a_reservation(api_for):
    seller, keeper = api_for(Role.SALES), api_for(Role.WAREHOUSE)
    # Given 3 laser printers on the shelf in Shenzhen
    shenzhen = make_warehouse("WH-SZ", name="深圳总仓")
    printer = make_product(name="激光打印机", list_price=D("1999.00"), standard_cost=D("1500.00"))
    receive_stock(printer, 3, shenzhen)
    customer = make_customer(seller.user, name="东莞市长安精密五金厂")
    add_shipping_address(seller.user, customer, is_default=True)

    # When the salesperson checks 5 printers while typing the order
    check = seller.post("/api/stock/availability", {"warehouse_id": shenzhen.pk, "lines": [
        {"product_id": printer.pk, "quantity": "5"}]}).json()
    # Then 3 can ship now, 2 are short, and no supply is planned yet
    line = check["lines"][0]
    assert (line["badge"], D(line["can_ship_now"]), D(line["short"]), line["promise_date"]) == (
        "partial", D(3), D(2), None)

    # When the order is submitted all-or-nothing
    order = seller.post("/api/orders", {"customer_id": customer.pk, "warehouse_id": shenzhen.pk,
                                        "allow_partial_shipment": False,
                                        "lines": [{"product_id": printer.pk, "quantity": "5"}]}).json()
    refused = seller.post(f"/api/orders/{order['id']}/submit", {"version": order["version"]})
    # Then it is refused with the line and the numbers, nothing is reserved,
    assert refused.status_code == 409 and refused.json()["code"] == "insufficient_stock"
    assert [(D(x["wanted"]), D(x["available"])) for x in refused.json()["detail"]["lines"]] == [(D(5), D(3))]
    assert stock_of(printer, shenzhen) == (D(3), D(0))
    # and purchasing has a request for the 2 missing printers
    request = keeper.get("/api/replenishment-requests", {"status": "open"}).json()["items"][0]
    assert (request["product_id"], D(request["quantity"]), request["source"]) == (printer.pk, D(2), "shortage")

    # When purchasing orders 10 from the supplier, due in 9 days
    due = datetime.date.today() + datetime.timedelta(days=9)
    ordered = keeper.post(f"/api/replenishment-requests/{request['id']}/order", {
        "version": request["version"], "quantity": "10", "expected_date": due.isoformat(),
        "supplier": "惠普华南总代", "purchase_reference": "PO-2026-1188"}).json()
    assert ordered["status"] == "ordered"
    # Then the salesperson can promise the 5 printers for that day
    line = seller.post("/api/stock/availability", {"warehouse_id": shenzhen.pk, "lines": [
        {"product_id": printer.pk, "quantity": "5"}]}).json()["lines"][0]
    assert line["promise_date"] == due.isoformat()

    # When the customer agrees to take 3 now and 2 later
    current = seller.get(f"/api/orders/{order['id']}").json()
    changed = seller.put(f"/api/orders/{order['id']}", {"version": current["version"],
                                                        "allow_partial_shipment": True}).json()
    confirmed = seller.post(f"/api/orders/{order['id']}/submit", {"version": changed["version"]}).json()
    # Then the order is confirmed with 3 reserved and 2 waiting, promised for the supplier's date
    assert confirmed["status"] == "confirmed"
    stock = seller.get(f"/api/orders/{order['id']}").json()["lines"][0]["stock"]
    assert (D(stock["reserved"]), D(stock["backordered"]), stock["promise_date"]) == (D(3), D(2), due.isoformat())
    assert stock_of(printer, shenzhen) == (D(3), D(3))

    # When the 10 printers arrive
    received = keeper.post(f"/api/replenishment-requests/{request['id']}/receive",
                           {"version": ordered["version"], "reference": "到货单 DN-5521"}).json()
    assert received["status"] == "received"
    # Then the waiting 2 are reserved at once, 8 stay free, and the books agree with the shelf
    stock = seller.get(f"/api/orders/{order['id']}").json()["lines"][0]["stock"]
    assert (D(stock["reserved"]), D(stock["backordered"])) == (D(5), D(0))
    assert stock_of(printer, shenzhen) == (D(13), D(5))
    assert selectors.stock_discrepancies() == []
