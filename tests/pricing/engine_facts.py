"""Builders of price-engine facts for the engine's tests: products (tax-inclusive at 13 % unless
said), price lists and their items, promotions, a pricing context on a fixed date."""

import datetime
from decimal import Decimal as D

from kaidan.pricing.engine import (
    CustomerFacts,
    LineRequest,
    PriceListFacts,
    PriceListItemFacts,
    PricingContext,
    ProductFacts,
    PromotionFacts,
    price_order,
)

TODAY = datetime.date(2026, 6, 15)
CUSTOMER = CustomerFacts(id=1, group_id=10)
LAPTOP_CATEGORY, COMPUTERS, ELECTRONICS = 30, 20, 10  # laptops ⊂ computers ⊂ electronics


def product(id=1, price="100.00", *, includes_tax=True, rate="0.13", cost="50.00", categories=()):
    return ProductFacts(id=id, sku=f"SKU{id}", name=f"Product {id}", list_price=D(price),
                        list_price_includes_tax=includes_tax, vat_rate=D(rate), standard_cost=D(cost),
                        category_ids=frozenset(categories))


def laptop(id=1, price="100.00", **kw):
    return product(id, price, categories={LAPTOP_CATEGORY, COMPUTERS, ELECTRONICS}, **kw)


def request(key="1", item=None, quantity="1", *, discount="0", unit_price=None):
    return LineRequest(key=key, product=item or product(), quantity=D(quantity), discount_percent=D(discount),
                       unit_price=None if unit_price is None else D(unit_price))


def price_list(id=1, *items, code=None, currency="CNY", includes_tax=True, customer=None, group=None,
               valid_from=None, valid_to=None, priority=100):
    return PriceListFacts(id=id, code=code or f"L{id}", name=f"List {id}", currency=currency,
                          prices_include_tax=includes_tax, customer_id=customer, group_id=group,
                          valid_from=valid_from, valid_to=valid_to, priority=priority, items=tuple(items))


def fixed(product_id=1, price="90.00", min_quantity="0"):
    return PriceListItemFacts(product_id=product_id, min_quantity=D(min_quantity), method="fixed", value=D(price))


def percent_off(product_id=1, percent="10", min_quantity="0"):
    return PriceListItemFacts(product_id=product_id, min_quantity=D(min_quantity), method="percent_off",
                              value=D(percent))


def promotion(id, kind, *, products=(), categories=(), groups=(), exclusive=False, priority=100, **values):
    values = {name: (D(value) if isinstance(value, str) else value) for name, value in values.items()}
    return PromotionFacts(id=id, code=f"P{id}", name=f"Promo {id}", kind=kind, priority=priority,
                          exclusive=exclusive, product_ids=frozenset(products), category_ids=frozenset(categories),
                          customer_group_ids=frozenset(groups), **values)


def context(*, inclusive=True, lists=(), promotions=(), customer=CUSTOMER, preferred=None, products=None,
            date=TODAY, currency="CNY"):
    return PricingContext(customer=customer, date=date, currency=currency, prices_include_tax=inclusive,
                          price_lists=tuple(lists), promotions=tuple(promotions), preferred_price_list_id=preferred,
                          products=products or {})


def price_one(line, **ctx):
    order = price_order([line], context(**ctx))
    return order.lines[0]


def codes(line):
    return [step.code for step in line.steps]


def step(line, code):
    (found,) = [s for s in line.steps if s.code == code]
    return found


# --- 1. the list price -----------------------------------------------------------------------------


def threshold(id=50, threshold="1000.00", amount="100.00", **kw):
    return promotion(id, "order_threshold", threshold=threshold, amount=amount, **kw)
