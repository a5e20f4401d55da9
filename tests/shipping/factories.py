"""Delivery notes for tests, made through the services as the UI and the API make them.

    order = confirmed_order(seller, customer, [(laptop, 5), (mouse, 10)])
    note = make_note(keeper, order)                                   # everything reserved
    note = make_note(keeper, order, {line_of(order, laptop): 2})      # chosen lines and quantities
    note = shipped(keeper, note)                                      # pick, pack, ship
"""

from __future__ import annotations

from decimal import Decimal

from kaidan.sales.models import SalesOrder, SalesOrderLine
from kaidan.shipping import carriers, services
from kaidan.shipping.models import Carrier, DeliveryNote
from tests.sales.factories import make_order, submit


def make_carrier(actor, code: str, name: str, tracking_url: str = "") -> Carrier:
    return carriers.create_carrier(actor=actor, data={"code": code, "name": name, "tracking_url": tracking_url})


def confirmed_order(seller, customer, lines, *, stocked: bool = True, **header) -> SalesOrder:
    """A confirmed order (no approval rules in these tests); ``stocked`` receives what it lacks."""
    order = make_order(seller, customer, lines=lines, **header)
    return submit(seller, order, stocked=stocked)


def line_of(order: SalesOrder, product) -> SalesOrderLine:
    return order.lines.get(product=product, is_free=False)


def make_note(actor, order: SalesOrder, quantities: dict | None = None, **extra) -> DeliveryNote:
    data = {"order_id": order.pk, **extra}
    if quantities is not None:
        data["lines"] = [{"order_line_id": line.pk, "quantity": str(quantity)} for line, quantity in quantities.items()]
    return services.create_note(actor=actor, data=data)


def packed(actor, note: DeliveryNote, **packing) -> DeliveryNote:
    note = services.start_picking(actor=actor, note_id=note.pk)
    return services.pack(actor=actor, note_id=note.pk, data={"parcel_count": 1, **packing})


def shipped(actor, note: DeliveryNote, **packing) -> DeliveryNote:
    note = packed(actor, note, **packing)
    return services.ship(actor=actor, note_id=note.pk)


def shipped_quantities(order: SalesOrder) -> list[tuple[int, Decimal]]:
    return [(line.position, line.shipped_quantity) for line in order.lines.order_by("position")]
