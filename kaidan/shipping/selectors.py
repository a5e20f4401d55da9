"""Reads of delivery notes, the warehouse's work queue and an order's shipping state. Every read
goes through ``notes_visible_to`` / the sales record rule: a salesperson sees the notes of the orders
they see; everyone else with the capability sees all."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum

from kaidan.core.pagination import apply_sort
from kaidan.core.roles import Capability, has_capability
from kaidan.inventory.models import Reservation
from kaidan.sales.models import SalesOrder, SalesOrderLine
from kaidan.sales.selectors import orders_visible_to
from kaidan.sales.states import FulfilmentStatus, Kind
from kaidan.sales.states import Status as OrderStatus
from kaidan.shipping import states
from kaidan.shipping.models import Carrier, DeliveryLine, DeliveryNote, TrackingEvent
from kaidan.shipping.services import LineState, line_states

ZERO = Decimal("0")
NOTE_SORT_FIELDS = {"number", "created_at", "ship_date", "status", "requested_date"}


def notes_visible_to(user) -> QuerySet[DeliveryNote]:
    if not has_capability(user, Capability.VIEW_DELIVERIES):
        return DeliveryNote.objects.none()
    if has_capability(user, Capability.VIEW_ALL_CUSTOMERS):
        return DeliveryNote.objects.all()
    return DeliveryNote.objects.filter(order__in=orders_visible_to(user))


def note_list(user, *, status: str | None = None, warehouse_id: int | None = None, order_id: int | None = None,
              customer_id: int | None = None, carrier_id: int | None = None, q: str | None = None,
              date_from: datetime.date | None = None, date_to: datetime.date | None = None,
              sort: str | None = None) -> QuerySet[DeliveryNote]:
    """The notes a user sees, filtered. ``status`` may be a state or "open" (draft, picking, packed)
    or "on_the_way" (shipped, in transit, exception); ``q`` matches the note's or the order's number,
    a tracking number or the customer; dates are of shipping (or creation, not shipped yet)."""
    qs = notes_visible_to(user).select_related("order", "customer", "warehouse", "carrier")
    if status == "open":
        qs = qs.filter(status__in=states.OPEN)
    elif status == "on_the_way":
        qs = qs.filter(status__in=states.TRACKED)
    elif status:
        qs = qs.filter(status=status)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if order_id:
        qs = qs.filter(order_id=order_id)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if carrier_id:
        qs = qs.filter(carrier_id=carrier_id)
    if date_from:
        qs = qs.filter(Q(ship_date__gte=date_from) | Q(ship_date__isnull=True, created_at__date__gte=date_from))
    if date_to:
        qs = qs.filter(Q(ship_date__lte=date_to) | Q(ship_date__isnull=True, created_at__date__lte=date_to))
    q = (q or "").replace("\x00", "").strip()[:100]
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(order__number__icontains=q) | Q(tracking_numbers__number=q)
                       | Q(customer__code__iexact=q) | Q(customer__name__icontains=q)).distinct()
    return apply_sort(qs, sort, allowed=NOTE_SORT_FIELDS, default=["-created_at", "-id"])


def visible_note(user, note_id: int) -> DeliveryNote | None:
    return (notes_visible_to(user).select_related("order", "customer", "warehouse", "carrier", "created_by",
                                                   "picked_by", "shipped_by")
            .filter(pk=note_id).first())


def note_lines(note: DeliveryNote) -> list[DeliveryLine]:
    return list(note.lines.select_related("product", "product__unit", "order_line").order_by("position"))


@dataclass(frozen=True)
class TrackingLink:
    number: str
    url: str


def tracking_links(note: DeliveryNote) -> list[TrackingLink]:
    carrier = note.carrier
    return [TrackingLink(n, carrier.tracking_link(n) if carrier else "")
            for n in note.tracking_numbers.order_by("id").values_list("number", flat=True)]


def timeline(note: DeliveryNote) -> list[TrackingEvent]:
    """The note's tracking events, oldest first."""
    return list(note.tracking_events.select_related("created_by", "carrier").order_by("occurred_at", "id"))


def active_carriers() -> QuerySet[Carrier]:
    return Carrier.objects.filter(active=True).order_by("code")


# -- an order's shipping state ----------------------------------------------------------------------

@dataclass
class OrderShipping:
    """What the order page and the API show: per line ordered / shipped / on notes / reserved /
    remaining, and the order's notes."""

    lines: list[LineState]
    notes: list[DeliveryNote]

    @property
    def can_create_note(self) -> bool:
        return any(state.shippable > 0 for state in self.lines)


def order_shipping(order: SalesOrder) -> OrderShipping:
    by_line = line_states(order) if order.status == OrderStatus.CONFIRMED or order.delivery_notes.exists() else {}
    notes = list(order.delivery_notes.select_related("carrier").order_by("id"))
    return OrderShipping(lines=list(by_line.values()), notes=notes)


# -- the warehouse's work queue ---------------------------------------------------------------------

class QueueState:
    READY = "ready"          # everything left to ship is reserved: a note takes all of it
    PARTLY = "partly"        # some of it can ship now, the rest waits for stock
    WAITING = "waiting"      # nothing can ship until stock comes
    ON_NOTES = "on_notes"    # everything left is on delivery notes the warehouse is working on


@dataclass
class QueueRow:
    order: SalesOrder
    state: str
    lines_left: int = 0
    quantity_left: Decimal = ZERO
    shippable_now: Decimal = ZERO
    open_notes: list[str] = field(default_factory=list)


def work_queue(user, *, warehouse_id: int | None = None, state: str | None = None,
               requested_by: datetime.date | None = None, q: str | None = None) -> list[QueueRow]:
    """Confirmed orders not fully shipped, with how much of each can ship now, soonest requested date
    first (orders without one last). One query per kind of figure, whatever the number of orders."""
    orders = (orders_visible_to(user).filter(kind=Kind.ORDER, status=OrderStatus.CONFIRMED)
              .exclude(fulfilment_status=FulfilmentStatus.SHIPPED).select_related("customer", "warehouse"))
    if not has_capability(user, Capability.VIEW_DELIVERIES):
        return []
    if warehouse_id:
        orders = orders.filter(warehouse_id=warehouse_id)
    if requested_by:
        orders = orders.filter(requested_date__lte=requested_by)
    q = (q or "").replace("\x00", "").strip()[:100]
    if q:
        orders = orders.filter(Q(number__icontains=q) | Q(customer__name__icontains=q) | Q(customer__code__iexact=q))
    # NULLs last on both databases (SQLite would put orders without a date first)
    orders = {order.pk: order for order in orders.order_by(F("requested_date").asc(nulls_last=True), "order_date",
                                                          "id")[:2000]}
    if not orders:
        return []
    ids = list(orders)
    on_notes = defaultdict(lambda: ZERO)
    for line_id, total in (DeliveryLine.objects.filter(note__order_id__in=ids, note__status__in=states.OPEN)
                           .values("order_line_id").annotate(total=Sum("quantity"))
                           .values_list("order_line_id", "total")):
        on_notes[line_id] = total
    reserved = dict(Reservation.objects.filter(order_id__in=ids, status=Reservation.Status.OPEN)
                    .values_list("order_line_id", "reserved"))
    open_notes = defaultdict(list)
    for order_id, number in (DeliveryNote.objects.filter(order_id__in=ids, status__in=states.OPEN)
                             .order_by("id").values_list("order_id", "number")):
        open_notes[order_id].append(number)
    rows = {pk: QueueRow(order=order, state="", open_notes=open_notes[pk]) for pk, order in orders.items()}
    full = defaultdict(lambda: True)
    for order_id, line_id, quantity, shipped, tracked in (
            SalesOrderLine.objects.filter(order_id__in=ids)
            .values_list("order_id", "pk", "quantity", "shipped_quantity", "product__track_stock")):
        left = quantity - shipped - on_notes[line_id]
        if left <= 0:
            continue
        now = left if not tracked else min(left, max(reserved.get(line_id, ZERO) - on_notes[line_id], ZERO))
        row = rows[order_id]
        row.lines_left += 1
        row.quantity_left += left
        row.shippable_now += now
        if now < left:
            full[order_id] = False
    result = []
    for pk, row in rows.items():
        if row.lines_left == 0:
            row.state = QueueState.ON_NOTES
        elif row.shippable_now == 0:
            row.state = QueueState.WAITING
        else:
            row.state = QueueState.READY if full[pk] else QueueState.PARTLY
        if state is None or row.state == state:
            result.append(row)
    return result


def queue_counts(rows: list[QueueRow]) -> dict[str, int]:
    counts = defaultdict(int)
    for row in rows:
        counts[row.state] += 1
    return dict(counts)
