"""The one function that says how far an order has shipped: from its delivery notes, every time,
never by adding to a running figure, so calling it again (or after a crash, or from a repair
command) gives the same answer and writes nothing new."""

from __future__ import annotations

from django.db.models import Sum

from kaidan.sales import fulfilment as sales_fulfilment
from kaidan.sales.models import SalesOrder
from kaidan.shipping import states
from kaidan.shipping.models import DeliveryLine, DeliveryNote


def shipped_by_line(order_id: int) -> dict:
    return {row["order_line_id"]: row["total"] for row in
            DeliveryLine.objects.filter(note__order_id=order_id, note__status__in=states.SHIPPED)
            .values("order_line_id").annotate(total=Sum("quantity"))}


def recompute(order: SalesOrder, *, actor=None) -> bool:
    """Set each line's shipped quantity and the order's fulfilment sub-state (not shipped / partly
    shipped / shipped) from the shipped delivery notes. The caller holds the order's lock. Returns
    True if anything changed."""
    return sales_fulfilment.apply(order, shipped_by_line(order.pk), actor=actor)


def open_note_numbers(order: SalesOrder) -> list[str]:
    """Notes of the order still in the warehouse (draft, picking, packed)."""
    return list(DeliveryNote.objects.filter(order_id=order.pk, status__in=states.OPEN)
                .order_by("id").values_list("number", flat=True))
