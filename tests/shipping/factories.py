"""Delivery notes for tests, made through the services as the UI and the API make them.

    order = confirmed_order(seller, customer, [(laptop, 5), (mouse, 10)])
    note = make_note(keeper, order)                                   # everything reserved
    note = make_note(keeper, order, {line_of(order, laptop): 2})      # chosen lines and quantities
    note = shipped(keeper, note)                                      # pick, pack, ship
"""

from __future__ import annotations

from decimal import Decimal

from kaidan.core.models import AuditEvent
from kaidan.inventory.models import Reservation
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


def shipping_sample_ids(user, admin) -> dict[str, int]:
    """Fresh objects for the shipping URLs' parameters (the permission matrix): a confirmed order
    ``user`` may see (its customer is theirs), a draft delivery note of it, and a carrier."""
    from django.utils import timezone

    from tests.catalog.factories import make_product
    from tests.inventory.factories import default_warehouse, receive_stock
    from tests.parties.factories import make_customer

    customer = make_customer(admin, name="矩阵发货客户", owner_id=user.pk)
    product = make_product(admin, list_price=Decimal("10.00"))
    warehouse = default_warehouse()
    receive_stock(product, 5, warehouse)
    order = confirmed_order(admin, customer, [(product, 2)], warehouse_id=warehouse.pk)
    keeper = _sample_keeper()
    note = services.create_note(actor=keeper, data={"order_id": order.pk,
                                                    "lines": [{"order_line_id": order.lines.get().pk,
                                                               "quantity": "1"}]})
    stamp = timezone.now().strftime("%H%M%S%f")
    carrier = make_carrier(admin, f"MX-{stamp}", "矩阵快递", "https://track.example.com/{number}")
    return {"note_id": note.pk, "carrier_id": carrier.pk}


def _sample_keeper():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from kaidan.core.roles import Role

    user, created = get_user_model().objects.get_or_create(username="sample-keeper")
    if created:
        user.groups.add(Group.objects.get(name=Role.WAREHOUSE))
    return user


# -- reading what the services wrote ----------------------------------------------------------

def order_for(seller, customer, warehouse, lines, **header):
    return confirmed_order(seller, customer, lines, warehouse_id=warehouse.pk, **header)


def held(order):
    """Open reservations of the order: order line id → (still wanted, reserved)."""
    return {r.order_line_id: (r.quantity, r.reserved)
            for r in Reservation.objects.filter(order_id=order.pk, status=Reservation.Status.OPEN)}


def note_lines(note):
    return [(line.order_line.position, line.product.sku, line.quantity)
            for line in note.lines.select_related("order_line", "product").order_by("position")]


def audit_count():
    return AuditEvent.objects.count()


def actions_of(obj):
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
                .order_by("at", "pk").values_list("action", flat=True))
