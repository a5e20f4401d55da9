"""Telling purchasing what is missing. ``review`` looks at stock rows after a change and makes sure
an open replenishment request covers each shortage (backorders, an order refused for lack of
stock) and each fall below a reorder rule's minimum. At most one request is open per product ×
warehouse, so shortages from many orders add up in one request; its quantity only grows here.

Runs inside the caller's transaction after the stock rows are locked (lock order: stock rows →
requests → counters)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from kaidan.core import audit, numbering
from kaidan.core.money import plain_number
from kaidan.inventory.locks import Pair, lock_levels, lock_open_request
from kaidan.inventory.models import ReorderRule, ReplenishmentRequest, Reservation, StockLevel
from kaidan.inventory.planning import ZERO, Levels, replenishment_quantity

Source = ReplenishmentRequest.Source


def review(pairs: Iterable[Pair], *, shortage_pairs: Iterable[Pair] = (), extra: dict[Pair, Decimal] | None = None,
           actor=None) -> list[ReplenishmentRequest]:
    """Raise or grow the open request of every pair that needs one. ``shortage_pairs`` just got a
    backorder; ``extra`` is demand refused for lack of stock (not recorded anywhere else). Only
    pairs with a reorder rule, a shortage or extra demand are looked at, so the common case costs
    one query."""
    pairs = set(pairs)
    extra = extra or {}
    if not pairs and not extra:
        return []
    rules = _rules(pairs | set(extra))
    candidates = set(rules) | set(shortage_pairs) | set(extra)
    if not candidates:
        return []
    levels = _levels(candidates)
    backordered = _backordered(candidates)
    incoming = incoming_by_pair(candidates)
    raised = []
    for pair in sorted(candidates):
        level = levels.get(pair, (ZERO, ZERO))
        rule = rules.get(pair)
        quantity = replenishment_quantity(Levels(level[0], level[1], backordered.get(pair, ZERO)),
                                          incoming=incoming.get(pair, ZERO), extra_demand=extra.get(pair, ZERO),
                                          min_level=rule[0] if rule else None, max_level=rule[1] if rule else None)
        if quantity > 0:
            source = Source.SHORTAGE if pair in extra or backordered.get(pair) else Source.REORDER
            raised.append(ensure_request(pair, quantity, source=source, actor=actor))
    return raised


def _rules(pairs: set[Pair]) -> dict[Pair, tuple[Decimal, Decimal]]:
    if not pairs:
        return {}
    rows = ReorderRule.objects.filter(active=True, product_id__in={p for p, _w in pairs},
                                      warehouse_id__in={w for _p, w in pairs})
    return {(r.product_id, r.warehouse_id): (r.min_level, r.max_level) for r in rows
            if (r.product_id, r.warehouse_id) in pairs}


def _levels(pairs: set[Pair]) -> dict[Pair, tuple[Decimal, Decimal]]:
    rows = StockLevel.objects.filter(product_id__in={p for p, _w in pairs}, warehouse_id__in={w for _p, w in pairs})
    return {(r.product_id, r.warehouse_id): (r.on_hand, r.reserved) for r in rows}


def _backordered(pairs: set[Pair]) -> dict[Pair, Decimal]:
    rows = (Reservation.objects.filter(status=Reservation.Status.OPEN, reserved__lt=F("quantity"),
                                       product_id__in={p for p, _w in pairs}, warehouse_id__in={w for _p, w in pairs})
            .values("product_id", "warehouse_id").annotate(missing=Sum(F("quantity") - F("reserved"))))
    return {(r["product_id"], r["warehouse_id"]): r["missing"] for r in rows}


def incoming_by_pair(pairs: set[Pair]) -> dict[Pair, Decimal]:
    """What purchasing has ordered and not yet received, per product × warehouse."""
    rows = (ReplenishmentRequest.objects.filter(status=ReplenishmentRequest.Status.ORDERED,
                                                product_id__in={p for p, _w in pairs},
                                                warehouse_id__in={w for _p, w in pairs})
            .values("product_id", "warehouse_id").annotate(total=Sum("quantity")))
    result = defaultdict(lambda: ZERO)
    for row in rows:
        result[(row["product_id"], row["warehouse_id"])] += row["total"]
    return result


def ensure_request(pair: Pair, quantity: Decimal, *, source: str, actor=None, add: bool = False,
                   notes: str = "") -> ReplenishmentRequest:
    """The open request of ``pair``, created or grown to ``quantity`` (``add``: grown by it). Two
    transactions creating the same request at once: the second waits on the unique index, then
    finds and grows the first one's request."""
    request = lock_open_request(*pair)
    if request is None:
        try:
            with transaction.atomic():
                request = ReplenishmentRequest(product_id=pair[0], warehouse_id=pair[1], quantity=quantity,
                                               source=source, created_by=actor, notes=notes[:400])
                request.number = numbering.next_number("replenishment")
                request.save()
        except IntegrityError:
            request = lock_open_request(*pair)
            if request is None:
                raise
        else:
            audit.record(request, "created", actor=actor,
                         after={"quantity": plain_number(quantity), "source": source})
            return request
    wanted = request.quantity + quantity if add else max(request.quantity, quantity)
    if wanted != request.quantity:
        before = {"quantity": plain_number(request.quantity)}
        request.quantity = wanted
        request.version += 1
        request.save(update_fields=["quantity", "version"])
        audit.record(request, "quantity_raised", actor=actor, before=before,
                     after={"quantity": plain_number(wanted)})
    return request


@transaction.atomic
def request_for_refused_order(demand: dict[Pair, Decimal], *, actor=None) -> list[ReplenishmentRequest]:
    """After an order was refused for lack of stock (its transaction rolled back), ask purchasing for
    what it was missing, in a transaction of its own. ``demand``: what the order wanted per stock row
    (``InsufficientStock.demand``); the request covers it on top of what others hold or wait for.
    The stock rows are locked first, as everywhere (stock rows → requests → counters)."""
    lock_levels(set(demand), create=True)
    return review((), extra=dict(demand), actor=actor)
