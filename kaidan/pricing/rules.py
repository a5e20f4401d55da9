"""Which pricing rules apply, and how far a salesperson went below them: pure functions over the
engine's facts (no ORM), used by the engine (engine.py) and by the per-role discount limit."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from kaidan.core.money import round_money
from kaidan.pricing.facts import LineRequest, PricedLine, PriceListFacts, PricingContext, ProductFacts, PromotionFacts

HUNDRED = Decimal(100)
ONE = Decimal(1)


def choose_price_lists(ctx: PricingContext) -> list[PriceListFacts]:
    """The applicable lists in the order they are tried: the preferred one, then lists for this
    customer, then for its group, then general ones; within each, by priority then id. Only lists in
    the order's currency, valid on the date."""
    customer, currency = ctx.customer, ctx.currency.upper()

    def applicable(price_list: PriceListFacts) -> bool:
        return (
            price_list.currency.upper() == currency
            and valid_on(price_list.valid_from, price_list.valid_to, ctx.date)
            and (price_list.customer_id is None or price_list.customer_id == customer.id)
            and (price_list.group_id is None or price_list.group_id == customer.group_id)
        )

    def reach(price_list: PriceListFacts) -> int:
        return 0 if price_list.customer_id is not None else 1 if price_list.group_id is not None else 2

    return sorted(
        filter(applicable, ctx.price_lists),
        key=lambda pl: (pl.id != ctx.preferred_price_list_id, reach(pl), pl.priority, pl.id),
    )


def manual_reduction_percent(line: PricedLine) -> Decimal:
    """How far below the engine's price the salesperson went, in percent (manual price and manual
    discount together), for the per-role discount limit:
    ``100 × (1 − unit_price × (1 − discount% / 100) / engine_unit_price)``, two decimals half-up,
    never below 0 (a manual price above the engine's is no reduction); 0 when the engine's price is 0.
    Promotions are not the salesperson's doing and do not count."""
    zero = round_money(0, "CNY")  # a percent with two decimals, rounded like an amount
    if line.engine_unit_price <= 0:
        return zero
    charged = line.unit_price * (ONE - line.discount_percent / HUNDRED)
    percent = HUNDRED * (ONE - charged / line.engine_unit_price)
    return round_money(percent, "CNY") if percent > 0 else zero


def valid_on(valid_from: datetime.date | None, valid_to: datetime.date | None, date: datetime.date) -> bool:
    return (valid_from is None or valid_from <= date) and (valid_to is None or date <= valid_to)


def matches_product(promotion: PromotionFacts, product: ProductFacts) -> bool:
    if not promotion.product_ids and not promotion.category_ids:
        return True
    return product.id in promotion.product_ids or not promotion.category_ids.isdisjoint(product.category_ids)


def validate_requests(lines: Sequence[LineRequest]) -> None:
    """Refuse facts that cannot be priced: a repeated key, quantity ≤ 0, a discount outside 0–100, a
    negative manual price (ValueError naming the line)."""
    keys: set[str] = set()
    for line in lines:
        key = line.key
        if key in keys:
            raise ValueError(f"line {key!r}: two lines have this key")
        keys.add(key)
        if not line.quantity > 0:
            raise ValueError(f"line {key!r}: the quantity must be more than 0, not {line.quantity}")
        if not 0 <= line.discount_percent <= 100:
            raise ValueError(f"line {key!r}: the discount must be between 0 and 100%, not {line.discount_percent}")
        if line.unit_price is not None and line.unit_price < 0:
            raise ValueError(f"line {key!r}: the unit price must not be negative, not {line.unit_price}")
