"""The core of shipping in one story: partial note, ship, backorder, second note, tracking."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from kaidan.inventory.models import StockMove
from kaidan.sales.states import FulfilmentStatus
from kaidan.shipping import fulfilment, selectors, services, tracking
from kaidan.shipping.checks import shipping_discrepancies
from kaidan.shipping.states import Status
from tests.inventory.factories import stock_of
from tests.shipping.factories import confirmed_order, line_of, make_note, shipped, shipped_quantities

pytestmark = pytest.mark.django_db


def test_an_order_ships_in_two_notes_and_is_tracked_to_delivery(seller, keeper, customer, laptop, mouse,
                                                                installation, sf, warehouse):
    order = confirmed_order(seller, customer, [(laptop, 5), (mouse, 10), (installation, 1)],
                            warehouse_id=warehouse.pk)
    assert stock_of(laptop, warehouse) == (Decimal(100), Decimal(5))

    assert [(row.order.pk, row.state) for row in selectors.work_queue(keeper)] == [(order.pk, "ready")]
    first = make_note(keeper, order, {line_of(order, laptop): 2, line_of(order, installation): 1})
    assert first.status == Status.DRAFT and first.number.startswith("DN")
    first = shipped(keeper, first, carrier_id=sf.pk, tracking_numbers=["SF1234567890"], weight_kg="5.2")
    assert first.status == Status.SHIPPED
    assert first.cost_amount == Decimal("8000.00")
    assert stock_of(laptop, warehouse) == (Decimal(98), Decimal(3))
    order.refresh_from_db()
    assert order.fulfilment_status == FulfilmentStatus.PARTLY_SHIPPED
    assert shipped_quantities(order) == [(1, Decimal(2)), (2, Decimal(0)), (3, Decimal(1))]
    assert StockMove.objects.filter(reference=first.number).count() == 1

    assert order_state(keeper, order) == "ready"
    second = make_note(keeper, order)
    assert order_state(keeper, order) == "on_notes"  # everything still reserved: 3 laptops and 10 mice
    assert sorted((line.product_id, line.quantity) for line in second.lines.all()) == sorted(
        [(laptop.pk, Decimal(3)), (mouse.pk, Decimal(10))])
    with pytest.raises(services.NothingToShip):
        make_note(keeper, order)
    shipped(keeper, second)
    order.refresh_from_db()
    assert order.fulfilment_status == FulfilmentStatus.SHIPPED
    assert stock_of(laptop, warehouse) == (Decimal(95), Decimal(0))
    assert stock_of(mouse, warehouse) == (Decimal(90), Decimal(0))
    assert fulfilment.recompute(order) is False  # idempotent

    tracking.add_event(actor=keeper, note_id=first.pk, data={"kind": "in_transit", "location": "深圳转运中心"})
    tracking.add_event(actor=keeper, note_id=first.pk, data={"kind": "delivered", "signed_by": "王芳"})
    first.refresh_from_db()
    assert first.status == Status.DELIVERED and first.received_by == "王芳"
    assert list(first.tracking_events.values_list("kind", flat=True)) == ["shipped", "in_transit", "delivered"]
    assert shipping_discrepancies() == []
    call_command("check_shipping", stdout=io.StringIO())


def order_state(user, order):
    return {row.order.pk: row.state for row in selectors.work_queue(user)}.get(order.pk)
