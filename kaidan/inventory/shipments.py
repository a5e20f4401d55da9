"""Goods leaving for a customer: on hand goes down by what ships and the order line's reservation
is consumed by the same amount, so ``reserved <= on_hand`` holds and the backorder (what the line
still wants) shrinks with it. Called by the shipping services inside their transaction, with the
order and the delivery note locked; inventory never imports shipping or sales: a line arrives as a
``ShipItem``. Stock rows are locked in ascending id, then changed by one conditional UPDATE per batch
that matches only while both columns stay within bounds; the database CHECKs are the last guard."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from kaidan.core.bulk import update_columns
from kaidan.core.errors import Conflict
from kaidan.core.money import plain_number
from kaidan.inventory import replenishment
from kaidan.inventory.locks import Pair, lock_levels
from kaidan.inventory.models import Reservation, StockLevel, StockMove
from kaidan.inventory.planning import ZERO

BATCH = 500


@dataclass(frozen=True)
class ShipItem:
    order_line_id: int
    product_id: int
    warehouse_id: int
    quantity: Decimal
    sku: str = ""


class NotReserved(Conflict):
    """A line to ship holds less reserved stock than it ships (nothing was written)."""

    code = "not_reserved"


def ship_reserved(items: list[ShipItem], *, actor, reference: str) -> list[StockMove]:
    """Take the items out of stock against their lines' reservations. Raises NotReserved naming
    the first line that does not hold enough."""
    if not items:
        return []
    pairs = {(item.product_id, item.warehouse_id) for item in items}
    levels = lock_levels(pairs)
    rows = {row.order_line_id: row for row in
            Reservation.objects.filter(order_line_id__in=[item.order_line_id for item in items],
                                       status=Reservation.Status.OPEN)}
    deltas: dict[Pair, Decimal] = defaultdict(lambda: ZERO)
    for item in items:
        row = rows.get(item.order_line_id)
        held = row.reserved if row is not None and row.warehouse_id == item.warehouse_id else ZERO
        if held < item.quantity or (item.product_id, item.warehouse_id) not in levels:
            raise NotReserved(_("%(sku)s: %(quantity)s to ship but only %(held)s reserved for the line.")
                              % {"sku": item.sku or item.product_id, "quantity": plain_number(item.quantity),
                                 "held": plain_number(held)}, order_line_id=item.order_line_id,
                              quantity=item.quantity, reserved=held)
        deltas[(item.product_id, item.warehouse_id)] += item.quantity
    changes = sorted(((levels[pair], amount) for pair, amount in deltas.items()), key=lambda c: c[0].pk)
    for start in range(0, len(changes), BATCH):
        batch = changes[start:start + BATCH]
        if _take_out(batch) != len(batch):
            raise NotReserved(_("Stock changed while shipping; try again."))
    _consume(rows, items)
    running = {pair: level.on_hand for pair, level in levels.items()}
    moves = []
    for item in items:
        pair = (item.product_id, item.warehouse_id)
        running[pair] -= item.quantity
        moves.append(StockMove(product_id=item.product_id, warehouse_id=item.warehouse_id,
                               kind=StockMove.Kind.SHIPMENT, quantity=-item.quantity, on_hand_after=running[pair],
                               reference=reference[:60], created_by=actor))
    for pair, amount in deltas.items():
        levels[pair].on_hand -= amount
        levels[pair].reserved -= amount
    StockMove.objects.bulk_create(moves, batch_size=BATCH)
    replenishment.review(pairs)
    return moves


def _take_out(batch: list[tuple[StockLevel, Decimal]]) -> int:
    """``on_hand -= n, reserved -= n`` for each row, only where ``reserved >= n`` (hence on hand too).
    Raw SQL for the same reason as ``reservations._update_reserved``; returns the rows matched."""
    quote = connection.ops.quote_name
    table, pk, reserved, on_hand = (quote(StockLevel._meta.db_table), quote("id"), quote("reserved"),
                                    quote("on_hand"))
    updated = quote("updated_at")
    case = f"CASE {pk} " + " ".join(["WHEN %s THEN %s"] * len(batch)) + " END"
    case_params = [value for level, amount in batch for value in (level.pk, amount)]
    ids = [level.pk for level, _amount in batch]
    sql = (f"UPDATE {table} SET {on_hand} = {on_hand} - {case}, {reserved} = {reserved} - {case}, {updated} = %s "
           f"WHERE {pk} IN ({', '.join(['%s'] * len(ids))}) AND {reserved} >= {case}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*case_params, *case_params, timezone.now(), *ids, *case_params])
        return cursor.rowcount


def _consume(rows: dict[int, Reservation], items: list[ShipItem]) -> None:
    now = timezone.now()
    changed = []
    for item in items:
        row = rows[item.order_line_id]
        row.quantity -= item.quantity
        row.reserved -= item.quantity
        if row.quantity <= 0:
            row.quantity, row.reserved, row.status = ZERO, ZERO, Reservation.Status.CLOSED
        row.updated_at = now
        changed.append(row)
    update_columns(Reservation, changed, ["quantity", "reserved", "status", "updated_at"])

