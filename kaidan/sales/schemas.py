"""API schemas of quotations and orders. Quantities, prices and amounts travel as decimal strings."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, FilterSchema, Schema
from pydantic import WithJsonSchema

from kaidan.approvals.schemas import RouteOut
from kaidan.core.api_types import DbId, Text
from kaidan.core.schemas import StrictIn
from kaidan.pricing.engine import Step
from kaidan.sales.validation import MAX_LINES

Quantity = Annotated[
    Decimal, Field(gt=0, le=1_000_000_000, max_digits=14, decimal_places=4),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,4})?$", "example": "10"}),
]
UnitPriceIn = Annotated[
    Decimal, Field(ge=0, le=9_999_999_999, max_digits=14, decimal_places=4),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,4})?$", "example": "92.50"}),
]
Percent = Annotated[
    Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,3}(\.[0-9]{1,2})?$", "example": "5"}),
]
ORDER_SORT = (r"^-?(number|order_date|gross_amount|status|created_at|requested_date)"
              r"(,-?(number|order_date|gross_amount|status|created_at|requested_date))*$")
STATUSES = Literal["draft", "sent", "submitted", "pending_approval", "confirmed", "converted", "closed", "cancelled"]


class LineIn(StrictIn):
    id: DbId | None = Field(None, description="An existing line's id when updating a draft; omit for a new line")
    product_id: DbId
    quantity: Quantity
    discount_percent: Percent = Decimal("0")
    unit_price: UnitPriceIn | None = Field(None, description="A price entered by hand, in the order's price mode; "
                                                             "omit to let price lists and promotions price the line")
    description: Text = Field("", max_length=400, description="Empty: the product's name, spec and model")
    requested_date: date | None = None


class HeaderIn(StrictIn):
    contact_id: DbId | None = None
    billing_address_id: DbId | None = None
    shipping_address_id: DbId | None = None
    order_date: date | None = None
    requested_date: date | None = None
    valid_until: date | None = Field(None, description="Quotations: 30 days after the order date when omitted")
    salesperson_id: DbId | None = None
    warehouse_id: DbId | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    payment_term_id: DbId | None = None
    price_list_id: DbId | None = None
    customer_po: Text = Field("", max_length=60, description="客户订单号")
    prices_include_tax: bool = Field(True, description="True: 含税 (tax-inclusive) prices; False: tax-exclusive")
    allow_partial_shipment: bool = Field(False, description="True: confirming reserves what is in stock and "
                                                            "backorders the rest; False: every line must be in "
                                                            "stock. Omit to take the customer's setting")
    notes: Text = Field("", max_length=4000)


class DocumentIn(HeaderIn):
    kind: Literal["order", "quotation"] = "order"
    customer_id: DbId
    lines: list[LineIn] = Field(default_factory=list, max_length=MAX_LINES,
                                description=f"At most {MAX_LINES} lines")


class DocumentUpdateIn(HeaderIn):
    version: int = Field(..., ge=1, le=2**31 - 1, description="The version you read; another → 409 stale_edit")
    customer_id: DbId | None = None
    lines: list[LineIn] | None = Field(None, max_length=MAX_LINES,
                                       description="The whole list of lines (omit to keep them as they are)")


class LineEditIn(StrictIn):
    version: int = Field(..., ge=1, le=2**31 - 1)
    product_id: DbId | None = None
    quantity: Quantity | None = None
    discount_percent: Percent | None = None
    unit_price: UnitPriceIn | None = None
    description: Text | None = Field(None, max_length=400)
    requested_date: date | None = None


class LineReplaceIn(StrictIn):
    version: int = Field(..., ge=1, le=2**31 - 1, description="The version you read; another → 409 stale_edit")
    product_id: DbId = Field(..., description="The product to put on the line: meant for one of the line's "
                                              "stock.substitutes, but any product on sale is accepted")


class VersionIn(StrictIn):
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="Send the version you read to avoid "
                                                                      "acting on a document changed since")


class ReasonIn(VersionIn):
    reason: Text = Field("", max_length=200)


class CopyIn(StrictIn):
    kind: Literal["order", "quotation"] | None = Field(None, description="Default: the same kind")


class PreviewIn(StrictIn):
    customer_id: DbId
    order_date: date | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    price_list_id: DbId | None = None
    prices_include_tax: bool = True
    lines: list[LineIn] = Field(..., min_length=1, max_length=MAX_LINES)


class StepOut(Schema):
    code: str
    amount: str
    params: dict[str, str]
    text: str = Field(description="The step in words, in the request's language")


def steps_out(breakdown: list[dict]) -> list[dict]:
    from kaidan.pricing.explain import describe

    result = []
    for item in breakdown:
        step = Step(code=item["code"], amount=Decimal(item["amount"]), params=item.get("params", {}))
        result.append({**item, "text": describe(step)})
    return result


class SubstituteOut(Schema):
    product_id: int
    sku: str
    name: str
    available: Decimal = Field(description="Free in the order's warehouse")


class LineStockOut(Schema):
    """A line's stock in the order's warehouse. Before confirming: what is free now for this line
    (lines of one product share it, in document order). Confirmed: what the line holds."""

    available: Decimal = Field(description="Free in the order's warehouse now (for this line, after the lines "
                                           "before it on a document not yet confirmed)")
    available_total: Decimal = Field(description="Free in all warehouses")
    badge: Literal["in_stock", "partial", "short"] = Field(
        description="Whether the whole quantity can ship now, part of it or none (confirmed: of what is reserved)")
    reserved: Decimal | None = Field(None, description="Confirmed orders: reserved for this line; else null")
    backordered: Decimal | None = Field(None, description="Confirmed orders: still to come; else null")
    promise_date: date | None = Field(None, description="When the whole quantity can ship (today if it can now; "
                                                        "else from ordered replenishment); null: no supply planned")
    substitutes: list[SubstituteOut] = Field(default_factory=list,
                                             description="Short lines of a document not yet confirmed: up to 5 "
                                                         "products that can replace it with the quantity in stock")


class LineOut(Schema):
    id: int | None
    position: int
    product_id: int
    sku: str
    description: str
    quantity: Decimal
    shipped_quantity: Decimal = Field(Decimal("0"), description="Shipped on delivery notes (0 in price previews)")
    unit: str
    list_price: Decimal
    unit_price: Decimal
    price_source: str
    discount_percent: Decimal
    promotion_discount: Decimal
    manual_discount: Decimal
    allocated_discount: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    gross_amount: Decimal
    vat_rate: Decimal
    requested_date: date | None
    is_free: bool
    free_for_id: int | None
    cost_amount: Decimal | None = Field(None, description="Only for roles that see costs")
    margin: Decimal | None = Field(None, description="net − cost; only for roles that see costs")
    breakdown: list[StepOut]
    stock: LineStockOut | None = Field(None, description="Stock of the line in the order's warehouse; null on "
                                                         "documents closed, cancelled, converted or without a "
                                                         "warehouse, in price previews and in the answers of "
                                                         "one-line edits other than replace")


class RateTotalOut(Schema):
    rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


class DocumentOut(Schema):
    id: int
    kind: str
    number: str
    status: str
    fulfilment_status: str
    billing_status: str
    customer_id: int
    customer_name: str
    order_date: date
    requested_date: date | None
    valid_until: date | None
    salesperson_id: int
    currency: str
    customer_po: str
    prices_include_tax: bool
    allow_partial_shipment: bool
    net_amount: Decimal
    tax_amount: Decimal
    gross_amount: Decimal
    line_count: int
    version: int
    updated_at: datetime

    @staticmethod
    def resolve_customer_name(obj) -> str:
        return obj["customer_name"] if isinstance(obj, dict) else obj.customer.name


class DocumentDetailOut(DocumentOut):
    contact_id: int | None
    billing_address_id: int | None
    shipping_address_id: int | None
    billing_address_text: str
    shipping_address_text: str
    warehouse_id: int | None
    payment_term_id: int | None
    price_list_id: int | None
    price_date: date | None
    notes: str
    quotation_id: int | None
    copied_from_id: int | None
    order_ids: list[int] = Field(default_factory=list, description="Orders made from this quotation")
    revision: int
    discount_amount: Decimal
    cost_amount: Decimal | None = None
    margin: Decimal | None = None
    margin_percent: Decimal | None = None
    amount_in_words: str = Field(description="The gross amount in Chinese capitals (大写金额)")
    totals_by_rate: list[RateTotalOut]
    lines: list[LineOut]
    submitted_at: datetime | None
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    approval: RouteOut | None = Field(None, description="The latest approval request: the route, every reason "
                                                        "in words and what you may decide; null when the "
                                                        "document never needed approval")


class LineChangeOut(Schema):
    """The answer to a one-line edit: the document's new totals and version, and every line written."""

    document: DocumentOut
    lines: list[LineOut]
    removed_line_ids: list[int] = Field(default_factory=list)


class PreviewLineOut(LineOut):
    key: str


class PreviewOut(Schema):
    currency: str
    prices_include_tax: bool
    net_amount: Decimal
    tax_amount: Decimal
    gross_amount: Decimal
    discount_amount: Decimal
    amount_in_words: str
    totals_by_rate: list[RateTotalOut]
    lines: list[PreviewLineOut]
    cost_amount: Decimal | None = None
    margin: Decimal | None = None


class DocumentFilter(FilterSchema):
    kind: Literal["order", "quotation"] | None = None
    status: STATUSES | None = None
    fulfilment_status: Literal["not_shipped", "partly_shipped", "shipped"] | None = None
    customer_id: DbId | None = None
    salesperson_id: DbId | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: Text | None = Field(None, max_length=100, description="Number, customer PO number, customer code or name")
    sort: str | None = Field(None, pattern=ORDER_SORT)
