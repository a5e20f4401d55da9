"""API schemas of stock: levels, the move ledger, reservations, receipts/adjustments/transfers, the
availability check, replenishment requests and reorder rules. Quantities travel as decimal strings;
ids are bounded; text storable. Quantities are checked by the services (places, sign, whole numbers
for units counted in pieces; every bad line reported by position), the schemas say what is expected."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, FilterSchema, Schema
from pydantic import AfterValidator, WithJsonSchema

from kaidan.core.api_types import DbId, Text
from kaidan.core.schemas import StrictIn
from kaidan.inventory.validation import MAX_LINES

Quantity = Annotated[Decimal, WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,4})?$",
                                              "example": "10", "description": "Greater than 0"})]
SignedQuantity = Annotated[Decimal, WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]{1,10}(\.[0-9]{1,4})?$",
                                                    "example": "-2", "description": "+ adds, − removes; not 0"})]
Level = Annotated[Decimal, WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,4})?$",
                                           "example": "20"})]
# Figures out are given with 4 decimals whatever the database's arithmetic returned ("2" or "2.0000").
Qty = Annotated[Decimal, AfterValidator(lambda value: value.quantize(Decimal("0.0001")))]
Version = Annotated[int, Field(ge=1, le=2**31 - 1, description="The version you read; another → 409 stale_edit")]
MOVE_KINDS = Literal["receipt", "adjustment", "shipment", "return", "transfer_in", "transfer_out"]
OPERATION_KINDS = Literal["receipt", "adjustment", "transfer"]
REQUEST_STATUSES = Literal["open", "ordered", "received", "cancelled"]


# -- reads ---------------------------------------------------------------------------------------------

class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    address: str


class StockFilter(FilterSchema):
    q: Text | None = Field(None, max_length=100, description="Part of the SKU or name")
    warehouse_id: DbId | None = None
    product_id: DbId | None = None
    category_id: DbId | None = None
    status: Literal["short", "available", "reserved", "below_min"] | None = Field(
        None, description="short: nothing free; available: some free; reserved: some held for orders; "
                          "below_min: free below the reorder rule's minimum")


class StockLevelOut(Schema):
    product_id: int
    sku: str = Field(..., alias="product__sku")
    name: str = Field(..., alias="product__name")
    unit: str = Field(..., alias="product__unit__code")
    warehouse_id: int
    warehouse_code: str = Field(..., alias="warehouse__code")
    on_hand: Qty
    reserved: Qty
    available: Qty = Field(description="On hand − reserved")
    incoming: Qty = Field(description="Ordered from suppliers, not yet received")
    backordered: Qty = Field(description="What confirmed orders still wait for")
    min_level: Qty | None = Field(None, description="The active reorder rule's minimum")

    @staticmethod
    def resolve_available(row) -> Decimal:
        return row["on_hand"] - row["reserved"]


class MoveFilter(FilterSchema):
    product_id: DbId | None = None
    warehouse_id: DbId | None = None
    kind: MOVE_KINDS | None = None


class MoveOut(Schema):
    id: int
    time: datetime = Field(..., alias="created_at")
    kind: str
    product_id: int
    sku: str = Field(..., alias="product.sku")
    product_name: str = Field(..., alias="product.name")
    unit: str = Field(..., alias="product.unit.code")
    warehouse_id: int
    warehouse_code: str = Field(..., alias="warehouse.code")
    quantity: Qty = Field(description="+ into the warehouse, − out of it")
    on_hand_after: Qty
    reference: str
    reason: str
    operation_id: int | None
    operation_number: str | None = None
    by: str = Field(..., alias="created_by.username")

    @staticmethod
    def resolve_operation_number(obj) -> str | None:
        return obj.operation.number if obj.operation_id else None


class ReservationFilter(FilterSchema):
    order_id: DbId | None = None
    product_id: DbId | None = None
    warehouse_id: DbId | None = None
    backordered_only: bool = Field(False, description="Only lines still waiting for stock")
    include_closed: bool = Field(False, description="Also reservations released by cancelled orders")


class ReservationOut(Schema):
    id: int
    order_id: int
    order_number: str
    order_line_id: int
    order_date: date
    product_id: int
    sku: str = Field(..., alias="product.sku")
    product_name: str = Field(..., alias="product.name")
    warehouse_id: int
    warehouse_code: str = Field(..., alias="warehouse.code")
    quantity: Qty = Field(description="What the line wants from this warehouse")
    reserved: Qty = Field(description="What it holds now")
    backordered: Qty = Field(description="What it still waits for")
    status: str


class OperationFilter(FilterSchema):
    kind: OPERATION_KINDS | None = None
    warehouse_id: DbId | None = Field(None, description="Either end of a transfer")


class OperationOut(Schema):
    id: int
    number: str
    kind: str
    warehouse_id: int
    warehouse_code: str = Field(..., alias="warehouse.code")
    to_warehouse_id: int | None
    to_warehouse_code: str | None = None
    supplier: str
    reference: str
    reason: str
    notes: str
    by: str = Field(..., alias="created_by.username")
    time: datetime = Field(..., alias="created_at")

    @staticmethod
    def resolve_to_warehouse_code(obj) -> str | None:
        return obj.to_warehouse.code if obj.to_warehouse_id else None


class OperationDetailOut(OperationOut):
    moves: list[MoveOut]


# -- stock operations ------------------------------------------------------------------------------------

class LineIn(StrictIn):
    product_id: DbId
    quantity: Quantity


class ReceiptIn(StrictIn):
    warehouse_id: DbId
    supplier: Text = Field("", max_length=200)
    reference: Text = Field("", max_length=60, description="E.g. the supplier's delivery note")
    notes: Text = Field("", max_length=2000)
    lines: list[LineIn] = Field(..., max_length=MAX_LINES, description=f"1 to {MAX_LINES} lines")


class AdjustmentLineIn(StrictIn):
    product_id: DbId
    quantity: SignedQuantity | None = Field(None, description="The change; or give counted")
    counted: Level | None = Field(None, description="Stocktake: what was counted; the difference is posted")


class AdjustmentIn(StrictIn):
    warehouse_id: DbId
    reason: Text = Field(..., max_length=200, description="Required, e.g. 盘点 (stocktake) or 损坏 (damaged)")
    notes: Text = Field("", max_length=2000)
    lines: list[AdjustmentLineIn] = Field(..., max_length=MAX_LINES, description=f"1 to {MAX_LINES} lines")


class TransferIn(StrictIn):
    warehouse_id: DbId = Field(..., description="Where the goods leave")
    to_warehouse_id: DbId = Field(..., description="Where they arrive")
    reference: Text = Field("", max_length=60)
    notes: Text = Field("", max_length=2000)
    lines: list[LineIn] = Field(..., max_length=MAX_LINES, description=f"1 to {MAX_LINES} lines")


# -- availability --------------------------------------------------------------------------------------

class AvailabilityIn(StrictIn):
    warehouse_id: DbId
    lines: list[LineIn] = Field(..., max_length=MAX_LINES, description=f"1 to {MAX_LINES} lines")


class SubstituteOut(Schema):
    product_id: int
    sku: str
    name: str
    available: Qty


class AvailabilityLineOut(Schema):
    product_id: int
    quantity: Qty
    available: Qty = Field(description="Free in this warehouse now (lines of one product share it)")
    available_total: Qty = Field(description="Free in every warehouse")
    can_ship_now: Qty
    short: Qty
    badge: Literal["in_stock", "partial", "short"]
    promise_date: date | None = Field(None, description="When all of it can ship; null: no planned supply covers it")
    incoming: Qty = Field(description="Ordered from suppliers for this warehouse")
    substitutes: list[SubstituteOut] = Field(description="For a short line: products with enough free stock here")


class AvailabilityOut(Schema):
    warehouse_id: int
    lines: list[AvailabilityLineOut]


# -- replenishment -------------------------------------------------------------------------------------

class RequestFilter(FilterSchema):
    status: REQUEST_STATUSES | None = None
    warehouse_id: DbId | None = None
    product_id: DbId | None = None


class RequestOut(Schema):
    id: int
    number: str
    product_id: int
    sku: str = Field(..., alias="product.sku")
    product_name: str = Field(..., alias="product.name")
    unit: str = Field(..., alias="product.unit.code")
    warehouse_id: int
    warehouse_code: str = Field(..., alias="warehouse.code")
    quantity: Qty
    status: str
    source: str = Field(description="shortage, reorder or manual")
    supplier: str
    purchase_reference: str
    expected_date: date | None
    received_quantity: Qty
    receipt_id: int | None
    receipt_number: str | None = None
    notes: str
    created_by: str | None = Field(None, description="Null: raised by the system")
    created_at: datetime
    ordered_at: datetime | None
    received_at: datetime | None
    version: int

    @staticmethod
    def resolve_receipt_number(obj) -> str | None:
        return obj.receipt.number if obj.receipt_id else None

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return obj.created_by.username if obj.created_by_id else None


class RequestIn(StrictIn):
    product_id: DbId
    warehouse_id: DbId
    quantity: Quantity
    notes: Text = Field("", max_length=400)


class OrderedIn(StrictIn):
    version: Version
    expected_date: date = Field(..., description="When the goods are expected; promise dates use it")
    supplier: Text = Field("", max_length=200)
    purchase_reference: Text = Field("", max_length=60, description="The purchase order's number")
    quantity: Quantity | None = Field(None, description="Omit to keep the requested quantity")


class ReceiveIn(StrictIn):
    version: Version
    quantity: Quantity | None = Field(None, description="Omit: the quantity ordered")
    reference: Text = Field("", max_length=60, description="Omit: the purchase order's or the request's number")
    notes: Text = Field("", max_length=2000)


class CancelIn(StrictIn):
    version: Version


# -- reorder rules ----------------------------------------------------------------------------------------

class RuleFilter(FilterSchema):
    warehouse_id: DbId | None = None
    product_id: DbId | None = None


class RuleOut(Schema):
    id: int
    product_id: int
    sku: str = Field(..., alias="product.sku")
    product_name: str = Field(..., alias="product.name")
    warehouse_id: int
    warehouse_code: str = Field(..., alias="warehouse.code")
    min_level: Qty
    max_level: Qty
    active: bool
    version: int


class RuleIn(StrictIn):
    product_id: DbId
    warehouse_id: DbId
    min_level: Level = Field(..., description="Below this (free + incoming) a request is raised")
    max_level: Level = Field(..., description="The request tops up to this; greater than 0, not below the minimum")
    active: bool = True


class RuleUpdateIn(StrictIn):
    version: Version
    min_level: Level | None = None
    max_level: Level | None = None
    active: bool | None = None
