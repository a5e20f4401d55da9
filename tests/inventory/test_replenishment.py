"""The purchasing board and reorder rules: one open request per product and warehouse, ordered
with an expected date (which promise dates use), received into stock (which fills backorders)."""

import datetime
from decimal import Decimal as D

import pytest

from kaidan.core.errors import Forbidden, InvalidTransition, StaleEdit, ValidationFailed
from kaidan.inventory import replenishment_services as board
from kaidan.inventory import selectors
from kaidan.inventory.models import ReplenishmentRequest, Reservation
from tests.inventory.factories import receive_stock, stock_of
from tests.sales.factories import make_order, submit

pytestmark = pytest.mark.django_db
SOON = datetime.date.today() + datetime.timedelta(days=7)


def ask(actor, product, warehouse, quantity):
    return board.create_request(actor=actor, data={"product_id": product.pk, "warehouse_id": warehouse.pk,
                                                   "quantity": str(quantity), "notes": "展会备货"})


def test_asking_by_hand_adds_to_the_open_request(seller, shenzhen, printer):
    first = ask(seller, printer, shenzhen, 5)
    again = ask(seller, printer, shenzhen, 3)
    assert first.pk == again.pk and again.quantity == D(8) and again.source == "manual"
    assert first.number.startswith("RR")


def test_order_receive_flow_posts_stock_and_fills_backorders(seller, keeper, customer, shenzhen, printer):
    order = submit(seller, make_order(seller, customer, lines=[(printer, 4)], warehouse_id=shenzhen.pk,
                                      allow_partial_shipment=True), stocked=False)
    request = ReplenishmentRequest.objects.get(status="open")
    assert request.quantity == D(4) and request.source == "shortage"
    request = board.mark_ordered(actor=keeper, request_id=request.pk, version=request.version,
                                 data={"expected_date": SOON.isoformat(), "supplier": "惠普华南", "quantity": "6"})
    assert (request.status, request.expected_date, request.quantity) == ("ordered", SOON, D(6))
    line = order.lines.get()
    promised = selectors.order_line_stock(order.pk, [(line.pk, printer.pk, line.quantity)], shenzhen.pk,
                                          confirmed=True)[line.pk]
    assert promised.promise_date == SOON and promised.badge == "short"
    request = board.receive_request(actor=keeper, request_id=request.pk, version=request.version, data={})
    assert request.status == "received" and request.received_quantity == D(6)
    assert request.receipt.moves.get().quantity == D(6)
    assert stock_of(printer, shenzhen) == (D(6), D(4))
    assert Reservation.objects.get(order_id=order.pk).reserved == D(4)
    with pytest.raises(InvalidTransition):
        board.cancel_request(actor=keeper, request_id=request.pk)


def test_ordering_needs_a_future_expected_date(keeper, seller, shenzhen, printer):
    request = ask(seller, printer, shenzhen, 5)
    with pytest.raises(ValidationFailed) as err:
        board.mark_ordered(actor=keeper, request_id=request.pk, version=request.version, data={})
    assert list(err.value.fields) == ["expected_date"]
    with pytest.raises(ValidationFailed):
        board.mark_ordered(actor=keeper, request_id=request.pk, version=request.version,
                           data={"expected_date": "2020-01-01"})
    with pytest.raises(StaleEdit):
        board.mark_ordered(actor=keeper, request_id=request.pk, version=request.version + 1,
                           data={"expected_date": SOON.isoformat()})
    assert ReplenishmentRequest.objects.get().status == "open"


def test_salespeople_ask_but_do_not_order_or_receive(seller, shenzhen, printer):
    request = ask(seller, printer, shenzhen, 5)
    with pytest.raises(Forbidden):
        board.mark_ordered(actor=seller, request_id=request.pk, data={"expected_date": SOON.isoformat()})
    with pytest.raises(Forbidden):
        board.receive_request(actor=seller, request_id=request.pk)


def test_a_reorder_rule_raises_a_request_when_stock_falls_below_minimum(seller, keeper, customer, shenzhen,
                                                                        printer):
    receive_stock(printer, 12, shenzhen, actor=keeper)
    rule = board.save_rule(actor=keeper, data={"product_id": printer.pk, "warehouse_id": shenzhen.pk,
                                               "min_level": "10", "max_level": "30"})
    assert not ReplenishmentRequest.objects.exists()  # 12 available, above 10
    submit(seller, make_order(seller, customer, lines=[(printer, 5)], warehouse_id=shenzhen.pk), stocked=False)
    request = ReplenishmentRequest.objects.get()
    assert (request.quantity, request.source) == (D(23), "reorder")  # 7 available → up to 30
    rule = board.save_rule(actor=keeper, rule_id=rule.pk, version=rule.version, data={"max_level": "40"})
    assert ReplenishmentRequest.objects.get().quantity == D(33)


def test_reorder_rules_are_checked(keeper, shenzhen, printer, copper):
    with pytest.raises(ValidationFailed) as err:
        board.save_rule(actor=keeper, data={"product_id": printer.pk, "warehouse_id": shenzhen.pk,
                                            "min_level": "10", "max_level": "5"})
    assert list(err.value.fields) == ["max_level"]
    with pytest.raises(ValidationFailed) as err:
        board.save_rule(actor=keeper, data={"product_id": printer.pk, "warehouse_id": shenzhen.pk,
                                            "min_level": "1.5", "max_level": "-5"})
    assert set(err.value.fields) == {"min_level", "max_level"}
    board.save_rule(actor=keeper, data={"product_id": copper.pk, "warehouse_id": shenzhen.pk,
                                        "min_level": "1.5", "max_level": "20"})
    with pytest.raises(ValidationFailed) as err:
        board.save_rule(actor=keeper, data={"product_id": copper.pk, "warehouse_id": shenzhen.pk,
                                            "min_level": "1", "max_level": "2"})
    assert list(err.value.fields) == ["product_id"]


def test_receiving_fewer_than_ordered_keeps_the_rest_on_order(keeper, seller, shenzhen, printer):
    request = ask(seller, printer, shenzhen, 10)
    request = board.mark_ordered(actor=keeper, request_id=request.pk, version=request.version,
                                 data={"expected_date": SOON.isoformat(), "supplier": "惠普华南",
                                       "purchase_reference": "PO-77"})
    board.receive_request(actor=keeper, request_id=request.pk, version=request.version, data={"quantity": "4"})
    rest = ReplenishmentRequest.objects.get(status="ordered")
    assert (rest.quantity, rest.expected_date, rest.supplier, rest.purchase_reference) == (D(6), SOON, "惠普华南",
                                                                                           "PO-77")
    assert request.number in rest.notes
    assert stock_of(printer, shenzhen) == (D(4), D(0))
    assert selectors.check_availability([(printer.pk, D(10))], shenzhen.pk)[0].promise_date == SOON


def test_a_too_long_note_is_refused_not_cut(seller, shenzhen, printer):
    with pytest.raises(ValidationFailed) as err:
        board.create_request(actor=seller, data={"product_id": printer.pk, "warehouse_id": shenzhen.pk,
                                                 "quantity": "1", "notes": "长" * 401})
    assert list(err.value.fields) == ["notes"]
    assert not ReplenishmentRequest.objects.exists()
