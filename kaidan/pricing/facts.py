"""The price engine's inputs and outputs: plain, immutable facts (no ORM), built by
``kaidan.pricing.selectors`` from the database and by tests by hand. The pipeline that turns them
into prices is ``kaidan.pricing.engine``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

ZERO = Decimal("0")


@dataclass(frozen=True)
class ProductFacts:
    """What the engine needs of a product."""

    id: int
    sku: str
    name: str
    list_price: Decimal
    list_price_includes_tax: bool
    vat_rate: Decimal
    standard_cost: Decimal  # tax-exclusive, per unit
    category_ids: frozenset[int] = frozenset()  # its category and every ancestor


@dataclass(frozen=True)
class CustomerFacts:
    id: int
    group_id: int | None = None


@dataclass(frozen=True)
class PriceListItemFacts:
    product_id: int
    min_quantity: Decimal
    method: Literal["fixed", "percent_off"]
    value: Decimal  # the unit price (4 decimals) or the percent off list price (0–100)


@dataclass(frozen=True)
class PriceListFacts:
    id: int
    code: str
    name: str
    currency: str
    prices_include_tax: bool
    customer_id: int | None = None  # a list for one customer
    group_id: int | None = None  # a list for a customer group
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None  # inclusive
    priority: int = 100  # lower wins among lists of the same reach
    items: tuple[PriceListItemFacts, ...] = ()


@dataclass(frozen=True)
class PromotionFacts:
    id: int
    code: str
    name: str
    kind: Literal["percent_off", "amount_off", "buy_x_get_y", "order_threshold"]
    priority: int = 100
    exclusive: bool = False
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None  # inclusive
    product_ids: frozenset[int] = frozenset()  # both empty: every product
    category_ids: frozenset[int] = frozenset()
    customer_group_ids: frozenset[int] = frozenset()  # empty: every customer
    percent: Decimal | None = None  # percent_off
    amount: Decimal | None = None  # amount_off: per unit, in the order's mode; order_threshold: the discount
    threshold: Decimal | None = None  # order_threshold: order amount (in the order's mode) that earns it
    buy_quantity: Decimal | None = None  # buy_x_get_y
    free_quantity: Decimal | None = None
    free_product_id: int | None = None  # None: the same product


@dataclass(frozen=True)
class LineRequest:
    key: str  # the caller's handle for the line (an id, a position); free lines get "<key>:free:<promo id>"
    product: ProductFacts
    quantity: Decimal
    discount_percent: Decimal = ZERO  # the salesperson's discount, 0–100
    unit_price: Decimal | None = None  # a manual unit price in the order's mode; replaces the price list


@dataclass(frozen=True)
class PricingContext:
    customer: CustomerFacts
    date: datetime.date
    currency: str
    prices_include_tax: bool
    price_lists: tuple[PriceListFacts, ...] = ()
    promotions: tuple[PromotionFacts, ...] = ()
    preferred_price_list_id: int | None = None  # the order header's price list, tried first
    products: dict[int, ProductFacts] = field(default_factory=dict)  # free products of buy-x-get-y


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a line's price: ``code`` names the rule, ``params`` fill its sentence (strings),
    ``amount`` is the unit price it set (price steps) or the line-amount change (discount steps).

    Price steps (``amount`` = the unit price set, 4 decimals):
      list_price        price (as stored on the product, in the product's mode)
      mode_conversion   source ("list_price" | "price_list"), from, to (unit prices), rate (percent,
                        "13"), mode (the order's: "inclusive" | "exclusive")
      price_list        name, code, price (fixed, as stored in the list's mode) or percent (off the
                        list price), min_quantity (only when a quantity break applied)
      manual_price      price, engine_price (what the engine would have charged)
      free_item         name, code, buy, free (quantities); ``amount`` 0 (the free line's unit price;
                        the step is on the buying line too)
    Discount steps (``amount`` = the change of the line amount, ≤ 0; params give it positive):
      promotion_percent name, code, percent, amount
      promotion_amount  name, code, per_unit, amount
      manual_discount   percent, amount
      threshold         name, code, threshold, discount (the whole order discount), share (this line's)
    Tax step (``amount`` = the tax):
      vat               rate (percent, "13"), net, tax, gross, mode ("inclusive" | "exclusive")
    Amounts in params are plain decimal strings ("12.50"), unit prices have 4 decimals, percents
    and quantities are written without trailing zeros ("13", "2.5"). Lines of one product share
    their list-price and price-list steps: treat ``params`` as read-only.
    """

    code: str
    amount: Decimal
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class PricedLine:
    key: str
    product_id: int
    quantity: Decimal
    list_price: Decimal  # in the order's mode, 4 decimals
    unit_price: Decimal  # after price list or manual price, before discounts, 4 decimals
    engine_unit_price: Decimal  # the unit price without the manual price (list or price list), 4 decimals
    price_source: Literal["list", "price_list", "manual"]  # a free line says "list"
    price_list_id: int | None  # the list that set unit_price (None for a manual price)
    discount_percent: Decimal  # the manual discount as entered
    base_amount: Decimal  # round(quantity × unit_price)
    promotion_discount: Decimal  # ≥ 0
    manual_discount: Decimal  # ≥ 0
    allocated_discount: Decimal  # ≥ 0, this line's share of threshold discounts
    amount: Decimal  # base − the three discounts, in the order's mode
    net: Decimal
    tax: Decimal
    gross: Decimal
    vat_rate: Decimal
    cost: Decimal  # round(quantity × standard_cost)
    margin: Decimal  # net − cost
    steps: list[Step]
    is_free: bool = False
    free_for_key: str | None = None
    promotion_ids: tuple[int, ...] = ()  # line promotions applied, then threshold promotions shared


@dataclass
class RateTotal:
    rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True)
class AppliedThreshold:
    """An order threshold promotion that applied, and how much it gave."""

    promotion_id: int
    code: str
    name: str
    threshold: Decimal
    eligible_amount: Decimal  # the amount of its lines (after manual discounts) that reached the threshold
    discount: Decimal  # allocated over line_keys; ≤ the promotion's amount and ≤ what was left on them
    line_keys: tuple[str, ...]


@dataclass
class PricedOrder:
    lines: list[PricedLine]  # requested lines in request order, each free line right after its line
    net: Decimal
    tax: Decimal
    gross: Decimal
    cost: Decimal
    margin: Decimal
    discount: Decimal  # all promotion, manual and threshold discounts
    by_rate: list[RateTotal]  # ascending rate
    thresholds: list[AppliedThreshold] = field(default_factory=list)  # in the order they applied
