"""Shipping a confirmed order as the warehouse does: the work queue shows it ready; one click opens a
delivery note for it, where three of the five laptops and all the mice go on the note; picking,
packing in two parcels with 顺丰 and two tracking numbers, shipping — the stock leaves the shelf and
the order page says what has shipped and what remains; the customer signs and the note is
delivered."""

from decimal import Decimal

import pytest

from kaidan.core.roles import Role
from kaidan.sales.states import FulfilmentStatus
from kaidan.shipping.models import DeliveryNote
from kaidan.shipping.states import Status
from tests.browser.test_master_data import signed_in
from tests.catalog.factories import make_product
from tests.inventory.factories import make_warehouse, receive_stock, stock_of
from tests.parties.factories import add_shipping_address, make_customer
from tests.shipping.factories import confirmed_order, line_of, make_carrier

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_warehouse_ships_part_of_an_order_in_two_parcels_and_records_the_delivery(make_user, open_browser):
    # given: a confirmed order of 5 laptops and 10 mice, reserved in the Shenzhen warehouse; 顺丰 as carrier
    admin, wang = make_user(Role.ADMIN), make_user(Role.SALES, username="wang")
    zhao = make_user(Role.WAREHOUSE, username="zhao", first_name="强", last_name="赵")
    warehouse = make_warehouse("WH-SZ", name="深圳总仓")
    customer = make_customer(wang, name="深圳恒达电子有限公司")
    add_shipping_address(wang, customer, is_default=True)
    laptop = make_product(admin, sku="NB-LEN-E14", name="联想笔记本电脑", spec="14英寸 16G/512G", model="ThinkPad E14",
                          list_price=Decimal("5650.00"))
    mouse = make_product(admin, sku="MS-LOGI-M330", name="罗技无线鼠标", list_price=Decimal("99.00"))
    receive_stock(laptop, 10, warehouse)
    receive_stock(mouse, 20, warehouse)
    order = confirmed_order(wang, customer, [(laptop, 5), (mouse, 10)], warehouse_id=warehouse.pk)
    make_carrier(admin, "SF", "顺丰速运", "https://www.sf-express.com/we/ow/chn/sc/waybill/waybill-detail/{number}")
    assert stock_of(laptop, warehouse) == (Decimal(10), Decimal(5))

    # the warehouse opens the work queue from the menu: the order is ready to ship
    steps = signed_in(open_browser, zhao, locale="en-US")
    page = steps.page
    page.click("nav.flow a[href='/shipping/']")
    row = page.locator(f"#queue-{order.pk}")
    assert order.number in row.inner_text() and "Ready to ship" in row.inner_text()
    assert page.locator(".queue-tabs a[data-state='ready'] .count").inner_text() == "1"
    steps.shot("queue")

    # one click to a new note: every line offers what can ship now; three laptops and all the mice go
    row.locator("a:has-text('Create delivery note')").click()
    page.wait_for_url(f"**/shipping/orders/{order.pk}/new/")
    laptop_box = page.locator(f"input[name='qty-{line_of(order, laptop).pk}']")
    assert laptop_box.input_value() == "5"
    assert page.locator(f"input[name='qty-{line_of(order, mouse).pk}']").input_value() == "10"
    assert "ThinkPad E14" in page.locator("table.new-note").inner_text()
    laptop_box.fill("3")
    steps.shot("new-note")
    page.click("#new-note button:has-text('Create delivery note')")
    page.wait_for_url("**/shipping/notes/*/")
    note = DeliveryNote.objects.get()
    assert note.number in page.locator("h1").inner_text()
    assert "Draft" in page.locator("h1 .status").inner_text()

    # pick, then pack in two parcels with 顺丰 and a tracking number each
    page.click("button:has-text('Start picking')")
    page.wait_for_selector("h1 .status:has-text('Picking')")
    assert "picking started" in page.locator("#note .messages").inner_text()
    pack = page.locator("#pack-form")
    pack.locator("input[name=parcel_count]").fill("2")
    pack.locator("input[name=weight_kg]").fill("7.5")
    pack.locator("select[name=carrier]").select_option(label="SF 顺丰速运")
    pack.locator("input[name=service]").fill("顺丰标快")
    pack.locator("textarea[name=tracking_numbers]").fill("SF1400000001\nSF1400000002")
    pack.locator("input[name=freight_charge]").fill("36.00")
    steps.shot("packing")
    pack.locator("button:has-text('Mark packed')").click()
    page.wait_for_selector("h1 .status:has-text('Packed')")
    links = page.locator("#tracking-numbers a")
    assert links.count() == 2
    assert links.nth(1).get_attribute("href").endswith("/waybill-detail/SF1400000002")
    assert "2" in page.locator("#packing").inner_text() and "顺丰速运" in page.locator("#packing").inner_text()

    # ship: the ship date is today; the stock leaves the shelf, what remains stays reserved
    page.locator("#ship-form button:has-text('Ship now')").click()
    page.wait_for_selector("h1 .status:has-text('Shipped')")
    assert "Handed to the carrier" in page.locator("#timeline").inner_text()
    steps.shot("shipped")
    assert stock_of(laptop, warehouse) == (Decimal(7), Decimal(2))
    assert stock_of(mouse, warehouse) == (Decimal(10), Decimal(0))
    order.refresh_from_db()
    assert order.fulfilment_status == FulfilmentStatus.PARTLY_SHIPPED

    # the order page: per line shipped and remaining, the note with its tracking links
    page.click(f"#note a[href='/orders/{order.pk}/']")
    panel = page.locator("#order-shipping")
    laptop_row = panel.locator(f"#shipped-{line_of(order, laptop).pk} td")
    assert [laptop_row.nth(i).inner_text() for i in (3, 4, 5)] == ["3", "0", "2"]  # shipped, on notes, remaining
    mouse_row = panel.locator(f"#shipped-{line_of(order, mouse).pk} td")
    assert [mouse_row.nth(i).inner_text() for i in (3, 4, 5)] == ["10", "0", "0"]
    assert "Partly shipped" in panel.inner_text()
    assert panel.locator(f"#order-note-{note.pk} a[href$='SF1400000001']").count() == 1
    assert panel.locator("a:has-text('Create delivery note')").count() == 1  # the two laptops left can ship
    steps.shot("order-page")

    # the customer signs: a delivered event with who signed
    panel.locator(f"a:has-text('{note.number}')").click()
    event = page.locator("#event-form")
    assert not event.locator("input[name=signed_by]").is_visible()  # shown only for a delivery
    event.locator("select[name=kind]").select_option("delivered")
    event.locator("input[name=signed_by]").fill("王芳")
    event.locator("input[name=location]").fill("深圳市南山区")
    event.locator("button:has-text('Record event')").click()
    page.wait_for_selector("h1 .status:has-text('Delivered')")
    timeline = page.locator("#timeline").inner_text()
    assert "王芳" in timeline and "深圳市南山区" in timeline
    assert page.locator("#event-form").count() == 0
    steps.shot("delivered")
    note.refresh_from_db()
    assert (note.status, note.received_by) == (Status.DELIVERED, "王芳")
