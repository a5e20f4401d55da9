"""Delivery notes: create from a confirmed order, pick, pack, ship, cancel. Each is one transaction:
lock the order, then the note (locks.py), re-check against what the order's lines have shipped, hold
on notes and hold reserved, write, audit. Shipping posts the stock moves and the cost of goods in
the same transaction as the state change, and recomputes the order's fulfilment.

Quantities, per order line:
    Σ notes not cancelled  ≤  ordered                    (never more than ordered: 409 over_shipment)
    Σ open notes (stock)   ≤  what the line holds reserved (so whatever is on a note can ship: 409 not_reserved)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kaidan.core import audit, numbering
from kaidan.core.bulk import update_columns
from kaidan.core.errors import Conflict, Forbidden, InvalidTransition, StaleEdit
from kaidan.core.money import plain_number, round_money
from kaidan.core.parsing import Errors, parse_id
from kaidan.core.roles import Capability, has_capability
from kaidan.inventory.models import Reservation
from kaidan.inventory.shipments import ShipItem, ship_reserved
from kaidan.sales.models import SalesOrder, SalesOrderLine
from kaidan.sales.states import Kind
from kaidan.sales.states import Status as OrderStatus
from kaidan.shipping import fulfilment, states
from kaidan.shipping.locks import lock_note, lock_visible_order
from kaidan.shipping.models import DeliveryLine, DeliveryNote, TrackingEvent, TrackingNumber
from kaidan.shipping.states import Status
from kaidan.shipping.validation import (
    check_fields,
    check_line_choices,
    check_packing,
    check_ship_date,
    check_text,
    check_tracking_numbers,
)

ZERO = Decimal("0")
SERIES = "delivery_note"


class OverShipment(Conflict):
    code = "over_shipment"


class NotReserved(Conflict):
    code = "not_reserved"


class NothingToShip(Conflict):
    code = "nothing_to_ship"


class OrderNotConfirmed(Conflict):
    code = "order_not_confirmed"


def require_ship(actor) -> None:
    if not has_capability(actor, Capability.SHIP_GOODS):
        raise Forbidden()


@dataclass
class LineState:
    """Where one order line stands: ordered, shipped, on open notes, and reserved for it."""

    line: SalesOrderLine
    on_notes: Decimal = ZERO
    reserved: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        """Still to put on a note: ordered − shipped − on open notes."""
        return self.line.quantity - self.line.shipped_quantity - self.on_notes

    @property
    def tracked(self) -> bool:
        return self.line.product.track_stock

    @property
    def free_reserved(self) -> Decimal:
        """Reserved for the line and not on an open note yet (what a new note may take)."""
        return max(self.reserved - self.on_notes, ZERO)

    @property
    def shippable(self) -> Decimal:
        """What a note made now would take by default: all that is left for services, what is
        reserved for stocked goods."""
        return self.remaining if not self.tracked else min(self.remaining, self.free_reserved)


def line_states(order: SalesOrder) -> dict[int, LineState]:
    """Every line of the order with its shipped / on-note / reserved quantities (three queries)."""
    lines = (SalesOrderLine.objects.filter(order_id=order.pk).select_related("product", "unit")
             .order_by("position", "is_free", "id"))
    result = {line.pk: LineState(line) for line in lines}
    on_notes = (DeliveryLine.objects.filter(note__order_id=order.pk, note__status__in=states.OPEN)
                .values("order_line_id").annotate(total=Sum("quantity")))
    for row in on_notes:
        result[row["order_line_id"]].on_notes = row["total"]
    for line_id, reserved in (Reservation.objects.filter(order_id=order.pk, status=Reservation.Status.OPEN,
                                                         warehouse_id=order.warehouse_id)
                              .values_list("order_line_id", "reserved")):
        if line_id in result:
            result[line_id].reserved = reserved
    return result


def _line_name(state: LineState) -> str:
    return _("Line %(position)s (%(sku)s)") % {"position": state.line.position, "sku": state.line.product.sku}


def _plan(states_by_line: dict[int, LineState], choices) -> list[tuple[LineState, Decimal]]:
    """What the note will hold. ``choices`` None: everything shippable now. Raises ValidationFailed
    for lines not on the order, OverShipment / NotReserved naming every line that does not fit."""
    if choices is None:
        plan = [(state, state.shippable) for state in states_by_line.values() if state.shippable > 0]
        if not plan:
            raise NothingToShip(_("Nothing of this order can ship now: every line has shipped, is on a delivery note "
                                  "already or waits for stock."))
        return plan
    errors = Errors()
    for index, choice in enumerate(choices):
        if choice.order_line_id not in states_by_line:
            errors.add(f"lines.{index}.order_line_id", _("This is not a line of the order."))
    errors.raise_if_any()
    plan = [(states_by_line[choice.order_line_id], choice.quantity) for choice in choices]
    over = [(state, quantity) for state, quantity in plan if quantity > state.remaining]
    if over:
        raise OverShipment(
            " ".join(_("%(line)s: %(asked)s asked but only %(left)s left to ship (%(ordered)s ordered, %(shipped)s "
                       "shipped, %(on_notes)s on other delivery notes).")
                     % {"line": _line_name(s), "asked": plain_number(q), "left": plain_number(max(s.remaining, ZERO)),
                        "ordered": plain_number(s.line.quantity), "shipped": plain_number(s.line.shipped_quantity),
                        "on_notes": plain_number(s.on_notes)} for s, q in over),
            lines=[_line_detail(s, q) for s, q in over])
    short = [(state, quantity) for state, quantity in plan if state.tracked and quantity > state.free_reserved]
    if short:
        raise NotReserved(
            " ".join(_("%(line)s: %(asked)s asked but only %(free)s reserved and not yet on a delivery note; the rest "
                       "waits for stock.") % {"line": _line_name(s), "asked": plain_number(q),
                                              "free": plain_number(s.free_reserved)} for s, q in short),
            lines=[_line_detail(s, q) for s, q in short])
    return plan


def _line_detail(state: LineState, asked: Decimal) -> dict[str, Any]:
    return {"order_line_id": state.line.pk, "position": state.line.position, "sku": state.line.product.sku,
            "asked": asked, "ordered": state.line.quantity, "shipped": state.line.shipped_quantity,
            "on_notes": state.on_notes, "reserved": state.reserved, "remaining": max(state.remaining, ZERO)}


CREATE_FIELDS = {"order_id", "lines", "notes"}


@transaction.atomic
def create_note(*, actor, data: dict[str, Any]) -> DeliveryNote:
    """A delivery note for a confirmed order: of everything reserved and not on a note yet, or of the
    chosen lines and quantities. Raises Forbidden, NotFound, ValidationFailed, Conflict
    (order not confirmed, OverShipment, NotReserved, NothingToShip)."""
    require_ship(actor)
    errors = Errors()
    check_fields(data, CREATE_FIELDS, errors)
    order_id = parse_id(data.get("order_id"), errors, "order_id", required=True)
    choices = check_line_choices(data.get("lines"), errors)
    notes = check_text(data, "notes", errors)
    errors.raise_if_any()
    order = lock_visible_order(actor, order_id)
    if order.kind != Kind.ORDER or order.status != OrderStatus.CONFIRMED:
        raise OrderNotConfirmed(_("Only a confirmed order can ship; %(number)s is %(status)s.")
                                % {"number": order.number, "status": OrderStatus(order.status).label},
                                status=order.status)
    plan = _plan(line_states(order), choices)
    address = order.shipping_address_text or order.billing_address_text
    contact = order.contact
    note = DeliveryNote(order=order, customer_id=order.customer_id, warehouse_id=order.warehouse_id,
                        shipping_address_text=address,
                        contact_text=" ".join(p for p in [contact.name, contact.mobile or contact.phone] if p)
                        if contact else "",
                        requested_date=order.requested_date, notes=notes, created_by=actor, line_count=len(plan))
    note.number = numbering.next_number(SERIES)
    note.save()
    DeliveryLine.objects.bulk_create([
        DeliveryLine(note=note, position=position, order_line=state.line, product=state.line.product,
                     description=state.line.description, quantity=quantity)
        for position, (state, quantity) in enumerate(plan, start=1)], batch_size=500)
    lines = [[state.line.position, state.line.product.sku, plain_number(quantity)] for state, quantity in plan]
    audit.record(note, "created", actor=actor, after={"order_number": order.number, "delivery_lines": lines})
    audit.record(order, "delivery_note_created", actor=actor,
                 after={"delivery_note": note.number, "delivery_lines": lines})
    return note


def _check_version(note: DeliveryNote, version: int | None) -> None:
    if version is not None and version != note.version:
        raise StaleEdit(current_version=note.version)


def _require_status(note: DeliveryNote, source: str, target: str) -> None:
    """Two actions lead to picking; each only from its own state (else 409 as for any illegal move)."""
    if note.status != source:
        raise InvalidTransition(current=Status(note.status).label, target=Status(target).label)


def _move(note: DeliveryNote, target: str, action: str, *, actor, after: dict | None = None, **fields) -> None:
    states.check_transition(note.status, target)
    before = note.status
    note.status = target
    note.version += 1
    for name, value in fields.items():
        setattr(note, name, value)
    note.save()
    audit.record(note, action, actor=actor, before={"status": before}, after={"status": target, **(after or {})})


@transaction.atomic
def start_picking(*, actor, note_id: int, version: int | None = None) -> DeliveryNote:
    """The warehouse starts picking the goods. Raises Forbidden, NotFound, StaleEdit, InvalidTransition."""
    require_ship(actor)
    _order, note = lock_note(actor, note_id)
    _check_version(note, version)
    _require_status(note, Status.DRAFT, Status.PICKING)  # packed → picking is re-opening (reopen_packing)
    _move(note, Status.PICKING, "picking", actor=actor, picked_by=actor, picking_at=timezone.now())
    return note


PACK_FIELDS = {"parcel_count", "weight_kg", "carrier_id", "service", "tracking_numbers", "freight_charge", "version"}


@transaction.atomic
def pack(*, actor, note_id: int, data: dict[str, Any], version: int | None = None) -> DeliveryNote:
    """Picked goods are packed: parcels and weight, carrier, service, tracking numbers, freight.
    Raises Forbidden, NotFound, ValidationFailed, StaleEdit, InvalidTransition."""
    require_ship(actor)
    errors = Errors()
    check_fields(data, PACK_FIELDS, errors)
    packing = check_packing(data, errors)
    errors.raise_if_any()
    _order, note = lock_note(actor, note_id)
    _check_version(note, version)
    states.check_transition(note.status, Status.PACKED)
    numbers = packing.pop("tracking_numbers")
    _move(note, Status.PACKED, "packed", actor=actor, packed_at=timezone.now(), **packing,
          after={"parcel_count": packing["parcel_count"],
                 "weight_kg": None if packing["weight_kg"] is None else plain_number(packing["weight_kg"]),
                 "carrier": packing["carrier"].pk if packing["carrier"] else None, "service": packing["service"],
                 "freight_charge": plain_number(packing["freight_charge"]), "tracking_numbers": numbers})
    _set_tracking_numbers(note, numbers)
    return note


def _set_tracking_numbers(note: DeliveryNote, numbers: list[str]) -> None:
    TrackingNumber.objects.filter(note=note).exclude(number__in=numbers).delete()
    have = set(TrackingNumber.objects.filter(note=note).values_list("number", flat=True))
    TrackingNumber.objects.bulk_create([TrackingNumber(note=note, number=n) for n in numbers if n not in have])


@transaction.atomic
def reopen_packing(*, actor, note_id: int, version: int | None = None) -> DeliveryNote:
    """Back from packed to picking (a parcel has to be opened again)."""
    require_ship(actor)
    _order, note = lock_note(actor, note_id)
    _check_version(note, version)
    _require_status(note, Status.PACKED, Status.PICKING)  # a draft starts picking (start_picking)
    _move(note, Status.PICKING, "packing_reopened", actor=actor, packed_at=None)
    return note


SHIP_FIELDS = {"ship_date", "tracking_numbers", "version"}


@transaction.atomic
def ship(*, actor, note_id: int, data: dict[str, Any] | None = None, version: int | None = None) -> DeliveryNote:
    """The goods leave: on hand goes down and the order's reservation is consumed (stock moves), the
    cost of the goods is recorded, the order's shipped quantities and fulfilment follow — all in this
    transaction. Tracking numbers given here are added. Raises Forbidden, NotFound, ValidationFailed,
    StaleEdit, InvalidTransition, Conflict (OverShipment, inventory's NotReserved)."""
    require_ship(actor)
    data = data or {}
    errors = Errors()
    check_fields(data, SHIP_FIELDS, errors)
    today = timezone.localdate()
    ship_date = check_ship_date(data.get("ship_date"), errors, today=today)
    numbers = check_tracking_numbers(data.get("tracking_numbers"), errors)
    errors.raise_if_any()
    order, note = lock_note(actor, note_id)
    _check_version(note, version)
    states.check_transition(note.status, Status.SHIPPED)
    lines = list(note.lines.select_related("product", "order_line").order_by("position"))
    _recheck_not_over(order, lines)
    items = [ShipItem(line.order_line_id, line.product_id, note.warehouse_id, line.quantity, line.product.sku)
             for line in lines if line.product.track_stock]
    ship_reserved(items, actor=actor, reference=note.number)
    for line in lines:
        line.unit_cost = line.product.standard_cost
        line.cost_amount = round_money(line.quantity * line.unit_cost)
    update_columns(DeliveryLine, lines, ["unit_cost", "cost_amount"])
    now = timezone.now()
    if numbers:
        _set_tracking_numbers(note, [*note.tracking_numbers.values_list("number", flat=True), *numbers])
    _move(note, Status.SHIPPED, "shipped", actor=actor, shipped_at=now, ship_date=ship_date, shipped_by=actor,
          cost_amount=sum((line.cost_amount for line in lines), ZERO),
          after={"ship_date": ship_date.isoformat(), "tracking_numbers": tracking_numbers_of(note)})
    TrackingEvent.objects.create(note=note, occurred_at=now, kind=TrackingEvent.Kind.SHIPPED,
                                 location=note.warehouse.name, source=TrackingEvent.Source.SYSTEM, created_by=actor,
                                 carrier=note.carrier)
    shipped_lines = [[line.order_line.position, line.product.sku, plain_number(line.quantity)] for line in lines]
    audit.record(order, "delivery_note_shipped", actor=actor,
                 after={"delivery_note": note.number, "delivery_lines": shipped_lines})
    fulfilment.recompute(order, actor=actor)
    return note


def tracking_numbers_of(note: DeliveryNote) -> list[str]:
    return list(note.tracking_numbers.order_by("id").values_list("number", flat=True))


def _recheck_not_over(order: SalesOrder, lines: list[DeliveryLine]) -> None:
    """Under the order's lock: shipping this note keeps every line within its ordered quantity."""
    shipped = defaultdict(lambda: ZERO)
    for row in (DeliveryLine.objects.filter(note__order_id=order.pk, note__status__in=states.SHIPPED)
                .values("order_line_id").annotate(total=Sum("quantity"))):
        shipped[row["order_line_id"]] = row["total"]
    over = [line for line in lines if shipped[line.order_line_id] + line.quantity > line.order_line.quantity]
    if over:
        raise OverShipment(_("Shipping this note would ship more than ordered on these lines: %(positions)s.")
                           % {"positions": ", ".join(str(line.order_line.position) for line in over)},
                           lines=[{"order_line_id": line.order_line_id, "position": line.order_line.position}
                                  for line in over])


@transaction.atomic
def cancel(*, actor, note_id: int, reason: str = "", version: int | None = None) -> DeliveryNote:
    """Cancel a note that has not shipped; its quantities stay reserved for the order, ready for
    another note. Raises Forbidden, NotFound, ValidationFailed, StaleEdit, InvalidTransition."""
    require_ship(actor)
    errors = Errors()
    reason = check_text({"reason": reason}, "reason", errors)
    errors.raise_if_any()
    order, note = lock_note(actor, note_id)
    _check_version(note, version)
    _move(note, Status.CANCELLED, "cancelled", actor=actor, cancelled_at=timezone.now(), cancel_reason=reason,
          after={"reason": reason})
    audit.record(order, "delivery_note_cancelled", actor=actor, after={"delivery_note": note.number, "reason": reason})
    return note
