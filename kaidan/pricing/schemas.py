"""API schemas of price lists, promotions and discount limits. Prices, percentages and quantities
travel as decimal strings; ids are bounded; text storable."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, FilterSchema, Schema
from pydantic import WithJsonSchema

from kaidan.catalog.validators import CODE_PATTERN
from kaidan.core.api_types import DbId, Text
from kaidan.core.roles import Role
from kaidan.core.schemas import StrictIn

# Decimals are checked by the services (places, range; every bad field of a request reported at
# once, items by position); the schemas only say what is expected.
UnitPrice = Annotated[Decimal, WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,4})?$",
                                               "example": "4999.00"})]
Quantity = Annotated[Decimal, WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,4})?$",
                                              "example": "10"})]
Percent = Annotated[Decimal, WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,3}(\.[0-9]{1,2})?$",
                                             "example": "12.5", "description": "0 to 100"})]
Amount = Annotated[Decimal, WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$",
                                            "example": "100.00"})]
Priority = Annotated[int, Field(ge=0, le=32767, description="Lower numbers first")]
ROLE_NAMES = ", ".join(Role.values)


class PriceListIn(StrictIn):
    code: str = Field(..., min_length=1, max_length=30, pattern=CODE_PATTERN, examples=["DEALER-2026"])
    name: Text = Field(..., min_length=1, max_length=100)
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$")
    prices_include_tax: bool = True
    customer_id: DbId | None = Field(None, description="For one customer; or group_id; neither: everyone")
    group_id: DbId | None = None
    valid_from: date | None = None
    valid_to: date | None = Field(None, description="Inclusive; not before valid_from")
    priority: Priority = 100
    active: bool = True


class PriceListUpdateIn(PriceListIn):
    version: int = Field(..., ge=1, le=2**31 - 1, description="The version you read; another → 409 stale_edit")


class PriceListOut(Schema):
    id: int
    code: str
    name: str
    currency: str
    prices_include_tax: bool
    customer_id: int | None
    customer_name: str | None
    group_id: int | None
    group_name: str | None
    valid_from: date | None
    valid_to: date | None
    priority: int
    active: bool
    item_count: int = 0
    version: int
    updated_at: datetime

    @staticmethod
    def resolve_customer_name(obj) -> str | None:
        return obj.customer.name if obj.customer_id else None

    @staticmethod
    def resolve_group_name(obj) -> str | None:
        return obj.group.name if obj.group_id else None


class PriceListItemIn(StrictIn):
    product_id: DbId
    min_quantity: Quantity = Field(Decimal("0"), description="The price applies from this quantity on")
    method: Literal["fixed", "percent_off"] = "fixed"
    price: UnitPrice | None = Field(None, description="method fixed: the unit price")
    percent: Percent | None = Field(None, description="method percent_off: % off the product's list price")


class PriceListItemsIn(StrictIn):
    version: int | None = Field(None, ge=1, le=2**31 - 1,
                                description="Optional: the list's version you read; another → 409 stale_edit")
    items: list[PriceListItemIn] = Field(..., max_length=20_000, description="Every item; replaces the current ones")


class PriceListItemOut(Schema):
    id: int
    product_id: int
    sku: str = Field(..., alias="product.sku")
    product_name: str = Field(..., alias="product.name")
    min_quantity: Decimal
    method: str
    price: Decimal | None
    percent: Decimal | None


class PriceListFilter(FilterSchema):
    q: Text | None = Field(None, max_length=100, description="Part of the code or name")
    active: bool | None = None


class PromotionIn(StrictIn):
    code: str = Field(..., min_length=1, max_length=30, pattern=CODE_PATTERN, examples=["SPRING-10"])
    name: Text = Field(..., min_length=1, max_length=100)
    kind: Literal["percent_off", "amount_off", "buy_x_get_y", "order_threshold"]
    priority: Priority = 100
    exclusive: bool = False
    valid_from: date | None = None
    valid_to: date | None = None
    percent: Percent | None = Field(None, description="percent_off: % off")
    amount: Amount | None = Field(None, description="amount_off: off per unit; order_threshold: the discount")
    threshold: Amount | None = Field(None, description="order_threshold: the order amount that earns it")
    buy_quantity: Quantity | None = Field(None, description="buy_x_get_y: for every X bought...")
    free_quantity: Quantity | None = Field(None, description="buy_x_get_y: ...Y free")
    free_product_id: DbId | None = Field(None, description="buy_x_get_y: the free product; empty: the same one")
    product_ids: list[DbId] = Field(default_factory=list, max_length=20_000,
                                    description="With category_ids: the products it applies to; both empty: all")
    category_ids: list[DbId] = Field(default_factory=list, max_length=2_000)
    customer_group_ids: list[DbId] = Field(default_factory=list, max_length=2_000,
                                           description="Empty: every customer")
    active: bool = True


class PromotionUpdateIn(PromotionIn):
    version: int = Field(..., ge=1, le=2**31 - 1, description="The version you read; another → 409 stale_edit")


class PromotionOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    priority: int
    exclusive: bool
    valid_from: date | None
    valid_to: date | None
    percent: Decimal | None
    amount: Decimal | None
    threshold: Decimal | None
    buy_quantity: Decimal | None
    free_quantity: Decimal | None
    free_product_id: int | None
    product_ids: list[int]
    category_ids: list[int]
    customer_group_ids: list[int]
    active: bool
    version: int
    updated_at: datetime

    @staticmethod
    def resolve_product_ids(obj) -> list[int]:
        return [p.pk for p in obj.products.all()]

    @staticmethod
    def resolve_category_ids(obj) -> list[int]:
        return sorted(c.pk for c in obj.categories.all())

    @staticmethod
    def resolve_customer_group_ids(obj) -> list[int]:
        return sorted(g.pk for g in obj.customer_groups.all())


class PromotionFilter(FilterSchema):
    q: Text | None = Field(None, max_length=100, description="Part of the code or name")
    active: bool | None = None
    kind: Literal["percent_off", "amount_off", "buy_x_get_y", "order_threshold"] | None = None


class DiscountLimitOut(Schema):
    role: str
    label: str
    max_percent: Decimal


class DiscountLimitIn(StrictIn):
    max_percent: Percent


RoleName = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[a-z_]+$",
                                description=f"One of: {ROLE_NAMES}")]
