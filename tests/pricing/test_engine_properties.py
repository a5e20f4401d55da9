"""Properties of the price engine over random orders: whatever the prices, discounts, promotions and
mode, the lines add up to the order, every line adds up to itself, amounts are whole cents and never
negative, threshold discounts are shared out exactly, and both price modes agree within a cent-level
bound (derived in docs/pricing.md, "Tax-inclusive and tax-exclusive orders")."""

import datetime
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from kaidan.core.money import round_money
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
RATES = [D("0"), D("0.03"), D("0.06"), D("0.09"), D("0.13")]
CATEGORIES = [1, 2, 3]
STABLE = settings(max_examples=200, deadline=None, derandomize=True)


def cents(low=0, high=10**6):
    return st.integers(low, high).map(lambda n: D(n).scaleb(-2))


def unit_prices(high=10**7):
    return st.integers(0, high).map(lambda n: D(n).scaleb(-4))


quantities = st.one_of(st.integers(1, 300).map(D), st.integers(1, 50_000).map(lambda n: D(n).scaleb(-3)))
percents = st.one_of(st.just(D("0")), st.integers(0, 10_000).map(lambda n: D(n).scaleb(-2)))
small_ints = st.integers(1, 5).map(D)


@st.composite
def products(draw, count):
    return [
        ProductFacts(id=i, sku=f"P{i}", name=f"P{i}", list_price=draw(unit_prices()),
                     list_price_includes_tax=draw(st.booleans()), vat_rate=draw(st.sampled_from(RATES)),
                     standard_cost=draw(unit_prices(10**6)),
                     category_ids=draw(st.frozensets(st.sampled_from(CATEGORIES), max_size=2)))
        for i in range(1, count + 1)
    ]


@st.composite
def price_lists(draw, product_ids):
    items = draw(st.lists(st.builds(
        PriceListItemFacts,
        product_id=st.sampled_from(product_ids),
        min_quantity=st.integers(0, 20).map(D),
        method=st.sampled_from(["fixed", "percent_off"]),
        value=st.integers(0, 10**7).map(lambda n: D(n).scaleb(-4)),
    ), max_size=6))
    items = [item if item.method == "fixed" or item.value <= 100 else
             PriceListItemFacts(item.product_id, item.min_quantity, "percent_off", item.value % 100) for item in items]
    return PriceListFacts(id=draw(st.integers(1, 1000)), code="L", name="L", currency="CNY",
                          prices_include_tax=draw(st.booleans()), group_id=draw(st.sampled_from([None, 10])),
                          priority=draw(st.integers(1, 3)), items=tuple(items))


def filters(draw, product_ids):
    return dict(
        product_ids=draw(st.frozensets(st.sampled_from(product_ids), max_size=1)),
        category_ids=draw(st.frozensets(st.sampled_from(CATEGORIES), max_size=1)),
        customer_group_ids=draw(st.sampled_from([frozenset(), frozenset(), frozenset({10}), frozenset({11})])),
        priority=draw(st.integers(1, 3)), exclusive=draw(st.booleans()),
    )


@st.composite
def line_promotions(draw, product_ids):
    kind = draw(st.sampled_from(["percent_off", "amount_off", "buy_x_get_y"]))
    if kind == "percent_off":
        values = {"percent": draw(percents)}
    elif kind == "amount_off":
        values = {"amount": draw(cents(0, 5000))}
    else:
        values = {"buy_quantity": draw(small_ints), "free_quantity": draw(small_ints),
                  "free_product_id": draw(st.sampled_from([None, 99, *product_ids]))}
    return PromotionFacts(id=draw(st.integers(1, 10**6)), code="L", name="L", kind=kind, **values,
                          **filters(draw, product_ids))


@st.composite
def threshold_promotions(draw, product_ids):
    promotion_id = draw(st.integers(1, 10**6))
    return PromotionFacts(id=promotion_id, code=f"T{promotion_id}", name="T", kind="order_threshold",
                          threshold=draw(cents(0, 100_000)), amount=draw(cents(0, 50_000)),
                          **filters(draw, product_ids))


@st.composite
def orders(draw, min_promotions=0):
    """(lines, context): 1–12 lines of 1–4 products, price lists, promotions of every kind (at
    least ``min_promotions`` line promotions and as many threshold promotions)."""
    catalogue = draw(products(draw(st.integers(1, 4))))
    ids = [p.id for p in catalogue]
    lines = [
        LineRequest(key=str(n), product=draw(st.sampled_from(catalogue)), quantity=draw(quantities),
                    discount_percent=draw(percents), unit_price=draw(st.one_of(st.none(), unit_prices())))
        for n in range(draw(st.integers(1, 12)))
    ]
    promotions = (draw(st.lists(line_promotions(ids), min_size=min_promotions, max_size=3))
                  + draw(st.lists(threshold_promotions(ids), min_size=min_promotions, max_size=3)))
    ctx = PricingContext(
        customer=CustomerFacts(id=1, group_id=10), date=TODAY, currency="CNY",
        prices_include_tax=draw(st.booleans()),
        price_lists=tuple(draw(st.lists(price_lists(ids), max_size=2, unique_by=lambda pl: pl.id))),
        promotions=tuple({p.id: p for p in promotions}.values()),
        products={p.id: p for p in catalogue},
    )
    return lines, ctx


def amounts(line):
    return [line.base_amount, line.promotion_discount, line.manual_discount, line.allocated_discount, line.amount,
            line.net, line.tax, line.gross, line.cost]


@STABLE
@given(orders())
def test_any_order_adds_up_to_the_cent(order_facts):
    # given any order: any prices, modes, lists, promotions, discounts
    lines, ctx = order_facts
    # when it is priced
    order = price_order(lines, ctx)
    # then (each property below reads on its own)
    the_order_is_the_sum_of_its_lines(order)
    every_line_adds_up(order, ctx)
    amounts_are_whole_cents_and_never_negative(order)
    threshold_discounts_are_shared_out_exactly(order, ctx)
    free_lines_cost_but_charge_nothing_and_follow_their_line(order)


@STABLE
@given(orders(min_promotions=2))
def test_orders_with_promotions_of_every_kind_add_up_too(order_facts):
    # given orders with at least two line promotions and two threshold promotions
    lines, ctx = order_facts
    order = price_order(lines, ctx)
    # then threshold discounts are shared out exactly and everything still adds up
    threshold_discounts_are_shared_out_exactly(order, ctx)
    the_order_is_the_sum_of_its_lines(order)
    every_line_adds_up(order, ctx)
    amounts_are_whole_cents_and_never_negative(order)


def the_order_is_the_sum_of_its_lines(order):
    lines = order.lines
    assert order.gross == sum(line.gross for line in lines)
    assert order.net == sum(line.net for line in lines)
    assert order.tax == sum(line.tax for line in lines)
    assert order.cost == sum(line.cost for line in lines)
    assert order.margin == sum(line.margin for line in lines) == order.net - order.cost
    assert order.discount == sum(line.promotion_discount + line.manual_discount + line.allocated_discount
                                 for line in lines)
    # the totals by rate too, in ascending rate, each adding up
    assert [r.rate for r in order.by_rate] == sorted({line.vat_rate for line in lines if not line.is_free})
    assert sum(r.gross for r in order.by_rate) == order.gross
    assert sum(r.net for r in order.by_rate) == order.net
    assert sum(r.tax for r in order.by_rate) == order.tax
    for total in order.by_rate:
        assert total.net + total.tax == total.gross
        assert total.gross == sum(line.gross for line in lines if line.vat_rate == total.rate)


def every_line_adds_up(order, ctx):
    for line in order.lines:
        # net + tax = gross; the line amount is the gross or the net depending on the mode
        assert line.net + line.tax == line.gross
        assert line.amount == (line.gross if ctx.prices_include_tax else line.net)
        # the amount is the base less the three discounts
        assert line.amount == (line.base_amount - line.promotion_discount - line.manual_discount
                               - line.allocated_discount)
        assert line.margin == line.net - line.cost
        # the tax is the exact tax of the line rounded: within half a cent
        rate = line.vat_rate
        exact = line.gross * rate / (1 + rate) if ctx.prices_include_tax else line.net * rate
        assert abs(line.tax - exact) <= D("0.005")


def amounts_are_whole_cents_and_never_negative(order):
    for line in order.lines:
        for amount in amounts(line):
            assert amount.as_tuple().exponent >= -2 and amount == round_money(amount)
            assert amount >= 0
        for price in (line.unit_price, line.list_price, line.engine_unit_price):
            assert price.as_tuple().exponent >= -4
    for total in (order.net, order.tax, order.gross, order.cost, order.discount):
        assert total.as_tuple().exponent >= -2


def threshold_discounts_are_shared_out_exactly(order, ctx):
    # the lines' shares add up to the threshold discounts applied, promotion by promotion
    assert sum(line.allocated_discount for line in order.lines) == sum(t.discount for t in order.thresholds)
    for applied in order.thresholds:
        shares = [D(step.params["share"]) for line in order.lines for step in line.steps
                  if step.code == "threshold" and step.params["code"] == applied.code]
        assert sum(shares) == applied.discount
        assert len(shares) == len(applied.line_keys)
        promo = next(p for p in ctx.promotions if p.id == applied.promotion_id)
        # never more than promised, and only when the threshold was reached
        assert 0 <= applied.discount <= promo.amount
        assert applied.eligible_amount >= promo.threshold
    # free lines never share
    assert all(line.allocated_discount == 0 for line in order.lines if line.is_free)


def free_lines_cost_but_charge_nothing_and_follow_their_line(order):
    previous_key = None
    for line in order.lines:
        if line.is_free:
            assert line.free_for_key == previous_key
            assert (line.unit_price, line.amount, line.gross) == (0, 0, 0)
            assert line.margin == -line.cost
        else:
            previous_key = line.key


# --- both modes -----------------------------------------------------------------------------------
#
# For the same tax-exclusive unit price p, quantity q and rate r, with no discount:
#   tax-exclusive order: net = round(q·p), gross = net + round(net·r)
#       → |gross − q·p·(1+r)| ≤ 0.005·(1+r) + 0.005
#   tax-inclusive order: unit price P = round4(p·(1+r)), gross = round(q·P)
#       → |gross − q·p·(1+r)| ≤ 0.005 + q·0.00005
# so the two grosses differ by at most 0.005·(3+r) + 0.00005·q: one cent below 87 units at 13%.


def mode_bound(quantity, rate):
    return D("0.005") * (3 + rate) + D("0.00005") * quantity


def single_line_gross(price, includes_tax, rate, quantity, order_inclusive):
    item = ProductFacts(id=1, sku="P", name="P", list_price=price, list_price_includes_tax=includes_tax,
                        vat_rate=rate, standard_cost=D("0"))
    ctx = PricingContext(customer=CustomerFacts(id=1), date=TODAY, currency="CNY", prices_include_tax=order_inclusive)
    return price_order([LineRequest(key="1", product=item, quantity=quantity)], ctx).lines[0].gross


@STABLE
@given(price=unit_prices(), rate=st.sampled_from(RATES), quantity=quantities)
def test_both_modes_agree_within_the_bound_for_a_tax_exclusive_price(price, rate, quantity):
    # given a tax-exclusive price p
    # when it is sold in a tax-exclusive order and (converted to p × (1 + r)) in a tax-inclusive one
    exclusive = single_line_gross(price, False, rate, quantity, order_inclusive=False)
    inclusive = single_line_gross(price, False, rate, quantity, order_inclusive=True)
    # then the grosses differ by no more than the bound
    assert abs(exclusive - inclusive) <= mode_bound(quantity, rate)


@STABLE
@given(price=unit_prices(), rate=st.sampled_from(RATES), quantity=quantities)
def test_both_modes_agree_within_the_bound_for_a_tax_inclusive_price(price, rate, quantity):
    # the same from a tax-inclusive price P: the tax-exclusive order uses round4(P / (1 + r)), whose
    # error is multiplied by q·(1 + r) in the gross
    inclusive = single_line_gross(price, True, rate, quantity, order_inclusive=True)
    exclusive = single_line_gross(price, True, rate, quantity, order_inclusive=False)
    assert abs(exclusive - inclusive) <= D("0.005") * (3 + rate) + D("0.00005") * quantity * (1 + rate)


def test_the_modes_can_differ_by_a_cent():
    # given one unit at 0.0385 tax-exclusive, 13%
    # when sold tax-exclusive: net 0.04, tax round(0.0052) = 0.01, gross 0.05;
    # when sold tax-inclusive: unit price 0.0435 (0.043505), gross 0.04
    exclusive = single_line_gross(D("0.0385"), False, D("0.13"), D("1"), order_inclusive=False)
    inclusive = single_line_gross(D("0.0385"), False, D("0.13"), D("1"), order_inclusive=True)
    assert (exclusive, inclusive) == (D("0.05"), D("0.04"))
