"""API schemas of shipping: delivery notes (create, list, detail, pick/pack/ship/cancel), tracking
events, an order's shipping state, the warehouse's work queue and carriers. Quantities, weights and
money travel as decimal strings; ids are bounded; text storable. Quantities, weights, freight, dates
and tracking numbers are checked by the services (kaidan/shipping/validation.py: every bad field
named, e.g. `lines.2.quantity`, `tracking_numbers.1`); the schemas say what is expected."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, FilterSchema, Schema
from pydantic import AfterValidator, WithJsonSchema

from kaidan.core.api_types import DbId, Text
from kaidan.core.schemas import StrictIn
from kaidan.shipping.states import ExceptionReason, Status
from kaidan.shipping.tracking import INPUT_KINDS
from kaidan.shipping.validation import MAX_LINES, MAX_PARCELS, MAX_TRACKING_NUMBERS, TEXT_LIMITS

Quantity = Annotated[Decimal, WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,4})?$",
                                              "example": "2", "description": "Greater than 0, at most 4 decimals"})]
Weight = Annotated[Decimal, WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,7}(\.[0-9]{1,3})?$",
                                            "example": "5.2", "description": "Kilograms, greater than 0"})]
MoneyIn = Annotated[Decimal, WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,9}(\.[0-9]{1,2})?$",
                                             "example": "23.00", "description": "0 or more, at most 2 decimals"})]
# Figures out: quantities with 4 decimals, money with 2, whatever the database's arithmetic returned.
Qty = Annotated[Decimal, AfterValidator(lambda value: value.quantize(Decimal("0.0001")))]
Money = Annotated[Decimal, AfterValidator(lambda value: value.quantize(Decimal("0.01")))]
Version = Annotated[int, Field(ge=1, le=2**31 - 1, description="The version you read; another → 409 stale_edit")]
TrackingNumbers = Annotated[list[Text], Field(max_length=MAX_TRACKING_NUMBERS, description=(
    f"At most {MAX_TRACKING_NUMBERS}, each up to 60 characters without spaces; one per parcel or one waybill"))]
STATUS_FILTERS = Literal[tuple([*Status.values, "open", "on_the_way"])]
EVENT_KINDS = Literal[tuple(str(kind) for kind in INPUT_KINDS)]
REASONS = Literal[tuple(ExceptionReason.values)]
QUEUE_STATES = Literal["ready", "partly", "waiting", "on_notes"]
NOTE_SORT = (r"^-?(number|created_at|ship_date|status|requested_date)"
             r"(,-?(number|created_at|ship_date|status|requested_date))*$")
ACTIONS = Literal["pick", "pack", "reopen", "ship", "cancel", "add_event"]


# -- delivery notes: input ------------------------------------------------------------------------------

class NoteLineIn(StrictIn):
    order_line_id: DbId = Field(..., description="A line of the order")
    quantity: Quantity = Field(..., description="At most what is left to ship of the line and, for goods kept in "
                                                "stock, what it holds reserved and is not on another note")


class NoteIn(StrictIn):
    order_id: DbId = Field(..., description="A confirmed order")
    lines: list[NoteLineIn] | None = Field(None, max_length=MAX_LINES, description=(
        f"Chosen lines and quantities (1 to {MAX_LINES}); omit for everything reserved and not yet on a note"))
    notes: Text = Field("", max_length=TEXT_LIMITS["notes"])


class VersionIn(StrictIn):
    version: Version | None = Field(None, description="Send the version you read to avoid acting on a note "
                                                      "changed since (→ 409 stale_edit)")


class PackIn(VersionIn):
    parcel_count: int = Field(..., ge=1, le=MAX_PARCELS, description="How many parcels")
    weight_kg: Weight | None = Field(None, description="Total weight")
    carrier_id: DbId | None = Field(None, description="An active carrier")
    service: Text = Field("", max_length=TEXT_LIMITS["service"], description="E.g. 标快, 特快, 次日达")
    tracking_numbers: TrackingNumbers | None = None
    freight_charge: MoneyIn | None = Field(None, description="What the carrier charges; default 0")


class ShipIn(VersionIn):
    ship_date: date | None = Field(None, description="Default today; not in the future, within the last year")
    tracking_numbers: TrackingNumbers | None = Field(None, description="Added to those entered when packing")


class CancelIn(VersionIn):
    reason: Text = Field("", max_length=TEXT_LIMITS["reason"])


class EventIn(VersionIn):
    kind: EVENT_KINDS = Field(..., description="in_transit, out_for_delivery, delivered (signed_by required), "
                                               "exception (exception_reason required) or note")
    occurred_at: datetime | None = Field(None, description="Default now; without a zone: the company's; not in "
                                                           "the future")
    location: Text = Field("", max_length=TEXT_LIMITS["location"])
    description: Text = Field("", max_length=TEXT_LIMITS["description"])
    signed_by: Text = Field("", max_length=TEXT_LIMITS["signed_by"], description="Who signed for the goods")
    exception_reason: REASONS | None = Field(None, description="For an exception: lost, damaged, refused, delayed")


class CarrierEventIn(StrictIn):
    """What a carrier's integration posts (header X-Carrier-Key)."""

    tracking_number: Text = Field(..., max_length=TEXT_LIMITS["tracking_number"],
                                  description="A tracking number of a note this carrier took")
    event_id: Text | None = Field(None, max_length=TEXT_LIMITS["event_id"],
                                  description="The carrier's id of the event: sent again, it is recorded once")
    kind: EVENT_KINDS
    occurred_at: datetime | None = None
    location: Text = Field("", max_length=TEXT_LIMITS["location"])
    description: Text = Field("", max_length=TEXT_LIMITS["description"])
    signed_by: Text = Field("", max_length=TEXT_LIMITS["signed_by"])
    exception_reason: REASONS | None = None


class NoteFilter(FilterSchema):
    status: STATUS_FILTERS | None = Field(None, description="A state, open (draft, picking, packed) or on_the_way "
                                                            "(shipped, in transit, exception)")
    warehouse_id: DbId | None = None
    order_id: DbId | None = None
    customer_id: DbId | None = None
    carrier_id: DbId | None = None
    q: Text | None = Field(None, max_length=100, description="Note or order number, a whole tracking number, "
                                                             "customer code or name")
    date_from: date | None = Field(None, description="Shipped (not shipped yet: created) on or after")
    date_to: date | None = Field(None, description="Shipped (not shipped yet: created) on or before")
    sort: str | None = Field(None, pattern=NOTE_SORT, description="Comma list of number, created_at, ship_date, "
                                                                  "status, requested_date; prefix - for descending")


# -- delivery notes: output -----------------------------------------------------------------------------

class TrackingLinkOut(Schema):
    number: str
    url: str | None = Field(description="The carrier's tracking page; null without a URL pattern")


class NoteBase(Schema):
    id: int
    number: str
    status: str
    status_label: str
    order_id: int
    order_number: str
    customer_id: int
    customer_name: str
    warehouse_id: int
    warehouse_code: str
    carrier_id: int | None
    carrier_name: str | None
    requested_date: date | None
    ship_date: date | None
    parcel_count: int
    line_count: int
    tracking_numbers: list[str]
    created_at: datetime
    shipped_at: datetime | None
    delivered_at: datetime | None
    version: int


class NoteOut(NoteBase):
    """A note in a list (read from the model: order, customer, warehouse, carrier and tracking numbers
    fetched with it)."""

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_order_number(obj) -> str:
        return obj.order.number

    @staticmethod
    def resolve_customer_name(obj) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_warehouse_code(obj) -> str:
        return obj.warehouse.code

    @staticmethod
    def resolve_carrier_name(obj) -> str | None:
        return obj.carrier.name if obj.carrier_id else None

    @staticmethod
    def resolve_tracking_numbers(obj) -> list[str]:
        return [t.number for t in obj.tracking_numbers.all()]


class NoteLineOut(Schema):
    id: int
    position: int
    order_line_id: int
    order_line_position: int
    product_id: int
    sku: str
    name: str
    spec: str
    model: str
    unit: str
    description: str
    quantity: Qty
    unit_cost: Decimal | None = Field(description="Standard cost when shipped; only for roles that see costs")
    cost_amount: Money | None = Field(description="Only for roles that see costs")


class EventOut(Schema):
    id: int
    occurred_at: datetime
    kind: str
    kind_label: str
    location: str
    description: str
    signed_by: str
    exception_reason: str
    source: str = Field(description="user (typed in), carrier (its integration) or system (Kaidan)")
    carrier_code: str | None
    external_id: str = Field(description="The carrier's event id")
    created_by: str | None
    created_at: datetime


class NoteDetailOut(NoteBase):
    shipping_address_text: str
    contact_text: str
    notes: str
    weight_kg: Decimal | None
    carrier_code: str | None
    service: str
    freight_charge: Money
    cost_amount: Money | None = Field(description="Cost of the goods shipped; only for roles that see costs")
    received_by: str
    exception_reason: str
    exception_reason_label: str
    cancel_reason: str
    created_by: str
    picked_by: str | None
    shipped_by: str | None
    picking_at: datetime | None
    packed_at: datetime | None
    cancelled_at: datetime | None
    updated_at: datetime
    lines: list[NoteLineOut]
    tracking: list[TrackingLinkOut] = Field(description="The tracking numbers with their carrier links")
    timeline: list[EventOut] = Field(description="Tracking events, oldest first")
    actions: list[ACTIONS] = Field(description="What the caller may do now: the endpoints under "
                                               "/delivery-notes/{note_id}/ (add_event: /events)")


class CarrierEventOut(Schema):
    note_id: int
    note_number: str
    note_status: str
    event: EventOut


# -- an order's shipping state --------------------------------------------------------------------------

class OrderShippingLineOut(Schema):
    order_line_id: int
    position: int
    product_id: int
    sku: str
    description: str
    unit: str
    tracked: bool = Field(description="Kept in stock (a service ships without stock)")
    ordered: Qty
    shipped: Qty
    on_notes: Qty = Field(description="On notes not shipped yet")
    reserved: Qty = Field(description="Held for the line in the order's warehouse")
    remaining: Qty = Field(description="Ordered − shipped − on notes")
    shippable_now: Qty = Field(description="What a note made now takes by default")


class OrderNoteOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    ship_date: date | None
    carrier_name: str | None
    tracking: list[TrackingLinkOut]


class OrderShippingOut(Schema):
    order_id: int
    order_number: str
    status: str
    fulfilment_status: str
    can_create_note: bool = Field(description="Something can go on a new note now")
    lines: list[OrderShippingLineOut] = Field(description="Empty until the order is confirmed")
    notes: list[OrderNoteOut]


# -- the warehouse's work queue -------------------------------------------------------------------------

class QueueFilter(FilterSchema):
    warehouse_id: DbId | None = None
    state: QUEUE_STATES | None = Field(None, description="ready: all that is left can ship; partly: some; waiting: "
                                                         "none until stock comes; on_notes: all on notes")
    requested_by: date | None = Field(None, description="Requested delivery on or before")
    q: Text | None = Field(None, max_length=100, description="Order number, customer code or name")


class QueueRowOut(Schema):
    order_id: int
    order_number: str
    customer_id: int
    customer_name: str
    warehouse_id: int | None
    warehouse_code: str | None
    order_date: date
    requested_date: date | None
    state: QUEUE_STATES
    lines_left: int
    quantity_left: Qty
    shippable_now: Qty
    open_notes: list[str] = Field(description="Numbers of its notes still in the warehouse")


class QueueCountsOut(Schema):
    ready: int = 0
    partly: int = 0
    waiting: int = 0
    on_notes: int = 0


class QueueOut(Schema):
    counts: QueueCountsOut = Field(description="Orders per state, with every filter but state")
    count: int
    items: list[QueueRowOut] = Field(description="Soonest requested date first")


# -- carriers ---------------------------------------------------------------------------------------------

class CarrierFilter(FilterSchema):
    active: bool | None = None


class CarrierOut(Schema):
    id: int
    code: str
    name: str
    tracking_url: str
    active: bool
    has_api_key: bool = Field(description="Whether its integration may post tracking events")
    version: int

    @staticmethod
    def resolve_has_api_key(obj) -> bool:
        return bool(obj.api_key_digest)


class CarrierKeyOut(CarrierOut):
    api_key: str = Field(description="Shown once: give it to the carrier's integration (header X-Carrier-Key)")


class CarrierIn(StrictIn):
    code: Text = Field(..., max_length=TEXT_LIMITS["code"], examples=["SF"])
    name: Text = Field(..., max_length=TEXT_LIMITS["name"], examples=["顺丰速运"])
    tracking_url: Text = Field("", max_length=TEXT_LIMITS["tracking_url"],
                               description="https://… with {number} where the tracking number goes")
    active: bool = True


class CarrierUpdateIn(StrictIn):
    """Fields left out keep their value."""

    version: Version
    code: Text | None = Field(None, max_length=TEXT_LIMITS["code"])
    name: Text | None = Field(None, max_length=TEXT_LIMITS["name"])
    tracking_url: Text | None = Field(None, max_length=TEXT_LIMITS["tracking_url"])
    active: bool | None = None
