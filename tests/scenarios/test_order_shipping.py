"""Scenario: a customer orders more printers than the warehouse has and takes what is there now.
The warehouse ships it in a first delivery note with the carrier and a tracking number; the missing
printers wait on the order as a backorder; when the supplier's goods arrive they are reserved for
it at once and a second note ships them; the carrier's integration and the warehouse follow both
parcels to the customer's door. At every step the order shows how far it has shipped, and the stock
ledger, the reservations and the notes agree.

Read top to bottom: it is the story the salesperson, the warehouse and the carrier tell together."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone, translation

from kaidan.core.roles import Role
from kaidan.inventory.models import Reservation, StockMove
from kaidan.inventory.selectors import stock_discrepancies
from kaidan.sales import transitions
from kaidan.sales.states import FulfilmentStatus
from kaidan.shipping import carriers, fulfilment, selectors, services, tracking
from kaidan.shipping.checks import shipping_discrepancies
from kaidan.shipping.states import Status
from tests.catalog.factories import make_product
from tests.inventory.factories import make_warehouse, receive_stock, stock_of
from tests.parties.factories import add_shipping_address, make_customer
from tests.sales.factories import make_order

pytestmark = pytest.mark.django_db


def books_agree():
    """`kaidan check_stock` and `kaidan check_shipping` would both say OK."""
    return stock_discrepancies() == [] and shipping_discrepancies() == []


def per_line(order):
    """What the order page shows per line: (ordered, shipped, remaining)."""
    return [(s.line.quantity, s.line.shipped_quantity, s.remaining) for s in selectors.order_shipping(order).lines]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_backordered_order_ships_in_two_notes_and_is_tracked_to_the_door(make_user):
    seller, keeper, admin = make_user(Role.SALES), make_user(Role.WAREHOUSE), make_user(Role.ADMIN)
    # Given the Shenzhen warehouse holds 3 laser printers and 50 toner cartridges,
    shenzhen = make_warehouse("WH-SZ", name="深圳总仓")
    printer = make_product(name="激光打印机", model="HP M406dn", list_price=D("2999.00"), standard_cost=D("2150.00"))
    toner = make_product(name="原装硒鼓", list_price=D("499.00"), standard_cost=D("318.7500"))
    setup = make_product(name="上门安装调试", list_price=D("150.00"), standard_cost=D("0"), track_stock=False)
    receive_stock(printer, 3, shenzhen)
    receive_stock(toner, 50, shenzhen)
    # a customer who accepts partial deliveries, and SF Express as carrier with an integration key
    customer = make_customer(seller, name="东莞市长安精密五金厂", allow_partial_shipment=True)
    add_shipping_address(seller, customer, is_default=True, recipient="王芳", street="长安镇振安中路 168 号")
    sf = carriers.create_carrier(actor=admin, data={"code": "SF", "name": "顺丰速运",
                                                    "tracking_url": "https://www.sf-express.com/track/{number}"})
    _sf, sf_key = carriers.new_api_key(actor=admin, carrier_id=sf.pk)

    # When the salesperson confirms an order for 5 printers, 10 toners and the installation
    requested = timezone.localdate() + datetime.timedelta(days=3)
    order = make_order(seller, customer, lines=[(printer, 5), (toner, 10), (setup, 1)], warehouse_id=shenzhen.pk,
                       requested_date=requested.isoformat())
    assert order.allow_partial_shipment
    order = transitions.submit_order(actor=seller, order_id=order.pk, version=order.version)
    printer_line, toner_line, setup_line = order.lines.order_by("position")
    # Then it is confirmed with the 3 printers there reserved and 2 backordered
    assert order.status == "confirmed" and order.fulfilment_status == FulfilmentStatus.NOT_SHIPPED
    assert stock_of(printer, shenzhen) == (D(3), D(3)) and stock_of(toner, shenzhen) == (D(50), D(10))
    assert Reservation.objects.get(order_line_id=printer_line.pk).reserved == D(3)
    # and the warehouse sees it in its queue as partly available
    [row] = selectors.work_queue(keeper, warehouse_id=shenzhen.pk)
    assert (row.order, row.state, row.quantity_left, row.shippable_now) == (order, "partly", D(16), D(14))

    # When the warehouse makes a note of everything that can go now, picks and packs it for SF
    first = services.create_note(actor=keeper, data={"order_id": order.pk, "notes": "请提前电话联系"})
    assert [(line.order_line, line.quantity) for line in first.lines.order_by("position")] == [
        (printer_line, D(3)), (toner_line, D(10)), (setup_line, D(1))]
    assert "振安中路 168 号" in first.shipping_address_text
    services.start_picking(actor=keeper, note_id=first.pk, version=first.version)
    first = services.pack(actor=keeper, note_id=first.pk, version=2, data={
        "parcel_count": 2, "weight_kg": "18.5", "carrier_id": sf.pk, "service": "顺丰标快",
        "tracking_numbers": "SF1400000001", "freight_charge": "60.00"})
    # Then the salesperson cannot change the order under the warehouse's hands
    with pytest.raises(Exception) as refused:
        transitions.revise_document(actor=seller, order_id=order.pk, reason="客户要改型号")
    assert refused.value.status == 409 and first.number in str(refused.value)

    # When it ships
    first = services.ship(actor=keeper, note_id=first.pk, version=first.version)
    # Then the goods have left: stock down, the reservation consumed, cost of goods recorded
    assert first.status == Status.SHIPPED
    assert stock_of(printer, shenzhen) == (D(0), D(0)) and stock_of(toner, shenzhen) == (D(40), D(0))
    assert first.cost_amount == D("6450.00") + D("3187.50")
    moves = StockMove.objects.filter(reference=first.number).order_by("id")
    assert list(moves.values_list("product_id", "quantity")) == [(printer.pk, D(-3)), (toner.pk, D(-10))]
    # the order is partly shipped, the 2 printers wait for stock and nothing more can ship now
    order.refresh_from_db()
    assert order.fulfilment_status == FulfilmentStatus.PARTLY_SHIPPED
    assert per_line(order) == [(D(5), D(3), D(2)), (D(10), D(10), D(0)), (D(1), D(1), D(0))]
    assert Reservation.objects.get(order_line_id=printer_line.pk, status="open").reserved == D(0)
    assert selectors.work_queue(keeper)[0].state == "waiting"
    with pytest.raises(services.NothingToShip):
        services.create_note(actor=keeper, data={"order_id": order.pk})
    # and the customer can follow the parcel on SF's site; SF's integration reports it on its way
    assert [link.url for link in selectors.tracking_links(first)] == ["https://www.sf-express.com/track/SF1400000001"]
    carrier = carriers.carrier_for_key(sf_key)
    tracking.add_carrier_event(carrier=carrier, data={"tracking_number": "SF1400000001", "event_id": "e-1",
                                                      "kind": "in_transit", "location": "东莞转运中心"})
    assert books_agree()

    # When the supplier's 10 printers arrive
    receive_stock(printer, 10, shenzhen)
    # Then the 2 waiting printers are reserved for the order at once, and it is ready to ship again
    assert stock_of(printer, shenzhen) == (D(10), D(2))
    assert selectors.work_queue(keeper)[0].state == "ready"

    # When a second note ships them, with the tracking number given at the door of the warehouse
    second = services.create_note(actor=keeper, data={"order_id": order.pk})
    assert [(line.order_line, line.quantity) for line in second.lines.all()] == [(printer_line, D(2))]
    services.start_picking(actor=keeper, note_id=second.pk)
    services.pack(actor=keeper, note_id=second.pk, data={"parcel_count": 1, "carrier_id": sf.pk})
    second = services.ship(actor=keeper, note_id=second.pk, data={"tracking_numbers": ["SF1400000002"]})
    # Then the order is fully shipped and leaves the queue
    order.refresh_from_db()
    assert order.fulfilment_status == FulfilmentStatus.SHIPPED
    assert per_line(order) == [(D(5), D(5), D(0)), (D(10), D(10), D(0)), (D(1), D(1), D(0))]
    assert stock_of(printer, shenzhen) == (D(8), D(0))
    assert selectors.work_queue(keeper) == []

    # When both parcels reach the customer — the second after a day's delay
    tracking.add_carrier_event(carrier=carrier, data={"tracking_number": "SF1400000001", "event_id": "e-2",
                                                      "kind": "delivered", "signed_by": "王芳"})
    tracking.add_carrier_event(carrier=carrier, data={"tracking_number": "SF1400000001", "event_id": "e-2",
                                                      "kind": "delivered", "signed_by": "王芳"})  # sent again
    tracking.add_event(actor=keeper, note_id=second.pk, data={"kind": "exception", "exception_reason": "delayed",
                                                              "description": "暴雨延误"})
    tracking.add_event(actor=keeper, note_id=second.pk, data={"kind": "in_transit", "location": "东莞长安"})
    tracking.add_event(actor=keeper, note_id=second.pk, data={"kind": "delivered", "signed_by": "王芳"})
    # Then both notes are delivered, signed by 王芳, with their timelines
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.received_by) == (Status.DELIVERED, "王芳") and first.delivered_at
    assert (second.status, second.received_by) == (Status.DELIVERED, "王芳")
    assert [e.kind for e in selectors.timeline(first)] == ["shipped", "in_transit", "delivered"]
    assert [e.kind for e in selectors.timeline(second)] == ["shipped", "exception", "in_transit", "delivered"]
    # the salesperson sees both notes of the order, the order cannot be cancelled any more,
    assert {n.number for n in selectors.note_list(seller, order_id=order.pk)} == {first.number, second.number}
    with pytest.raises(Exception) as refused:
        transitions.cancel_document(actor=seller, order_id=order.pk)
    assert refused.value.status == 409
    # recomputing how far it shipped changes nothing, and the books agree
    order.refresh_from_db()
    assert fulfilment.recompute(order) is False
    assert books_agree()
