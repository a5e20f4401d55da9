"""Reserving stock for order lines, releasing it, and filling backorders when stock comes back.

Called by the sales services inside their transaction, with the order locked (inventory never
imports sales: an order arrives as an ``OrderDemand``). Every function here locks the stock rows
it touches in ascending id first (``locks.lock_levels``), then reads and writes the reservation
rows of those stock rows, and changes ``StockLevel.reserved`` only by conditional UPDATEs whose
WHERE clause re-checks ``0 <= reserved <= on_hand`` — the database CHECK is the last guard.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kaidan.core import audit
from kaidan.core.bulk import update_columns
from kaidan.core.errors import Conflict
from kaidan.core.money import plain_number
from kaidan.inventory import replenishment
from kaidan.inventory.locks import Pair, lock_levels
from kaidan.inventory.models import Reservation, StockLevel
from kaidan.inventory.planning import ZERO, allocate

# Rows per UPDATE when reserving (about five parameters each; far below either database's limit).
RESERVE_BATCH = 500

OPEN = Reservation.Status.OPEN
CLOSED = Reservation.Status.CLOSED


@dataclass(frozen=True)
class LineDemand:
    line_id: int
    product_id: int
    quantity: Decimal
    sku: str = ""


@dataclass(frozen=True)
class OrderDemand:
    """What a confirmed order wants from its warehouse, lines in their order on the document."""

    order_id: int
    order_number: str
    order_date: datetime.date
    warehouse_id: int
    lines: list[LineDemand]
    partial: bool = False


@dataclass(frozen=True)
class Shortage:
    line_id: int | None
    product_id: int
    warehouse_id: int
    sku: str
    wanted: Decimal
    available: Decimal

    @property
    def missing(self) -> Decimal:
        return self.wanted - self.available


@dataclass(frozen=True)
class LineReservation:
    line_id: int
    product_id: int
    quantity: Decimal
    reserved: Decimal

    @property
    def backordered(self) -> Decimal:
        return self.quantity - self.reserved


class InsufficientStock(Conflict):
    """Confirming would need more than is available (all-or-nothing); nothing was reserved."""

    code = "insufficient_stock"

    def __init__(self, shortages: list[Shortage], demand: dict[Pair, Decimal] | None = None):
        self.shortages = shortages
        # per stock row: what the refused order needed beyond what it already held there
        self.demand = demand or {(s.product_id, s.warehouse_id): s.missing for s in shortages}
        parts = [_("%(sku)s: %(wanted)s wanted, %(available)s available")
                 % {"sku": s.sku or s.product_id, "wanted": plain_number(s.wanted),
                    "available": plain_number(s.available)} for s in shortages]
        super().__init__(_("Not enough stock. %(lines)s.") % {"lines": "; ".join(parts)},
                         lines=[{"line_id": s.line_id, "product_id": s.product_id, "sku": s.sku,
                                 "warehouse_id": s.warehouse_id, "wanted": s.wanted, "available": s.available,
                                 "missing": s.missing} for s in shortages])


@dataclass
class _Plan:
    shortages: list[Shortage] = field(default_factory=list)
    give: dict[int, Decimal] = field(default_factory=dict)  # line id → quantity to hold


def reserve_order(demand: OrderDemand) -> list[LineReservation]:
    """Make the order's reservations match its lines: new lines reserve, changed lines adjust,
    removed lines release (what the order already holds counts as available to it). All or
    nothing unless ``demand.partial``, in which case what is missing stays as a backorder and a
    replenishment request asks for it. Raises InsufficientStock (nothing written)."""
    warehouse_id = demand.warehouse_id
    held_pairs = set(Reservation.objects.filter(order_id=demand.order_id, status=OPEN)
                     .values_list("product_id", "warehouse_id"))
    pairs = {(line.product_id, warehouse_id) for line in demand.lines} | held_pairs
    # A partial order may backorder a product never stocked here and then touch its replenishment
    # request: its stock row must exist so that the lock on it orders those writes (locks.py).
    levels = lock_levels(pairs, create=demand.partial)
    rows = {row.order_line_id: row for row in Reservation.objects.filter(order_id=demand.order_id)}
    held = _held_by_pair(rows.values())
    plan = _plan(demand, levels, held)
    if plan.shortages and not demand.partial:
        wanted = defaultdict(lambda: ZERO)
        for line in demand.lines:
            wanted[(line.product_id, warehouse_id)] += line.quantity
        short_pairs = {(s.product_id, s.warehouse_id) for s in plan.shortages}
        raise InsufficientStock(plan.shortages, {pair: wanted[pair] - held[pair] for pair in short_pairs})

    wanted_rows, new_rows = [], []
    for line in demand.lines:
        row = rows.pop(line.line_id, None)
        values = {"product_id": line.product_id, "warehouse_id": warehouse_id, "quantity": line.quantity,
                  "reserved": plan.give[line.line_id], "status": OPEN, "order_date": demand.order_date,
                  "order_number": demand.order_number}
        if row is None:
            new_rows.append(Reservation(order_id=demand.order_id, order_line_id=line.line_id, **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            wanted_rows.append(row)
    for row in rows.values():  # lines no longer on the order
        if row.status == OPEN:
            row.reserved, row.status = ZERO, CLOSED
            wanted_rows.append(row)

    after = defaultdict(lambda: ZERO)
    for line in demand.lines:
        after[(line.product_id, warehouse_id)] += plan.give[line.line_id]
    deltas = {pair: after[pair] - held[pair] for pair in pairs}
    _change_reserved(levels, deltas)
    Reservation.objects.bulk_create(new_rows)
    if wanted_rows:
        _save(wanted_rows, ["product_id", "warehouse_id", "quantity", "reserved", "status", "order_date",
                            "order_number"])
    fill_backorders({pair: levels[pair] for pair, delta in deltas.items() if delta < 0 and pair in levels})
    short_pairs = {(s.product_id, s.warehouse_id) for s in plan.shortages}
    replenishment.review(pairs, shortage_pairs=short_pairs)
    return [LineReservation(line.line_id, line.product_id, line.quantity, plan.give[line.line_id])
            for line in demand.lines]


def _held_by_pair(rows: Iterable[Reservation]) -> dict[Pair, Decimal]:
    held = defaultdict(lambda: ZERO)
    for row in rows:
        if row.status == OPEN:
            held[(row.product_id, row.warehouse_id)] += row.reserved
    return held


def _plan(demand: OrderDemand, levels: dict[Pair, StockLevel], held: dict[Pair, Decimal]) -> _Plan:
    """Hand out, per stock row, what is available plus what this order already holds there, to the
    order's lines in their order."""
    plan = _Plan()
    by_pair = defaultdict(list)
    for line in demand.lines:
        by_pair[(line.product_id, demand.warehouse_id)].append(line)
    for pair, lines in by_pair.items():
        level = levels.get(pair)
        free = (level.available if level else ZERO) + held[pair]
        for line, given in zip(lines, allocate([line.quantity for line in lines], free), strict=True):
            plan.give[line.line_id] = given
            if given < line.quantity:
                plan.shortages.append(Shortage(line.line_id, line.product_id, demand.warehouse_id, line.sku,
                                               line.quantity, given))
    return plan


def _change_reserved(levels: dict[Pair, StockLevel], deltas: dict[Pair, Decimal]) -> None:
    """Apply reserved += delta per stock row with UPDATEs that only match while the result stays
    within 0..on_hand — one statement per batch of rows, each row with its own delta. The rows are
    locked, so a row not matched means the plan was wrong: refuse rather than oversell."""
    changes = []
    for pair, delta in deltas.items():
        if not delta:
            continue
        level = levels.get(pair)
        if level is None:
            raise InsufficientStock([Shortage(None, pair[0], pair[1], "", delta, ZERO)])
        changes.append((pair, level, delta))
    changes.sort(key=lambda change: change[1].pk)
    for start in range(0, len(changes), RESERVE_BATCH):
        batch = changes[start:start + RESERVE_BATCH]
        if _update_reserved(batch) != len(batch):
            _refuse(batch)
        for _pair, level, amount in batch:
            level.reserved += amount


def _update_reserved(batch: list[tuple[Pair, StockLevel, Decimal]]) -> int:
    """One ``UPDATE … SET reserved = reserved + CASE id WHEN … END WHERE … 0 <= result <= on_hand``;
    written in SQL because the ORM takes longer to compile a 500-branch CASE (three times) than the
    database takes to run it. Returns how many rows matched."""
    quote = connection.ops.quote_name
    table, pk, reserved, on_hand = (quote(StockLevel._meta.db_table), quote("id"), quote("reserved"),
                                    quote("on_hand"))
    case = f"CASE {pk} " + " ".join(["WHEN %s THEN %s"] * len(batch)) + " END"
    case_params = [value for _pair, level, amount in batch for value in (level.pk, amount)]
    ids = [level.pk for _pair, level, _amount in batch]
    sql = (f"UPDATE {table} SET {reserved} = {reserved} + {case} WHERE {pk} IN ({', '.join(['%s'] * len(ids))}) "
           f"AND {reserved} + {case} >= 0 AND {reserved} + {case} <= {on_hand}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*case_params, *ids, *case_params, *case_params])
        return cursor.rowcount


def _refuse(batch: list[tuple[Pair, StockLevel, Decimal]]) -> None:
    """Name the first row of a batch whose change did not fit (the transaction rolls back)."""
    now = dict(StockLevel.objects.filter(pk__in=[level.pk for _pair, level, _amount in batch])
               .values_list("pk", "reserved"))
    for pair, level, amount in batch:
        if not ZERO <= now[level.pk] + amount <= level.on_hand:
            raise InsufficientStock([Shortage(None, pair[0], pair[1], "", amount, level.available)])
    raise InsufficientStock([Shortage(None, batch[0][0][0], batch[0][0][1], "", batch[0][2], batch[0][1].available)])


def release_order(order_id: int) -> None:
    """Give back everything the order holds and close its reservations (cancelling); waiting
    backorders of other orders get the stock, oldest order first."""
    pairs = set(Reservation.objects.filter(order_id=order_id, status=OPEN).values_list("product_id", "warehouse_id"))
    if not pairs:
        return
    levels = lock_levels(pairs)
    rows = list(Reservation.objects.filter(order_id=order_id, status=OPEN))
    held = _held_by_pair(rows)
    _change_reserved(levels, {pair: -amount for pair, amount in held.items()})
    for row in rows:
        row.reserved, row.status = ZERO, CLOSED
    _save(rows, ["reserved", "status"])
    fill_backorders({pair: levels[pair] for pair in held if pair in levels})


def fill_backorders(levels: dict[Pair, StockLevel]) -> None:
    """Reserve what is available on these (locked) stock rows for the open backorders, oldest order
    first."""
    for pair, level in sorted(levels.items(), key=lambda item: item[1].pk):
        if level.available <= 0:
            continue
        waiting = list(Reservation.objects.filter(product_id=pair[0], warehouse_id=pair[1], status=OPEN,
                                                  reserved__lt=F("quantity"))
                       .order_by("order_date", "order_id", "order_line_id"))
        if not waiting:
            continue
        given = allocate([row.quantity - row.reserved for row in waiting], level.available)
        changed = []
        for row, amount in zip(waiting, given, strict=True):
            if amount:
                row.reserved += amount
                changed.append(row)
        _change_reserved(levels, {pair: sum(given, ZERO)})
        _save(changed, ["reserved"])
        for row, amount in zip(waiting, given, strict=True):
            if amount:  # the order's salesperson can see when its backorder got stock
                audit.record(row, "backorder_reserved", after={"order_number": row.order_number,
                                                               "reserved": plain_number(row.reserved),
                                                               "quantity": plain_number(row.quantity)})


def _save(rows: list[Reservation], fields: list[str]) -> None:
    now = timezone.now()
    for row in rows:
        row.updated_at = now
    update_columns(Reservation, rows, [*fields, "updated_at"])
