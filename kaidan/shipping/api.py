"""REST endpoints of shipping: delivery notes (create from a confirmed order, list, read, pick, pack,
re-open, ship, cancel, tracking events), an order's shipping state, the warehouse's work queue,
carriers, and the one endpoint a carrier's integration calls with its own key instead of a user's.
Every role may read what it may see (VIEW_DELIVERIES; salespeople: the notes of their orders); every
write is one service call, which checks its capability too (SHIP_GOODS, MANAGE_CARRIERS)."""

from collections import defaultdict

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate
from ninja.security import APIKeyHeader

from kaidan.core.access import api_requires, integration_endpoint
from kaidan.core.api_types import DbId
from kaidan.core.display import display_name
from kaidan.core.errors import NotFound
from kaidan.core.idempotency import idempotent
from kaidan.core.pagination import KaidanPagination
from kaidan.core.roles import Capability, has_capability
from kaidan.core.schemas import ErrorOut
from kaidan.pricing.selectors import can_see_cost
from kaidan.sales.selectors import orders_visible_to
from kaidan.shipping import carriers, selectors, services, states, tracking
from kaidan.shipping.models import Carrier, DeliveryNote, TrackingEvent, TrackingNumber
from kaidan.shipping.schemas import (
    CancelIn,
    CarrierEventIn,
    CarrierEventOut,
    CarrierFilter,
    CarrierIn,
    CarrierKeyOut,
    CarrierOut,
    CarrierUpdateIn,
    EventIn,
    NoteDetailOut,
    NoteFilter,
    NoteIn,
    NoteOut,
    OrderShippingOut,
    PackIn,
    QueueFilter,
    QueueOut,
    ShipIn,
    VersionIn,
)
from kaidan.shipping.states import ExceptionReason
from kaidan.shipping.states import Status as NoteStatus

router = Router(tags=["shipping"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
VIEW, SHIP, CARRIERS = Capability.VIEW_DELIVERIES, Capability.SHIP_GOODS, Capability.MANAGE_CARRIERS
# A move of the transition table → the endpoint that makes it (tracking moves: /events).
ACTION_OF = {NoteStatus.PACKED: "pack", NoteStatus.SHIPPED: "ship", NoteStatus.CANCELLED: "cancel",
             NoteStatus.IN_TRANSIT: "add_event", NoteStatus.DELIVERED: "add_event", NoteStatus.EXCEPTION: "add_event"}


# -- answers ----------------------------------------------------------------------------------------------

def actions_for(actor, note: DeliveryNote) -> list[str]:
    """What the caller may do with the note now, in the order the UI offers it."""
    if not has_capability(actor, SHIP):
        return []
    actions = []
    for target in states.next_actions(note.status):
        if target == NoteStatus.PICKING:
            action = "reopen" if note.status == NoteStatus.PACKED else "pick"
        else:
            action = ACTION_OF[target]
        if action not in actions:
            actions.append(action)
    if note.status in states.SHIPPED and "add_event" not in actions:
        actions.append("add_event")  # a delivered note still takes notes in its timeline
    return actions


def _name(user) -> str | None:
    return display_name(user) if user is not None else None


def event_out(event: TrackingEvent) -> dict:
    return {"id": event.pk, "occurred_at": event.occurred_at, "kind": event.kind,
            "kind_label": str(event.get_kind_display()), "location": event.location,
            "description": event.description, "signed_by": event.signed_by, "exception_reason": event.exception_reason,
            "source": event.source, "carrier_code": event.carrier.code if event.carrier_id else None,
            "external_id": event.external_id, "created_by": _name(event.created_by), "created_at": event.created_at}


def _links(links) -> list[dict]:
    return [{"number": link.number, "url": link.url or None} for link in links]


def note_detail(actor, note_id: int) -> dict:
    """The note as NoteDetailOut for the caller: costs only for roles that see them."""
    note = selectors.visible_note(actor, note_id)
    if note is None:
        raise NotFound()
    see_cost = can_see_cost(actor)
    links = selectors.tracking_links(note)
    data = {field.attname: getattr(note, field.attname) for field in note._meta.concrete_fields}
    data.update({
        "status_label": str(note.get_status_display()), "order_number": note.order.number,
        "customer_name": note.customer.name, "warehouse_code": note.warehouse.code,
        "carrier_name": note.carrier.name if note.carrier_id else None,
        "carrier_code": note.carrier.code if note.carrier_id else None,
        "tracking_numbers": [link.number for link in links], "tracking": _links(links),
        "cost_amount": note.cost_amount if see_cost else None,
        "exception_reason_label": str(ExceptionReason(note.exception_reason).label) if note.exception_reason else "",
        "created_by": display_name(note.created_by), "picked_by": _name(note.picked_by),
        "shipped_by": _name(note.shipped_by),
        "lines": [{
            "id": line.pk, "position": line.position, "order_line_id": line.order_line_id,
            "order_line_position": line.order_line.position, "product_id": line.product_id,
            "sku": line.product.sku, "name": line.product.name, "spec": line.product.spec,
            "model": line.product.model, "unit": line.product.unit.code, "description": line.description,
            "quantity": line.quantity, "unit_cost": line.unit_cost if see_cost else None,
            "cost_amount": line.cost_amount if see_cost else None,
        } for line in selectors.note_lines(note)],
        "timeline": [event_out(event) for event in selectors.timeline(note)],
        "actions": actions_for(actor, note),
    })
    return data


# -- delivery notes ----------------------------------------------------------------------------------------

@router.get("/delivery-notes", response={200: list[NoteOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_notes(request: HttpRequest, filters: Query[NoteFilter]):
    """The delivery notes the caller may see (salespeople: those of their orders), newest first."""
    notes = selectors.note_list(request.auth, status=filters.status, warehouse_id=filters.warehouse_id,
                                order_id=filters.order_id, customer_id=filters.customer_id,
                                carrier_id=filters.carrier_id, q=filters.q, date_from=filters.date_from,
                                date_to=filters.date_to, sort=filters.sort)
    return notes.prefetch_related(Prefetch("tracking_numbers", queryset=TrackingNumber.objects.order_by("id")))


@router.get("/delivery-notes/{note_id}", response={200: NoteDetailOut, **ERRORS})
@api_requires(VIEW)
def get_note(request: HttpRequest, note_id: Path[DbId]):
    """One note: lines with product spec and model, tracking numbers with their carrier links, the
    tracking timeline and what the caller may do now (`actions`)."""
    return note_detail(request.auth, note_id)


@router.post("/delivery-notes", response={201: NoteDetailOut, **ERRORS})
@idempotent
@api_requires(SHIP)
def create_note(request: HttpRequest, payload: NoteIn):
    """A delivery note (draft) for a confirmed order: of the chosen lines and quantities, or (no `lines`)
    of everything reserved and not yet on a note. 409 `over_shipment` / `not_reserved` name the lines
    in `detail.lines`; 409 `nothing_to_ship`, `order_not_confirmed`."""
    note = services.create_note(actor=request.auth, data=payload.model_dump())
    return Status(201, note_detail(request.auth, note.pk))


@router.post("/delivery-notes/{note_id}/pick", response={200: NoteDetailOut, **ERRORS})
@api_requires(SHIP)
def pick(request: HttpRequest, note_id: Path[DbId], payload: VersionIn | None = None):
    """Start picking a draft note."""
    services.start_picking(actor=request.auth, note_id=note_id, version=payload.version if payload else None)
    return note_detail(request.auth, note_id)


@router.post("/delivery-notes/{note_id}/pack", response={200: NoteDetailOut, **ERRORS})
@api_requires(SHIP)
def pack(request: HttpRequest, note_id: Path[DbId], payload: PackIn):
    """The picked goods are packed: parcels, weight, carrier, service, tracking numbers, freight."""
    services.pack(actor=request.auth, note_id=note_id, data=payload.model_dump(exclude={"version"}),
                  version=payload.version)
    return note_detail(request.auth, note_id)


@router.post("/delivery-notes/{note_id}/reopen", response={200: NoteDetailOut, **ERRORS})
@api_requires(SHIP)
def reopen(request: HttpRequest, note_id: Path[DbId], payload: VersionIn | None = None):
    """Back from packed to picking (a parcel has to be opened again)."""
    services.reopen_packing(actor=request.auth, note_id=note_id, version=payload.version if payload else None)
    return note_detail(request.auth, note_id)


@router.post("/delivery-notes/{note_id}/ship", response={200: NoteDetailOut, **ERRORS})
@api_requires(SHIP)
def ship(request: HttpRequest, note_id: Path[DbId], payload: ShipIn | None = None):
    """The goods leave: stock moves (on hand down, the order's reservation consumed), cost of goods,
    the order's shipped quantities and fulfilment — in one transaction."""
    payload = payload or ShipIn()
    services.ship(actor=request.auth, note_id=note_id, data=payload.model_dump(exclude={"version"}),
                  version=payload.version)
    return note_detail(request.auth, note_id)


@router.post("/delivery-notes/{note_id}/cancel", response={200: NoteDetailOut, **ERRORS})
@api_requires(SHIP)
def cancel(request: HttpRequest, note_id: Path[DbId], payload: CancelIn | None = None):
    """Cancel a note that has not shipped; its quantities stay reserved for the order."""
    payload = payload or CancelIn()
    services.cancel(actor=request.auth, note_id=note_id, reason=payload.reason, version=payload.version)
    return note_detail(request.auth, note_id)


@router.post("/delivery-notes/{note_id}/events", response={201: NoteDetailOut, **ERRORS})
@idempotent
@api_requires(SHIP)
def add_event(request: HttpRequest, note_id: Path[DbId], payload: EventIn):
    """Record a tracking event of a shipped note; in_transit, out_for_delivery, delivered and exception
    move the note on (409 when the transition table does not allow it), note only adds to the timeline."""
    tracking.add_event(actor=request.auth, note_id=note_id, data=payload.model_dump(exclude={"version"}),
                       version=payload.version)
    return Status(201, note_detail(request.auth, note_id))


# -- an order's shipping state and the warehouse's work queue ------------------------------------------------

@router.get("/orders/{order_id}/shipping", response={200: OrderShippingOut, **ERRORS})
@api_requires(VIEW)
def get_order_shipping(request: HttpRequest, order_id: Path[DbId]):
    """Per order line: ordered, shipped, on notes, reserved, remaining and what can ship now; and the
    order's delivery notes."""
    order = orders_visible_to(request.auth).filter(pk=order_id).first()
    if order is None:
        raise NotFound()
    shipping = selectors.order_shipping(order)
    numbers = defaultdict(list)
    for note_id, number in (TrackingNumber.objects.filter(note__order_id=order.pk).order_by("id")
                            .values_list("note_id", "number")):
        numbers[note_id].append(number)
    return {
        "order_id": order.pk, "order_number": order.number, "status": order.status,
        "fulfilment_status": order.fulfilment_status, "can_create_note": shipping.can_create_note,
        "lines": [{"order_line_id": s.line.pk, "position": s.line.position, "product_id": s.line.product_id,
                   "sku": s.line.product.sku, "description": s.line.description,
                   "unit": s.line.unit.code if s.line.unit_id else "", "tracked": s.tracked,
                   "ordered": s.line.quantity, "shipped": s.line.shipped_quantity, "on_notes": s.on_notes,
                   "reserved": s.reserved, "remaining": s.remaining, "shippable_now": max(s.shippable, 0)}
                  for s in shipping.lines],
        "notes": [{"id": note.pk, "number": note.number, "status": note.status,
                   "status_label": str(note.get_status_display()), "ship_date": note.ship_date,
                   "carrier_name": note.carrier.name if note.carrier_id else None,
                   "tracking": [{"number": n, "url": (note.carrier.tracking_link(n) if note.carrier_id else "")
                                 or None} for n in numbers[note.pk]]}
                  for note in shipping.notes],
    }


@router.get("/shipping/queue", response={200: QueueOut, **ERRORS})
@api_requires(VIEW)
def work_queue(request: HttpRequest, filters: Query[QueueFilter]):
    """Confirmed orders not fully shipped, soonest requested date first: ready (everything left can
    ship), partly, waiting for stock, or all on notes; with the number of orders in each state."""
    rows = selectors.work_queue(request.auth, warehouse_id=filters.warehouse_id, requested_by=filters.requested_by,
                                q=filters.q)
    counts = selectors.queue_counts(rows)
    rows = [row for row in rows if filters.state is None or row.state == filters.state]
    return {"counts": counts, "count": len(rows), "items": [{
        "order_id": row.order.pk, "order_number": row.order.number, "customer_id": row.order.customer_id,
        "customer_name": row.order.customer.name, "warehouse_id": row.order.warehouse_id,
        "warehouse_code": row.order.warehouse.code if row.order.warehouse_id else None,
        "order_date": row.order.order_date, "requested_date": row.order.requested_date, "state": row.state,
        "lines_left": row.lines_left, "quantity_left": row.quantity_left, "shippable_now": row.shippable_now,
        "open_notes": row.open_notes} for row in rows]}


# -- carriers ----------------------------------------------------------------------------------------------

def _carrier(carrier_id: int) -> Carrier:
    carrier = Carrier.objects.filter(pk=carrier_id).first()
    if carrier is None:
        raise NotFound()
    return carrier


@router.get("/carriers", response={200: list[CarrierOut], **ERRORS})
@api_requires(VIEW)
@paginate(KaidanPagination)
def list_carriers(request: HttpRequest, filters: Query[CarrierFilter]):
    """Carriers by code."""
    found = Carrier.objects.order_by("code", "pk")
    return found if filters.active is None else found.filter(active=filters.active)


@router.post("/carriers", response={201: CarrierOut, **ERRORS})
@idempotent
@api_requires(CARRIERS)
def create_carrier(request: HttpRequest, payload: CarrierIn):
    carrier = carriers.create_carrier(actor=request.auth, data=payload.model_dump())
    return Status(201, _carrier(carrier.pk))


@router.put("/carriers/{carrier_id}", response={200: CarrierOut, **ERRORS})
@api_requires(CARRIERS)
def update_carrier(request: HttpRequest, carrier_id: Path[DbId], payload: CarrierUpdateIn):
    """Change the carrier as it was at ``version``; fields left out keep their value."""
    carriers.update_carrier(actor=request.auth, carrier_id=carrier_id, version=payload.version,
                            data=payload.model_dump(exclude={"version"}, exclude_unset=True))
    return _carrier(carrier_id)


@router.post("/carriers/{carrier_id}/api-key", response={200: CarrierKeyOut, **ERRORS})
@api_requires(CARRIERS)
def new_api_key(request: HttpRequest, carrier_id: Path[DbId]):
    """A new key for the carrier's integration (the old one stops working). The key is in this answer
    only: it is stored hashed."""
    carrier, key = carriers.new_api_key(actor=request.auth, carrier_id=carrier_id)
    carrier.api_key = key
    return carrier


# -- the carriers' integration -------------------------------------------------------------------------------

class CarrierKeyAuth(APIKeyHeader):
    """``X-Carrier-Key: kdc_…``: the key made with POST /carriers/{carrier_id}/api-key; an active carrier."""

    param_name = "X-Carrier-Key"

    def authenticate(self, request, key):
        return carriers.carrier_for_key(key or "")


@router.post("/carrier-events", response={200: CarrierEventOut, 201: CarrierEventOut, **ERRORS},
             auth=CarrierKeyAuth())
@integration_endpoint
def post_carrier_event(request: HttpRequest, payload: CarrierEventIn):
    """A carrier's integration reports a tracking event for one of its tracking numbers (header
    `X-Carrier-Key`; 401 without a valid key). 201: recorded; 200: this `event_id` was sent before —
    the first event is returned and nothing changes. A late event that would move the note backwards
    is kept in the timeline without moving it. 404: no note of this carrier has the number."""
    event, created = tracking.add_carrier_event(carrier=request.auth, data=payload.model_dump())
    note = event.note
    answer = {"note_id": note.pk, "note_number": note.number, "note_status": note.status, "event": event_out(event)}
    return Status(201 if created else 200, answer)
