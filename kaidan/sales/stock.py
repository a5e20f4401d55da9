"""What an order asks of inventory: reserve its lines when it is confirmed (and adjust after a
revision), release them when it is cancelled. Services (products not kept in stock) reserve
nothing. Runs inside the order's transaction with the order locked, so the lock order is
order → stock rows (docs/architecture.md)."""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext as _

from kaidan.core.errors import ValidationFailed
from kaidan.inventory import reservations
from kaidan.inventory.reservations import LineDemand, LineReservation, OrderDemand
from kaidan.sales.models import SalesOrder, SalesOrderLine


def demand_of(order: SalesOrder) -> OrderDemand:
    if order.warehouse_id is None:
        raise ValidationFailed.for_field("warehouse_id", _("Choose the warehouse the order ships from."))
    # What is still to ship: a line's shipped quantity has left the warehouse and its reservation.
    lines = (SalesOrderLine.objects.filter(order_id=order.pk, product__track_stock=True,
                                           quantity__gt=F("shipped_quantity"))
             .order_by("position", "is_free", "id")
             .values_list("pk", "product_id", "quantity", "shipped_quantity", "product__sku"))
    return OrderDemand(order_id=order.pk, order_number=order.number, order_date=order.order_date,
                       warehouse_id=order.warehouse_id, partial=order.allow_partial_shipment,
                       lines=[LineDemand(pk, product_id, quantity - shipped, sku)
                              for pk, product_id, quantity, shipped, sku in lines])


def reserve(order: SalesOrder) -> list[LineReservation]:
    """Reserve (or re-adjust) the order's stock. Raises InsufficientStock unless the order allows
    partial shipment, ValidationFailed without a warehouse."""
    return reservations.reserve_order(demand_of(order))


def release(order: SalesOrder) -> None:
    reservations.release_order(order.pk)
