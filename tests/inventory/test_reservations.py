"""Confirming reserves, cancelling releases, revising adjusts; shortages become backorders (when
the order allows partial shipment) or a refusal, and always a replenishment request."""

from decimal import Decimal as D

import pytest
from django.db import transaction

from kaidan.inventory import reservations, selectors
from kaidan.inventory.locks import lock_levels
from kaidan.inventory.models import ReplenishmentRequest, Reservation
from kaidan.inventory.reservations import InsufficientStock
from kaidan.sales import services as sales
from kaidan.sales import transitions
from kaidan.sales.states import Status
from tests.inventory.factories import receive_stock, stock_of
from tests.sales.factories import make_order, submit

pytestmark = pytest.mark.django_db


def order_for(seller, customer, warehouse, *lines, partial=False, **header):
    return make_order(seller, customer, lines=lines, warehouse_id=warehouse.pk, allow_partial_shipment=partial,
                      **header)


def held(order):
    rows = Reservation.objects.filter(order_id=order.pk, status="open")
    return {r.product_id: (r.quantity, r.reserved) for r in rows}


def test_confirming_reserves_every_line(seller, keeper, customer, shenzhen, printer, toner):
    receive_stock(printer, 5, shenzhen, actor=keeper)
    receive_stock(toner, 20, shenzhen, actor=keeper)
    order = submit(seller, order_for(seller, customer, shenzhen, (printer, 2), (toner, 3), (toner, 4)), stocked=False)
    assert order.status == Status.CONFIRMED
    assert stock_of(printer, shenzhen) == (D(5), D(2))
    assert stock_of(toner, shenzhen) == (D(20), D(7))
    assert Reservation.objects.filter(order_id=order.pk).count() == 3
    assert selectors.stock_discrepancies() == []


def test_a_shortage_refuses_the_whole_order_and_asks_purchasing(seller, keeper, customer, shenzhen, printer, toner):
    receive_stock(printer, 1, shenzhen, actor=keeper)
    receive_stock(toner, 20, shenzhen, actor=keeper)
    order = order_for(seller, customer, shenzhen, (toner, 3), (printer, 4))
    with pytest.raises(InsufficientStock) as err:
        submit(seller, order, stocked=False)
    assert err.value.status == 409
    assert [(line["sku"], line["wanted"], line["available"]) for line in err.value.detail["lines"]] == [
        (printer.sku, D(4), D(1))]
    order.refresh_from_db()
    assert order.status == Status.DRAFT
    assert stock_of(toner, shenzhen) == (D(20), D(0))  # nothing reserved, not even the line that had stock
    request = ReplenishmentRequest.objects.get()
    assert (request.product, request.warehouse, request.quantity, request.status, request.source) == (
        printer, shenzhen, D(3), "open", "shortage")
    with pytest.raises(InsufficientStock):  # trying again does not ask twice
        submit(seller, order, stocked=False)
    assert ReplenishmentRequest.objects.get().quantity == D(3)


def test_partial_shipment_keeps_a_backorder(seller, keeper, customer, shenzhen, printer):
    receive_stock(printer, 3, shenzhen, actor=keeper)
    order = submit(seller, order_for(seller, customer, shenzhen, (printer, 5), partial=True), stocked=False)
    assert order.status == Status.CONFIRMED
    assert held(order) == {printer.pk: (D(5), D(3))}
    assert stock_of(printer, shenzhen) == (D(3), D(3))
    assert ReplenishmentRequest.objects.get(status="open").quantity == D(2)


def test_partial_shipment_comes_from_the_customer_by_default(seller, keeper, customer, shenzhen, printer):
    customer.allow_partial_shipment = True
    customer.save()
    order = make_order(seller, customer, lines=[(printer, 2)], warehouse_id=shenzhen.pk)
    assert order.allow_partial_shipment is True


def test_a_receipt_fills_backorders_oldest_order_first(seller, keeper, customer, shenzhen, printer):
    import datetime

    newer = submit(seller, order_for(seller, customer, shenzhen, (printer, 4), partial=True,
                                     order_date=datetime.date.today().isoformat()), stocked=False)
    older = submit(seller, order_for(seller, customer, shenzhen, (printer, 3), partial=True,
                                     order_date=(datetime.date.today() - datetime.timedelta(days=2)).isoformat()),
                   stocked=False)
    assert held(newer) == {printer.pk: (D(4), D(0))} and held(older) == {printer.pk: (D(3), D(0))}
    receive_stock(printer, 5, shenzhen, actor=keeper)
    assert held(older) == {printer.pk: (D(3), D(3))}
    assert held(newer) == {printer.pk: (D(4), D(2))}
    assert stock_of(printer, shenzhen) == (D(5), D(5))
    assert selectors.stock_discrepancies() == []


def test_cancelling_releases_and_hands_stock_to_waiting_orders(seller, keeper, customer, shenzhen, printer):
    receive_stock(printer, 4, shenzhen, actor=keeper)
    first = submit(seller, order_for(seller, customer, shenzhen, (printer, 4)), stocked=False)
    waiting = submit(seller, order_for(seller, customer, shenzhen, (printer, 2), partial=True), stocked=False)
    assert held(waiting) == {printer.pk: (D(2), D(0))}
    transitions.cancel_document(actor=seller, order_id=first.pk, reason="客户取消")
    assert held(first) == {}
    assert held(waiting) == {printer.pk: (D(2), D(2))}
    assert stock_of(printer, shenzhen) == (D(4), D(2))
    assert selectors.stock_discrepancies() == []


def test_revising_keeps_the_stock_until_confirmed_again_then_adjusts(seller, keeper, customer, shenzhen,
                                                                    printer, toner):
    receive_stock(printer, 10, shenzhen, actor=keeper)
    receive_stock(toner, 10, shenzhen, actor=keeper)
    order = submit(seller, order_for(seller, customer, shenzhen, (printer, 6), (toner, 2)), stocked=False)
    revised = transitions.revise_document(actor=seller, order_id=order.pk, version=order.version, reason="改数量")
    assert stock_of(printer, shenzhen) == (D(10), D(6))  # still held while the order is being changed
    lines = {line.product_id: line for line in revised.lines.all()}
    revised, _ = sales.save_line(actor=seller, order_id=order.pk, version=revised.version,
                                 line_id=lines[printer.pk].pk, data={"quantity": "9"})
    revised, _ = sales.remove_line(actor=seller, order_id=order.pk, version=revised.version,
                                   line_id=lines[toner.pk].pk)
    submit(seller, revised, stocked=False)
    assert held(order) == {printer.pk: (D(9), D(9))}
    assert stock_of(printer, shenzhen) == (D(10), D(9))
    assert stock_of(toner, shenzhen) == (D(10), D(0))
    assert selectors.stock_discrepancies() == []


def test_what_an_order_holds_counts_when_it_is_confirmed_again(seller, keeper, customer, shenzhen, printer):
    receive_stock(printer, 6, shenzhen, actor=keeper)
    order = submit(seller, order_for(seller, customer, shenzhen, (printer, 6)), stocked=False)
    revised = transitions.revise_document(actor=seller, order_id=order.pk, version=order.version)
    assert submit(seller, revised, stocked=False).status == Status.CONFIRMED  # 0 free, but it holds 6 itself
    assert stock_of(printer, shenzhen) == (D(6), D(6))


def test_an_order_without_a_warehouse_cannot_be_confirmed(seller, customer, shenzhen, printer):
    order = make_order(seller, customer, lines=[(printer, 1)], warehouse_id=None)
    with pytest.raises(Exception) as err:
        submit(seller, order, stocked=False)
    assert "warehouse_id" in getattr(err.value, "fields", {})


def test_a_revised_order_sees_its_own_stock_as_free(seller, keeper, customer, shenzhen, printer):
    receive_stock(printer, 2, shenzhen, actor=keeper)
    order = submit(seller, order_for(seller, customer, shenzhen, (printer, 2)), stocked=False)
    revised = transitions.revise_document(actor=seller, order_id=order.pk, version=order.version)
    line = revised.lines.get()
    shown = selectors.order_line_stock(order.pk, [(line.pk, printer.pk, line.quantity)], shenzhen.pk,
                                       confirmed=False)[line.pk]
    assert (shown.badge, shown.available) == ("in_stock", D(2))


def test_the_batched_update_changes_each_row_by_its_own_amount_or_none_at_all(keeper, shenzhen, printer, toner):
    """The reserving UPDATE (one statement for many rows) is the last guard against a wrong plan:
    one row that would go past its stock on hand fails the lot (the service's transaction rolls
    back), and the refusal names that row."""
    receive_stock(printer, 5, shenzhen)
    receive_stock(toner, 8, shenzhen)
    pairs = [(printer.pk, shenzhen.pk), (toner.pk, shenzhen.pk)]
    levels = lock_levels(pairs)
    reservations._change_reserved(levels, {pairs[0]: D("2"), pairs[1]: D("8")})
    assert [stock_of(p, shenzhen) for p in (printer, toner)] == [(D("5"), D("2")), (D("8"), D("8"))]

    with pytest.raises(InsufficientStock) as refused, transaction.atomic():
        reservations._change_reserved(lock_levels(pairs), {pairs[0]: D("1"), pairs[1]: D("1")})
    assert refused.value.shortages[0].product_id == toner.pk
    assert [stock_of(p, shenzhen) for p in (printer, toner)] == [(D("5"), D("2")), (D("8"), D("8"))]
