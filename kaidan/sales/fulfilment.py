"""How far an order has shipped, as the shipping app reports it (shipping depends on sales, not the
other way round): ``apply`` writes the shipped quantity of each line and the order's fulfilment
sub-state; ``open_shipments`` asks the shipping app, registered at start, which delivery notes of an
order are still in the warehouse, so an order is not revised or cancelled under them."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _

from kaidan.core import audit
from kaidan.core.bulk import update_columns
from kaidan.core.errors import Conflict
from kaidan.sales.models import SalesOrder, SalesOrderLine
from kaidan.sales.states import FulfilmentStatus

ZERO = Decimal("0")
_open_shipments: Callable[[SalesOrder], list[str]] | None = None


def register_open_shipments(finder: Callable[[SalesOrder], list[str]]) -> None:
    global _open_shipments
    _open_shipments = finder


def refuse_if_shipping(order: SalesOrder, *, cancelling: bool) -> None:
    """Raise Conflict (409) naming the delivery notes the warehouse is working on for this order."""
    numbers = _open_shipments(order) if _open_shipments is not None else []
    if numbers:
        message = (_("Delivery notes %(numbers)s of this order are still in the warehouse; they must be cancelled "
                     "before the order can be cancelled.") if cancelling else
                   _("Delivery notes %(numbers)s of this order are still in the warehouse; they must be cancelled "
                     "before the order can be revised."))
        raise Conflict(message % {"numbers": ", ".join(numbers)}, delivery_notes=numbers)


def status_of(lines: list[tuple[Decimal, Decimal]]) -> str:
    """(ordered, shipped) per line → not shipped / partly shipped / shipped. Pure."""
    if not lines or all(shipped <= 0 for _ordered, shipped in lines):
        return FulfilmentStatus.NOT_SHIPPED
    if all(shipped >= ordered for ordered, shipped in lines):
        return FulfilmentStatus.SHIPPED
    return FulfilmentStatus.PARTLY_SHIPPED


def apply(order: SalesOrder, shipped: dict[int, Decimal], *, actor=None) -> bool:
    """Make the lines' shipped quantities equal ``shipped`` (line id → quantity; missing = 0) and the
    order's sub-state follow; writes only what differs, so calling it again changes nothing. The
    caller holds the order's lock. Returns True if anything changed."""
    lines = list(SalesOrderLine.objects.filter(order_id=order.pk).only("pk", "quantity", "shipped_quantity"))
    changed = []
    for line in lines:
        wanted = shipped.get(line.pk, ZERO)
        if line.shipped_quantity != wanted:
            line.shipped_quantity = wanted
            changed.append(line)
    update_columns(SalesOrderLine, changed, ["shipped_quantity"])
    status = status_of([(line.quantity, line.shipped_quantity) for line in lines])
    # Compare with what is stored, not with the caller's copy (which may be older): otherwise a
    # second call with a stale copy would write the same status again and audit a change that was not.
    stored = SalesOrder.objects.filter(pk=order.pk).values_list("fulfilment_status", flat=True).first()
    order.fulfilment_status = stored if stored is not None else order.fulfilment_status
    moved = status != order.fulfilment_status
    if moved:
        before = order.fulfilment_status
        order.fulfilment_status = status
        SalesOrder.objects.filter(pk=order.pk).update(fulfilment_status=status)
        audit.record(order, "fulfilment_changed", actor=actor, before={"fulfilment_status": before},
                     after={"fulfilment_status": status})
    return bool(changed) or moved
