"""The only place shipping takes row locks. Lock order (docs/architecture.md): the sales order →
its delivery note → stock rows in ascending id (inventory.shipments) → counters. Every write to a
note locks its order first, so two warehouse users working on the same order take turns, and
whatever they read of the order's lines, notes and reservations stays true until they commit."""

from __future__ import annotations

from kaidan.core.errors import NotFound
from kaidan.sales.locks import lock_order
from kaidan.sales.models import SalesOrder
from kaidan.sales.selectors import orders_visible_to
from kaidan.shipping.models import DeliveryNote


def lock_visible_order(actor, order_id: int) -> SalesOrder:
    order = lock_order(order_id)
    if order is None or not orders_visible_to(actor).filter(pk=order_id).exists():
        raise NotFound()
    return order


def lock_note(actor, note_id: int) -> tuple[SalesOrder, DeliveryNote]:
    """Lock the note's order, then the note; NotFound unless the actor may see the order."""
    order_id = DeliveryNote.objects.filter(pk=note_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound()
    order = lock_visible_order(actor, order_id)
    note = (DeliveryNote.objects.select_for_update(of=("self",)).select_related("warehouse", "carrier")
            .filter(pk=note_id, order_id=order_id).first())
    if note is None:
        raise NotFound()
    return order, note


def lock_note_for_carrier(note_id: int) -> tuple[SalesOrder, DeliveryNote]:
    """The same order of locks for a carrier's integration, which is not a user."""
    order_id = DeliveryNote.objects.filter(pk=note_id).values_list("order_id", flat=True).first()
    order = lock_order(order_id) if order_id is not None else None
    note = (DeliveryNote.objects.select_for_update(of=("self",)).select_related("warehouse", "carrier")
            .filter(pk=note_id).first())
    if order is None or note is None:
        raise NotFound()
    return order, note
