"""The only place inventory takes row locks. Lock order (docs/architecture.md): the document
(an order, a replenishment request) → stock rows in ascending id → reservation rows and
replenishment requests of those stock rows → counters. Reservation rows are written only by a
transaction holding their stock row's lock, so locking stock rows by id is the one thing that
orders concurrent reservations, receipts, cancellations and shipments; mixed line orders cannot
deadlock."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from kaidan.inventory.models import ReplenishmentRequest, StockLevel

Pair = tuple[int, int]  # (product_id, warehouse_id)


def lock_levels(pairs: Iterable[Pair], *, create: bool = False) -> dict[Pair, StockLevel]:
    """Lock the stock rows of ``pairs`` in ascending id and return them by pair. ``create`` first
    inserts the missing rows (empty), in (product, warehouse) order; without it a pair with no row
    is absent (nothing on hand)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    if create:
        existing = set(_rows(pairs).values_list("product_id", "warehouse_id"))
        missing = sorted(pairs - existing)
        if missing:
            StockLevel.objects.bulk_create([StockLevel(product_id=p, warehouse_id=w) for p, w in missing],
                                           ignore_conflicts=True)
    rows = _rows(pairs).select_for_update().order_by("pk")
    return {key: row for row in rows if (key := (row.product_id, row.warehouse_id)) in pairs}


def _rows(pairs: set[Pair]):
    warehouses = {w for _p, w in pairs}
    if len(warehouses) == 1:
        return StockLevel.objects.filter(warehouse_id=next(iter(warehouses)), product_id__in={p for p, _w in pairs})
    condition = Q()
    for product_id, warehouse_id in pairs:
        condition |= Q(product_id=product_id, warehouse_id=warehouse_id)
    return StockLevel.objects.filter(condition)


def lock_request(request_id: int) -> ReplenishmentRequest | None:
    return (ReplenishmentRequest.objects.select_for_update(of=("self",))
            .select_related("product__unit", "warehouse").filter(pk=request_id).first())


def lock_open_request(product_id: int, warehouse_id: int) -> ReplenishmentRequest | None:
    return (ReplenishmentRequest.objects.select_for_update()
            .filter(product_id=product_id, warehouse_id=warehouse_id, status=ReplenishmentRequest.Status.OPEN)
            .first())
