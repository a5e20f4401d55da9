"""Every write to stock on hand: goods receipts, adjustments (stocktake) and transfers, each one
transaction: check the input, lock the stock rows (ascending id), re-check, write the moves and the
levels, fill waiting backorders, audit. ``apply_moves`` is also what shipping and returns post."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from kaidan.catalog.models import Product
from kaidan.core import audit, numbering
from kaidan.core.errors import Forbidden, ValidationFailed
from kaidan.core.money import plain_number
from kaidan.core.parsing import Errors
from kaidan.core.roles import Capability, has_capability
from kaidan.inventory import replenishment, reservations
from kaidan.inventory.locks import Pair, lock_levels
from kaidan.inventory.models import StockLevel, StockMove, StockOperation, Warehouse
from kaidan.inventory.planning import ZERO
from kaidan.inventory.validation import check_fields, check_items, check_text, check_warehouse

Kind = StockMove.Kind
SERIES = {StockOperation.Kind.RECEIPT: "stock_receipt", StockOperation.Kind.ADJUSTMENT: "stock_adjustment",
          StockOperation.Kind.TRANSFER: "stock_transfer"}


@dataclass(frozen=True)
class MoveSpec:
    """One change of on hand to post; ``field`` names the input it came from, for errors."""

    product: Product
    warehouse_id: int
    kind: str
    quantity: Decimal
    field: str = "lines"


def require(actor, capability: Capability) -> None:
    if not has_capability(actor, capability):
        raise Forbidden()


def apply_moves(specs: list[MoveSpec], *, actor, operation: StockOperation | None = None, reference: str = "",
                reason: str = "", levels: dict[Pair, StockLevel] | None = None) -> list[StockMove]:
    """Post the moves: lock the stock rows, refuse to take out what is reserved for orders or not
    there, change on hand with conditional UPDATEs, write the ledger, then hand new stock to
    waiting backorders and tell purchasing about rows that fell below their minimum. Runs inside
    the caller's transaction. Raises ValidationFailed naming the line."""
    pairs = {(s.product.pk, s.warehouse_id) for s in specs}
    levels = levels or lock_levels(pairs, create=True)
    deltas: dict[Pair, Decimal] = defaultdict(lambda: ZERO)
    for spec in specs:
        deltas[(spec.product.pk, spec.warehouse_id)] += spec.quantity
    errors = Errors()
    for spec in specs:
        pair = (spec.product.pk, spec.warehouse_id)
        level = levels[pair]
        if deltas[pair] < 0 and level.on_hand + deltas[pair] < level.reserved:
            errors.add(spec.field, _("Only %(free)s of %(sku)s can be taken out: %(on_hand)s on hand, %(reserved)s "
                                     "reserved for orders.")
                       % {"free": plain_number(level.available), "sku": spec.product.sku,
                          "on_hand": plain_number(level.on_hand), "reserved": plain_number(level.reserved)})
    errors.raise_if_any()
    for pair, delta in sorted(deltas.items(), key=lambda item: levels[item[0]].pk):
        rows = StockLevel.objects.filter(pk=levels[pair].pk)
        if delta < 0:
            rows = rows.filter(on_hand__gte=F("reserved") - delta)
        if delta and rows.update(on_hand=F("on_hand") + delta) != 1:
            raise ValidationFailed.for_field("lines", _("Stock changed while posting; try again."))
    running = {pair: levels[pair].on_hand for pair in deltas}
    moves = []
    for spec in specs:
        pair = (spec.product.pk, spec.warehouse_id)
        running[pair] += spec.quantity
        moves.append(StockMove(product=spec.product, warehouse_id=spec.warehouse_id, kind=spec.kind,
                               quantity=spec.quantity, on_hand_after=running[pair], operation=operation,
                               reference=reference[:60], reason=reason[:200], created_by=actor))
    for pair, delta in deltas.items():
        levels[pair].on_hand += delta
    StockMove.objects.bulk_create(moves)
    reservations.fill_backorders({pair: levels[pair] for pair, delta in deltas.items() if delta > 0})
    replenishment.review({pair for pair, delta in deltas.items() if delta < 0})
    return moves


def _operation(kind: str, *, actor, warehouse: Warehouse, **fields: Any) -> StockOperation:
    operation = StockOperation(kind=kind, warehouse=warehouse, created_by=actor, **fields)
    operation.number = numbering.next_number(SERIES[kind])
    operation.save()
    return operation


def _audit(operation: StockOperation, moves: list[StockMove], *, actor) -> None:
    audit.record(operation, "posted", actor=actor, after={
        "kind": operation.kind, "warehouse": operation.warehouse.code,
        "lines": [[m.product.sku, m.warehouse_id, plain_number(m.quantity)] for m in moves]})


RECEIPT_FIELDS = {"warehouse_id", "supplier", "reference", "notes", "lines"}


@transaction.atomic
def post_receipt(*, actor, data: dict[str, Any]) -> StockOperation:
    """Goods arrived from a supplier: on hand goes up, waiting backorders are reserved oldest order
    first. Raises Forbidden, ValidationFailed."""
    require(actor, Capability.CHANGE_STOCK)
    errors = Errors()
    check_fields(data, RECEIPT_FIELDS, errors)
    warehouse = check_warehouse(data, errors)
    texts = {name: check_text(data, name, errors) for name in ("supplier", "reference", "notes")}
    items = check_items(data.get("lines"), errors)
    errors.raise_if_any()
    return receive(items, warehouse=warehouse, actor=actor, **texts)


def receive(items, *, warehouse: Warehouse, actor, supplier: str = "", reference: str = "",
            notes: str = "") -> StockOperation:
    """Post a receipt of checked items (also used when a replenishment request is received). The
    stock rows are locked before the receipt takes its number (stock rows → counters)."""
    levels = lock_levels({(item.product.pk, warehouse.pk) for item in items}, create=True)
    operation = _operation(StockOperation.Kind.RECEIPT, actor=actor, warehouse=warehouse, supplier=supplier,
                           reference=reference, notes=notes)
    specs = [MoveSpec(item.product, warehouse.pk, Kind.RECEIPT, item.quantity, f"lines.{i}.quantity")
             for i, item in enumerate(items)]
    moves = apply_moves(specs, actor=actor, operation=operation, reference=operation.number, levels=levels)
    _audit(operation, moves, actor=actor)
    return operation


ADJUSTMENT_FIELDS = {"warehouse_id", "reason", "notes", "lines"}


@transaction.atomic
def post_adjustment(*, actor, data: dict[str, Any]) -> StockOperation:
    """Correct on hand: each line either adds/removes a quantity (signed) or states what was counted
    (stocktake; the difference is posted). A reason is required. Stock reserved for orders cannot
    be adjusted away. Raises Forbidden, ValidationFailed."""
    require(actor, Capability.CHANGE_STOCK)
    errors = Errors()
    check_fields(data, ADJUSTMENT_FIELDS, errors)
    warehouse = check_warehouse(data, errors)
    reason = check_text(data, "reason", errors, required=True)
    notes = check_text(data, "notes", errors)
    items = check_items(data.get("lines"), errors, signed=True, counted=True)
    errors.raise_if_any()
    levels = lock_levels({(item.product.pk, warehouse.pk) for item in items}, create=True)
    specs = []
    for index, item in enumerate(items):
        if item.counted is not None:
            level = levels[(item.product.pk, warehouse.pk)]
            counted_elsewhere = sum((s.quantity for s in specs if s.product.pk == item.product.pk), ZERO)
            delta = item.counted - level.on_hand - counted_elsewhere
            field = f"lines.{index}.counted"
        else:
            delta, field = item.quantity, f"lines.{index}.quantity"
        if delta:
            specs.append(MoveSpec(item.product, warehouse.pk, Kind.ADJUSTMENT, delta, field))
    operation = _operation(StockOperation.Kind.ADJUSTMENT, actor=actor, warehouse=warehouse, reason=reason,
                           notes=notes)
    moves = apply_moves(specs, actor=actor, operation=operation, reference=operation.number, reason=reason,
                        levels=levels) if specs else []
    _audit(operation, moves, actor=actor)
    return operation


TRANSFER_FIELDS = {"warehouse_id", "to_warehouse_id", "reference", "notes", "lines"}


@transaction.atomic
def post_transfer(*, actor, data: dict[str, Any]) -> StockOperation:
    """Move stock from one warehouse to another (out of the first, into the second, in one
    transaction); reserved stock cannot leave. Raises Forbidden, ValidationFailed."""
    require(actor, Capability.CHANGE_STOCK)
    errors = Errors()
    check_fields(data, TRANSFER_FIELDS, errors)
    source = check_warehouse(data, errors)
    target = check_warehouse(data, errors, "to_warehouse_id")
    if source and target and source.pk == target.pk:
        errors.add("to_warehouse_id", _("Choose another warehouse than the one the goods leave."))
    texts = {name: check_text(data, name, errors) for name in ("reference", "notes")}
    items = check_items(data.get("lines"), errors)
    errors.raise_if_any()
    levels = lock_levels({(item.product.pk, w.pk) for item in items for w in (source, target)}, create=True)
    operation = _operation(StockOperation.Kind.TRANSFER, actor=actor, warehouse=source, to_warehouse=target, **texts)
    specs = []
    for index, item in enumerate(items):
        field = f"lines.{index}.quantity"
        specs.append(MoveSpec(item.product, source.pk, Kind.TRANSFER_OUT, -item.quantity, field))
        specs.append(MoveSpec(item.product, target.pk, Kind.TRANSFER_IN, item.quantity, field))
    moves = apply_moves(specs, actor=actor, operation=operation, reference=operation.number, levels=levels)
    _audit(operation, moves, actor=actor)
    return operation
