"""Selling what is not on the shelf, as a salesperson and a warehouse user do: the order line says the
laptop is out of stock, its details tell when it can ship and offer a substitute in stock; one click
puts the substitute on the line, and submitting reserves it. Then the warehouse receives the ordered
replenishment from the purchasing board and the missing laptop is on hand."""

import datetime
from decimal import Decimal

import pytest
from django.utils.timezone import localdate

from kaidan.catalog.services import set_substitutes
from kaidan.core.roles import Role
from kaidan.inventory import replenishment_services
from kaidan.sales.models import SalesOrder
from tests.browser.test_master_data import signed_in
from tests.catalog.factories import make_product
from tests.inventory.factories import make_warehouse, receive_stock, stock_of
from tests.parties.factories import make_customer

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_short_laptop_is_swapped_for_a_substitute_and_the_replenishment_is_received(make_user, open_browser):
    # given: an out-of-stock laptop, a substitute with 10 on the shelf, 5 more of the first one on order
    wang, admin = make_user(Role.SALES, username="wang"), make_user(Role.ADMIN)
    zhao = make_user(Role.WAREHOUSE, username="zhao")
    make_customer(wang, name="深圳恒达电子有限公司")
    warehouse = make_warehouse("WH-SZ", name="深圳总仓")
    short = make_product(admin, sku="NB-LEN-001", name="联想笔记本电脑", list_price=Decimal("6000.00"))
    substitute = make_product(admin, sku="NB-HP-002", name="惠普笔记本电脑", list_price=Decimal("5500.00"))
    receive_stock(substitute, 10, warehouse)
    set_substitutes(actor=admin, product_id=short.pk, substitute_ids=[substitute.pk])
    expected = localdate() + datetime.timedelta(days=10)
    asked = replenishment_services.create_request(actor=zhao, data={
        "product_id": short.pk, "warehouse_id": warehouse.pk, "quantity": "5"})
    replenishment = replenishment_services.mark_ordered(actor=zhao, request_id=asked.pk, version=asked.version, data={
        "expected_date": expected.isoformat(), "supplier": "联想华南分销", "purchase_reference": "PO-2026-17"})

    # the salesperson writes an order for the short laptop
    steps = signed_in(open_browser, wang, locale="en-US")
    page = steps.page
    page.goto("/orders/")
    page.click("text=New order")
    page.fill("#customer-q", "szhd")
    page.click("#customer-options label:has-text('深圳恒达电子有限公司')")
    page.click("button:has-text('Create draft')")
    page.wait_for_url("**/orders/*/")
    order = SalesOrder.objects.get()
    page.fill("#product-q", "NB-LEN-001")
    page.click("#product-options button:has-text('NB-LEN-001')")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'quantity'")
    page.fill(".add-line-form input[name=quantity]", "1")
    page.press(".add-line-form input[name=quantity]", "Enter")
    page.wait_for_function("document.querySelectorAll('#order-lines tbody.line-group').length === 1")
    line = order.lines.get()
    stock = page.locator(f"#s-{line.pk}")
    assert stock.locator(".badge").inner_text() == "Out of stock"
    assert page.locator("#total-gross").inner_text() == "¥6,000.00"
    steps.shot("out-of-stock")

    # its stock details: when it can ship, and a substitute in stock
    stock.locator("summary").click()
    details = stock.locator(".stock-pop")
    assert details.is_visible()
    assert f"Can ship on {expected.isoformat()}" in details.inner_text()
    assert "Substitutes in stock" in details.inner_text()
    assert "NB-HP-002" in details.locator("ul.substitutes").inner_text()
    steps.shot("stock-details")

    # replace: the line now carries the substitute, in stock, and the totals follow
    details.locator("li:has-text('NB-HP-002') button:has-text('Replace')").click()
    page.wait_for_selector(f"#row-{line.pk} td.product:has-text('NB-HP-002')")
    assert page.locator(f"#s-{line.pk} .badge").inner_text() == "In stock"
    page.wait_for_function("document.querySelector('#total-gross').innerText === '¥5,500.00'")
    assert page.locator("#order-lines tbody.line-group").count() == 1
    steps.shot("replaced")

    # submit: confirmed, and the substitute is reserved for it
    page.click(".document-actions button:has-text('Submit')")
    page.wait_for_selector("h1 .status:has-text('Confirmed')")
    assert page.locator(f"#s-{line.pk} .badge").inner_text() == "Reserved"
    steps.shot("confirmed")
    page.goto(f"/stock/products/{substitute.pk}/")
    level = page.locator("table.grid").first.locator("tbody tr").first
    assert [level.locator("td").nth(i).inner_text() for i in (1, 2, 3)] == ["10", "1", "9"]
    assert order.number in page.locator("section:has(h2:has-text('Open reservations'))").inner_text()
    assert stock_of(substitute, warehouse) == (Decimal(10), Decimal(1))
    steps.shot("substitute-reserved")

    # the warehouse receives the ordered replenishment from the board
    sales_steps, steps = steps, signed_in(open_browser, zhao, locale="en-US")
    steps.count = sales_steps.count  # one numbered run of screenshots for the whole story
    page = steps.page
    page.goto("/stock/replenishment/")
    card = page.locator(f"section:has(#column-ordered) #request-{replenishment.pk}")
    assert "NB-LEN-001" in card.inner_text() and f"expected {expected.isoformat()}" in card.inner_text()
    steps.shot("board-ordered")
    card.locator("summary:has-text('Receive')").click()
    assert card.locator("input[name=quantity]").input_value() == "5"
    card.locator("input[name=reference]").fill("DN-8801")
    card.locator("button:has-text('Post the receipt')").click()
    page.wait_for_selector(f"section:has(#column-received) #request-{replenishment.pk}")
    assert "received; the stock is in" in page.locator("#board").inner_text()
    steps.shot("received")

    # the stock levels now show the laptop on hand
    page.goto("/stock/")
    page.fill("input[name=q]", "NB-LEN-001")
    page.wait_for_function("!document.querySelector('#stock-rows').innerText.includes('NB-HP-002')")
    row = page.locator("#stock-rows tbody tr:has-text('NB-LEN-001')")
    assert row.locator("td").nth(2).inner_text() == "WH-SZ"
    assert row.locator("td").nth(3).inner_text() == "5"
    assert stock_of(short, warehouse) == (Decimal(5), Decimal(0))
    steps.shot("on-hand")
