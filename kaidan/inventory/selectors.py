"""Reads of stock: levels, the move ledger, reservations, replenishment, and availability with
badges, promise dates and substitutes for lines being typed into an order."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kaidan.catalog.models import Product, ProductSubstitute
from kaidan.inventory.locks import Pair
from kaidan.inventory.models import (
    ReorderRule,
    ReplenishmentRequest,
    Reservation,
    StockLevel,
    StockMove,
    StockOperation,
    Warehouse,
)
from kaidan.inventory.planning import IN_STOCK, ZERO, Supply, badge, promise_date

OPEN = Reservation.Status.OPEN
ORDERED = ReplenishmentRequest.Status.ORDERED
QTY = DecimalField(max_digits=14, decimal_places=4)
MAX_SUBSTITUTES = 5


def warehouses(*, active_only: bool = True) -> QuerySet[Warehouse]:
    qs = Warehouse.objects.all()
    return qs.filter(active=True) if active_only else qs


def default_warehouse() -> Warehouse | None:
    return Warehouse.objects.filter(active=True).order_by("code").first()


# -- levels --------------------------------------------------------------------------------------

STATUS_FILTERS = {
    "short": Q(available__lte=0),
    "available": Q(available__gt=0),
    "reserved": Q(reserved__gt=0),
    "below_min": Q(below_min=True),
}


def stock_levels(*, q: str | None = None, warehouse_id: int | None = None, product_id: int | None = None,
                 category_id: int | None = None, status: str | None = None) -> QuerySet[StockLevel]:
    """Stock rows with ``available``, ``incoming`` (ordered, not received) and ``backordered``
    annotated, for the overview and the API."""
    incoming = (ReplenishmentRequest.objects.filter(status=ORDERED, product_id=OuterRef("product_id"),
                                                    warehouse_id=OuterRef("warehouse_id"))
                .values("product_id").annotate(total=Sum("quantity")).values("total"))
    waiting = (Reservation.objects.filter(status=OPEN, reserved__lt=F("quantity"), product_id=OuterRef("product_id"),
                                          warehouse_id=OuterRef("warehouse_id"))
               .values("product_id").annotate(total=Sum(F("quantity") - F("reserved"))).values("total"))
    min_level = ReorderRule.objects.filter(active=True, product_id=OuterRef("product_id"),
                                           warehouse_id=OuterRef("warehouse_id")).values("min_level")[:1]
    qs = (StockLevel.objects.select_related("product__unit", "warehouse")
          .alias(available=F("on_hand") - F("reserved"))  # an alias: StockLevel.available is a read-only property
          .annotate(incoming=Coalesce(Subquery(incoming, output_field=QTY), Value(ZERO), output_field=QTY),
                    backordered=Coalesce(Subquery(waiting, output_field=QTY), Value(ZERO), output_field=QTY),
                    min_level=Subquery(min_level, output_field=QTY)))
    if status == "below_min":
        qs = qs.annotate(below_min=Q(min_level__isnull=False) & Q(available__lt=F("min_level")))
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if product_id:
        qs = qs.filter(product_id=product_id)
    if category_id:
        qs = qs.filter(product__category_id=category_id)
    if q:
        qs = qs.filter(Q(product__sku__icontains=q) | Q(product__name__icontains=q)
                       | Q(product__search_text__icontains=q.lower()))
    if status in STATUS_FILTERS:
        qs = qs.filter(STATUS_FILTERS[status])
    return qs.order_by("product__sku", "warehouse__code")


def levels_by_pair(pairs: Iterable[Pair]) -> dict[Pair, StockLevel]:
    pairs = set(pairs)
    rows = StockLevel.objects.filter(product_id__in={p for p, _w in pairs}, warehouse_id__in={w for _p, w in pairs})
    return {(r.product_id, r.warehouse_id): r for r in rows if (r.product_id, r.warehouse_id) in pairs}


def available_by_product(product_ids: Iterable[int], warehouse_id: int | None = None) -> dict[int, dict]:
    """{product id: {"warehouse": available there (or None), "total": available everywhere}} — what
    the product picker and the order lines show."""
    result: dict[int, dict] = {}
    rows = StockLevel.objects.filter(product_id__in=set(product_ids)).values_list(
        "product_id", "warehouse_id", "on_hand", "reserved")
    for product_id, wh_id, on_hand, reserved in rows:
        entry = result.setdefault(product_id, {"warehouse": ZERO if warehouse_id else None, "total": ZERO})
        entry["total"] += on_hand - reserved
        if wh_id == warehouse_id:
            entry["warehouse"] = on_hand - reserved
    for product_id in product_ids:
        result.setdefault(product_id, {"warehouse": ZERO if warehouse_id else None, "total": ZERO})
    return result


# -- availability check -----------------------------------------------------------------------------

@dataclass
class Substitute:
    product: Product
    available: Decimal


@dataclass
class LineAvailability:
    """What can ship of one wanted line from one warehouse, and what to do when it is short."""

    product_id: int
    quantity: Decimal
    warehouse_id: int
    available: Decimal  # free in this warehouse now
    available_total: Decimal  # free in every warehouse
    incoming: Decimal
    badge: str
    promise_date: datetime.date | None
    substitutes: list[Substitute] = field(default_factory=list)
    reserved: Decimal | None = None  # for a confirmed order line: what it holds
    ref: int | None = None  # the caller's key (an order line id)
    tracked: bool = True  # False for a service: never short

    @property
    def can_ship_now(self) -> Decimal:
        if not self.tracked:
            return self.quantity
        return self.reserved if self.reserved is not None else max(min(self.quantity, self.available), ZERO)

    @property
    def short(self) -> Decimal:
        return self.quantity - self.can_ship_now


def supplies_by_pair(pairs: set[Pair]) -> dict[Pair, list[Supply]]:
    """Ordered replenishment with its expected date, per product × warehouse."""
    rows = ReplenishmentRequest.objects.filter(
        status=ORDERED, product_id__in={p for p, _w in pairs}, warehouse_id__in={w for _p, w in pairs},
    ).values_list("product_id", "warehouse_id", "expected_date", "quantity")
    result: dict[Pair, list[Supply]] = defaultdict(list)
    for product_id, wh_id, expected, quantity in rows:
        result[(product_id, wh_id)].append(Supply(expected, quantity))
    return result


def _waiting_queue(pairs: set[Pair]) -> dict[Pair, list[tuple]]:
    """Open backorders per pair, oldest first: (order_line_id, missing)."""
    rows = (Reservation.objects.filter(status=OPEN, reserved__lt=F("quantity"), product_id__in={p for p, _w in pairs},
                                       warehouse_id__in={w for _p, w in pairs})
            .order_by("order_date", "order_id", "order_line_id")
            .values_list("product_id", "warehouse_id", "order_line_id", "quantity", "reserved"))
    result: dict[Pair, list[tuple]] = defaultdict(list)
    for product_id, wh_id, line_id, quantity, reserved in rows:
        result[(product_id, wh_id)].append((line_id, quantity - reserved))
    return result


def untracked_ids(product_ids: Iterable[int]) -> set[int]:
    """The services among these products (not kept in stock)."""
    return set(Product.objects.filter(pk__in=set(product_ids), track_stock=False).values_list("pk", flat=True))


def _untracked_line(product_id, quantity, warehouse_id, ref, today) -> LineAvailability:
    return LineAvailability(product_id=product_id, quantity=quantity, warehouse_id=warehouse_id, available=quantity,
                            available_total=quantity, incoming=ZERO, badge=IN_STOCK, promise_date=today, ref=ref,
                            tracked=False)


def check_availability(lines: list[tuple], warehouse_id: int, *, with_substitutes: bool = True,
                       today: datetime.date | None = None,
                       held: dict[int, Decimal] | None = None) -> list[LineAvailability]:
    """For each (product id, quantity[, ref]) wanted from ``warehouse_id``: what is free now here and
    everywhere, a badge, the promise date (orders already waiting take incoming stock first) and,
    for a short line, substitutes that have the quantity in stock. Lines of the same product share
    what is free, in their order. ``held``: what the order being checked already holds per product
    (a revised order keeps its reservations), which is free to it. A fixed number of queries
    whatever the number of lines."""
    today = today or timezone.localdate()
    product_ids = {line[0] for line in lines}
    pairs = {(pid, warehouse_id) for pid in product_ids}
    free = available_by_product(product_ids, warehouse_id)
    free_here = {pid: entry["warehouse"] + (held or {}).get(pid, ZERO) for pid, entry in free.items()}
    totals = {pid: entry["total"] for pid, entry in free.items()}
    supplies = supplies_by_pair(pairs)
    queue = _waiting_queue(pairs)
    waiting = {pair: sum((missing for _l, missing in rows), ZERO) for pair, rows in queue.items()}
    result = []
    used: dict[int, Decimal] = defaultdict(lambda: ZERO)
    services = untracked_ids(product_ids)
    for product_id, quantity, *ref in lines:
        if product_id in services:
            result.append(_untracked_line(product_id, quantity, warehouse_id, ref[0] if ref else None, today))
            continue
        pair = (product_id, warehouse_id)
        free = free_here.get(product_id, ZERO) - used[product_id]
        used[product_id] += max(min(quantity, free), ZERO)
        plan = supplies.get(pair, [])
        result.append(LineAvailability(
            product_id=product_id, quantity=quantity, warehouse_id=warehouse_id, available=free,
            available_total=totals.get(product_id, ZERO), incoming=sum((s.quantity for s in plan), ZERO),
            badge=badge(quantity, free),
            promise_date=promise_date(quantity, free_now=free - waiting.get(pair, ZERO), supplies=plan, today=today),
            ref=ref[0] if ref else None))
    if with_substitutes:
        attach_substitutes(result, warehouse_id)
    return result


def attach_substitutes(lines: list[LineAvailability], warehouse_id: int) -> None:
    """Substitutes (catalogue order) with enough free stock in the warehouse, for the short lines."""
    short = {line.product_id for line in lines if line.short > 0}
    if not short:
        return
    links = (ProductSubstitute.objects.filter(product_id__in=short, substitute__active=True)
             .select_related("substitute__unit").order_by("product_id", "position"))
    by_product: dict[int, list[Product]] = defaultdict(list)
    for link in links:
        by_product[link.product_id].append(link.substitute)
    free = available_by_product({p.pk for subs in by_product.values() for p in subs}, warehouse_id)
    for line in lines:
        if line.short > 0:
            line.substitutes = [Substitute(p, free[p.pk]["warehouse"]) for p in by_product.get(line.product_id, [])
                                if free[p.pk]["warehouse"] >= line.quantity][:MAX_SUBSTITUTES]


def order_line_stock(order_id: int, lines: list[tuple], warehouse_id: int, *, confirmed: bool,
                     today: datetime.date | None = None) -> dict[int, LineAvailability]:
    """Stock per order line, by line id. ``lines``: (line id, product id, quantity). A confirmed
    order's lines show what their reservation holds and, for a backorder, when the rest can ship
    (after older orders waiting); a draft's lines show what could be reserved now."""
    today = today or timezone.localdate()
    if not confirmed:
        own = defaultdict(lambda: ZERO)
        for row in Reservation.objects.filter(order_id=order_id, status=OPEN, warehouse_id=warehouse_id):
            own[row.product_id] += row.reserved
        checked = check_availability([(pid, qty, line_id) for line_id, pid, qty in lines], warehouse_id, today=today,
                                     held=own)
        return {line.ref: line for line in checked}
    held = {r.order_line_id: r for r in Reservation.objects.filter(order_id=order_id, status=OPEN)}
    pairs = {(pid, warehouse_id) for _l, pid, _q in lines}
    both = available_by_product({p for p, _w in pairs}, warehouse_id)
    free = {pid: entry["warehouse"] for pid, entry in both.items()}
    totals = {pid: entry["total"] for pid, entry in both.items()}
    supplies = supplies_by_pair(pairs)
    queue = _waiting_queue(pairs)
    services = untracked_ids(p for p, _w in pairs)
    result = {}
    for line_id, product_id, quantity in lines:
        if product_id in services:
            result[line_id] = _untracked_line(product_id, quantity, warehouse_id, line_id, today)
            continue
        row = held.get(line_id)
        reserved = row.reserved if row else ZERO
        missing = quantity - reserved
        pair = (product_id, warehouse_id)
        ahead = ZERO
        for waiting_line, amount in queue.get(pair, []):
            if waiting_line == line_id:
                break
            ahead += amount
        plan = supplies.get(pair, [])
        result[line_id] = LineAvailability(
            product_id=product_id, quantity=quantity, warehouse_id=warehouse_id, available=free.get(product_id, ZERO),
            available_total=totals.get(product_id, ZERO), incoming=sum((s.quantity for s in plan), ZERO),
            badge=badge(quantity, reserved), reserved=reserved, ref=line_id,
            promise_date=today if missing <= 0 else promise_date(
                missing, free_now=-ahead, supplies=plan, today=today))
    return result


# -- ledger, reservations, replenishment ----------------------------------------------------------------

def _where(qs: QuerySet, **filters) -> QuerySet:
    """The filters that were given (None or empty means "any")."""
    return qs.filter(**{name: value for name, value in filters.items() if value})


def moves(*, product_id: int | None = None, warehouse_id: int | None = None, kind: str | None = None,
          operation_id: int | None = None) -> QuerySet[StockMove]:
    qs = StockMove.objects.select_related("product__unit", "warehouse", "operation", "created_by")
    return _where(qs, product_id=product_id, warehouse_id=warehouse_id, kind=kind,
                  operation_id=operation_id).order_by("-id")


def operations(*, kind: str | None = None, warehouse_id: int | None = None) -> QuerySet[StockOperation]:
    qs = StockOperation.objects.select_related("warehouse", "to_warehouse", "created_by")
    if kind:
        qs = qs.filter(kind=kind)
    if warehouse_id:
        qs = qs.filter(Q(warehouse_id=warehouse_id) | Q(to_warehouse_id=warehouse_id))
    return qs.order_by("-id")


def operation(operation_id: int) -> StockOperation | None:
    return operations().filter(pk=operation_id).first()


def reservations(*, order_id: int | None = None, product_id: int | None = None, warehouse_id: int | None = None,
                 open_only: bool = True, backordered_only: bool = False) -> QuerySet[Reservation]:
    qs = Reservation.objects.select_related("product__unit", "warehouse")
    if open_only:
        qs = qs.filter(status=OPEN)
    if backordered_only:
        qs = qs.filter(reserved__lt=F("quantity"))
    qs = _where(qs, order_id=order_id, product_id=product_id, warehouse_id=warehouse_id)
    return qs.order_by("order_date", "order_id", "order_line_id")


def replenishment_requests(*, status: str | None = None, warehouse_id: int | None = None,
                           product_id: int | None = None) -> QuerySet[ReplenishmentRequest]:
    qs = ReplenishmentRequest.objects.select_related("product__unit", "warehouse", "created_by", "receipt")
    qs = _where(qs, status=status, warehouse_id=warehouse_id, product_id=product_id)
    return qs.order_by("expected_date", "-id") if status == ORDERED else qs.order_by("-id")


def replenishment_request(request_id: int) -> ReplenishmentRequest | None:
    return replenishment_requests().filter(pk=request_id).first()


def reorder_rules(*, warehouse_id: int | None = None, product_id: int | None = None) -> QuerySet[ReorderRule]:
    qs = ReorderRule.objects.select_related("product__unit", "warehouse")
    return _where(qs, warehouse_id=warehouse_id, product_id=product_id).order_by("warehouse__code", "product__sku")


# -- the invariant check ---------------------------------------------------------------------------------

def stock_discrepancies() -> list[str]:
    """Every stock row whose on hand differs from the sum of its moves, whose reserved differs from
    the sum of its open reservations, or that breaks 0 <= reserved <= on hand; empty when all is well."""
    problems = []
    moved = {(r["product_id"], r["warehouse_id"]): r["total"] for r in
             StockMove.objects.values("product_id", "warehouse_id").annotate(total=Sum("quantity"))}
    held = {(r["product_id"], r["warehouse_id"]): r["total"] for r in Reservation.objects.filter(status=OPEN)
            .values("product_id", "warehouse_id").annotate(total=Sum("reserved"))}
    seen = set()
    for level in StockLevel.objects.select_related("product", "warehouse").order_by("pk").iterator():
        pair = (level.product_id, level.warehouse_id)
        seen.add(pair)
        where = f"{level.product.sku} @ {level.warehouse.code}"
        if level.on_hand != moved.get(pair, ZERO):
            problems.append(f"{where}: on hand {level.on_hand} but moves add up to {moved.get(pair, ZERO)}")
        if level.reserved != held.get(pair, ZERO):
            problems.append(f"{where}: reserved {level.reserved} but open reservations hold {held.get(pair, ZERO)}")
        if not ZERO <= level.reserved <= level.on_hand:
            problems.append(f"{where}: reserved {level.reserved} outside 0..{level.on_hand}")
    for pair in (set(moved) | set(held)) - seen:
        if moved.get(pair) or held.get(pair):
            problems.append(f"product {pair[0]} @ warehouse {pair[1]}: moves or reservations without a stock row")
    return problems
