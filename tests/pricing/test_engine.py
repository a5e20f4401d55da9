"""The price engine, rule by rule: list price, price lists, promotions, thresholds, VAT, rounding.

Pure functions over plain facts: no database. Products are tax-inclusive at 13% and the order is
tax-inclusive unless a test says otherwise."""

import ast
import datetime
from decimal import Decimal as D
from pathlib import Path

import pytest

from kaidan.pricing import engine
from kaidan.pricing.engine import (
    CustomerFacts,
    LineRequest,
    PriceListFacts,
    PriceListItemFacts,
    PricingContext,
    ProductFacts,
    PromotionFacts,
    choose_price_lists,
    manual_reduction_percent,
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


class TestListPrice:
    def test_a_product_without_price_list_sells_at_its_list_price(self):
        # given a tax-inclusive product at 100 in a tax-inclusive order
        # when two are priced
        line = price_one(request(quantity="2"))
        # then the list price is the unit price and the line is 200 gross, VAT split out of it
        assert (line.list_price, line.unit_price, line.engine_unit_price) == (D("100.0000"),) * 3
        assert line.price_source == "list" and line.price_list_id is None
        assert (line.base_amount, line.amount, line.gross) == (D("200.00"), D("200.00"), D("200.00"))
        assert (line.net, line.tax) == (D("176.99"), D("23.01"))
        assert codes(line) == ["list_price", "vat"]

    def test_a_tax_inclusive_list_price_loses_its_vat_in_a_tax_exclusive_order(self):
        # given a product at 113 tax-inclusive
        item = product(price="113.00", includes_tax=True)
        # when it is sold in a tax-exclusive order
        line = price_one(request(item=item), inclusive=False)
        # then its price is 113 / 1.13 = 100, and the step says so
        assert line.list_price == line.unit_price == D("100.0000")
        conversion = step(line, "mode_conversion")
        assert conversion.amount == D("100.0000")
        assert conversion.params == {"source": "list_price", "from": "113.0000", "to": "100.0000", "rate": "13",
                                     "mode": "exclusive"}
        assert (line.net, line.tax, line.gross) == (D("100.00"), D("13.00"), D("113.00"))

    def test_a_tax_exclusive_list_price_gains_its_vat_in_a_tax_inclusive_order(self):
        # given a product at 100 tax-exclusive, 9% VAT
        item = product(price="100.00", includes_tax=False, rate="0.09")
        # when it is sold in a tax-inclusive order
        line = price_one(request(item=item))
        # then its price is 100 × 1.09
        assert line.unit_price == D("109.0000")
        assert step(line, "mode_conversion").params["mode"] == "inclusive"
        assert (line.net, line.tax, line.gross) == (D("100.00"), D("9.00"), D("109.00"))

    def test_a_converted_price_is_rounded_to_four_decimals(self):
        # given 100 tax-inclusive at 13%: 100 / 1.13 = 88.495575...
        line = price_one(request(item=product(price="100.00")), inclusive=False)
        # then the unit price keeps 4 decimals, half-up
        assert line.unit_price == D("88.4956")
        assert line.base_amount == D("88.50")

    def test_a_price_in_the_orders_mode_is_not_converted(self):
        line = price_one(request(item=product(includes_tax=False)), inclusive=False)
        assert "mode_conversion" not in codes(line)


# --- 2. price lists ------------------------------------------------------------------------------


class TestChoosingPriceLists:
    def test_customer_price_list_beats_group_list(self):
        # given a list for the customer's group and one for the customer, the group one more urgent
        group_list = price_list(1, fixed(price="95.00"), group=10, priority=1)
        customer_list = price_list(2, fixed(price="90.00"), customer=1, priority=500)
        # when the line is priced
        line = price_one(request(), lists=[group_list, customer_list])
        # then the customer's own list sets the price
        assert (line.unit_price, line.price_source, line.price_list_id) == (D("90.0000"), "price_list", 2)

    def test_group_price_list_beats_general_list(self):
        general = price_list(1, fixed(price="95.00"), priority=1)
        group_list = price_list(2, fixed(price="92.00"), group=10)
        assert price_one(request(), lists=[general, group_list]).price_list_id == 2

    def test_lists_are_tried_customer_then_group_then_general_each_by_priority_then_id(self):
        # given lists of every reach, shuffled
        lists = [price_list(7), price_list(3, priority=5), price_list(4, group=10), price_list(6, customer=1),
                 price_list(5, customer=1, priority=1), price_list(2)]
        # when they are ordered
        chosen = choose_price_lists(context(lists=lists))
        # then customer lists come first, then group, then general, lower priority number first, then id
        assert [pl.id for pl in chosen] == [5, 6, 4, 3, 2, 7]

    def test_the_orders_preferred_list_is_tried_first(self):
        # given a general list chosen on the order header and a customer list
        general = price_list(1, fixed(price="97.00"))
        customer_list = price_list(2, fixed(price="90.00"), customer=1)
        # when the order prefers the general list
        line = price_one(request(), lists=[general, customer_list], preferred=1)
        # then it prices the line although the customer list would come first otherwise
        assert (line.price_list_id, line.unit_price) == (1, D("97.0000"))

    def test_a_preferred_list_that_does_not_apply_is_not_used(self):
        # given the header names a list of another customer
        other = price_list(1, fixed(price="50.00"), customer=2)
        general = price_list(2, fixed(price="97.00"))
        # then it is not tried at all
        assert choose_price_lists(context(lists=[other, general], preferred=1)) == [general]

    def test_lower_priority_number_wins_and_then_the_lower_id(self):
        lists = [price_list(3, fixed(price="93.00"), priority=50), price_list(2, fixed(price="92.00"), priority=50),
                 price_list(1, fixed(price="91.00"), priority=60)]
        assert price_one(request(), lists=lists).price_list_id == 2

    def test_lists_of_other_customers_and_groups_do_not_apply(self):
        lists = [price_list(1, customer=2), price_list(2, group=11), price_list(3)]
        assert [pl.id for pl in choose_price_lists(context(lists=lists))] == [3]

    def test_a_customer_without_a_group_gets_no_group_list(self):
        lists = [price_list(1, group=10), price_list(2)]
        chosen = choose_price_lists(context(lists=lists, customer=CustomerFacts(id=1, group_id=None)))
        assert [pl.id for pl in chosen] == [2]

    @pytest.mark.parametrize("valid_from, valid_to, applies", [
        (TODAY, None, True),  # starts today
        (None, TODAY, True),  # ends today: valid_to is inclusive
        (TODAY, TODAY, True),
        (TODAY + datetime.timedelta(days=1), None, False),  # starts tomorrow
        (None, TODAY - datetime.timedelta(days=1), False),  # ended yesterday
        (None, None, True),
    ])
    def test_validity_dates_include_both_ends(self, valid_from, valid_to, applies):
        pl = price_list(1, valid_from=valid_from, valid_to=valid_to)
        assert (choose_price_lists(context(lists=[pl])) == [pl]) is applies

    def test_a_list_in_another_currency_does_not_apply(self):
        # given a USD list and a CNY order
        usd = price_list(1, fixed(price="10.00"), currency="USD")
        # then the list price stays
        line = price_one(request(), lists=[usd])
        assert (line.price_source, line.unit_price) == ("list", D("100.0000"))

    def test_the_next_list_is_tried_when_the_first_has_no_item_for_the_product(self):
        # given the customer list only prices product 2
        customer_list = price_list(1, fixed(product_id=2, price="10.00"), customer=1)
        general = price_list(2, fixed(price="96.00"))
        # then the general list prices product 1
        assert price_one(request(), lists=[customer_list, general]).price_list_id == 2

    def test_a_list_whose_breaks_start_above_the_quantity_is_passed_over(self):
        # given the customer list only has a price from 10 pieces
        customer_list = price_list(1, fixed(price="80.00", min_quantity="10"), customer=1)
        general = price_list(2, fixed(price="96.00"))
        # then 9 pieces are priced by the general list, 10 by the customer's
        assert price_one(request(quantity="9"), lists=[customer_list, general]).price_list_id == 2
        assert price_one(request(quantity="10"), lists=[customer_list, general]).price_list_id == 1


class TestPriceListItems:
    def test_a_fixed_price_replaces_the_list_price(self):
        line = price_one(request(), lists=[price_list(1, fixed(price="90.00"))])
        assert (line.list_price, line.unit_price) == (D("100.0000"), D("90.0000"))
        assert step(line, "price_list").params == {"name": "List 1", "code": "L1", "price": "90.0000"}

    def test_a_fixed_price_is_converted_from_the_lists_mode(self):
        # given a tax-exclusive list at 80 and a tax-inclusive order
        pl = price_list(1, fixed(price="80.00"), includes_tax=False)
        # then the price is 80 × 1.13, and both steps are shown
        line = price_one(request(), lists=[pl])
        assert line.unit_price == D("90.4000")
        assert codes(line) == ["list_price", "price_list", "mode_conversion", "vat"]
        assert step(line, "mode_conversion").params["source"] == "price_list"

    def test_percent_off_takes_the_percent_off_the_list_price_in_the_orders_mode(self):
        # given a tax-exclusive product at 100, a tax-exclusive order, a list with 12.5% off
        item = product(price="100.00", includes_tax=False)
        line = price_one(request(item=item), inclusive=False, lists=[price_list(1, percent_off(percent="12.5"))])
        # then the unit price is 87.5
        assert line.unit_price == D("87.5000")
        assert step(line, "price_list").params == {"name": "List 1", "code": "L1", "percent": "12.5"}
        # and in a tax-inclusive order it is 12.5% off the converted 113
        line = price_one(request(item=item), inclusive=True, lists=[price_list(1, percent_off(percent="12.5"))])
        assert line.unit_price == D("98.8750")

    def test_a_quantity_break_applies_from_exactly_its_minimum(self):
        # given 95 from 1 piece, 90 from 10 pieces
        pl = price_list(1, fixed(price="95.00", min_quantity="1"), fixed(price="90.00", min_quantity="10"))
        # when 9 and then 10 are bought
        nine, ten = price_one(request(quantity="9"), lists=[pl]), price_one(request(quantity="10"), lists=[pl])
        # then the break price starts at 10, and the step names it
        assert (nine.unit_price, ten.unit_price) == (D("95.0000"), D("90.0000"))
        assert "min_quantity" not in step(nine, "price_list").params
        assert step(ten, "price_list").params["min_quantity"] == "10"

    def test_the_largest_break_not_above_the_quantity_wins(self):
        pl = price_list(1, fixed(price="80.00", min_quantity="100"), fixed(price="95.00", min_quantity="0"),
                        percent_off(percent="15", min_quantity="50"), fixed(price="90.00", min_quantity="10"))
        prices = {q: price_one(request(quantity=q), lists=[pl]).unit_price for q in ["1", "49.5", "50", "100", "999"]}
        assert prices == {"1": D("95.0000"), "49.5": D("90.0000"), "50": D("85.0000"), "100": D("80.0000"),
                          "999": D("80.0000")}

    def test_a_manual_unit_price_replaces_the_price_list_but_the_engine_price_is_kept(self):
        # given the price list says 90 and the salesperson types 85.5
        line = price_one(request(unit_price="85.5"), lists=[price_list(1, fixed(price="90.00"))])
        # then the line sells at 85.5, but remembers what the engine would have charged
        assert (line.unit_price, line.engine_unit_price, line.price_source) == (D("85.5000"), D("90.0000"), "manual")
        assert line.price_list_id is None
        assert step(line, "manual_price").params == {"price": "85.5000", "engine_price": "90.0000"}
        assert line.base_amount == D("85.50")


class TestManualReduction:
    @pytest.mark.parametrize("unit_price, discount, expected", [
        (None, "0", "0.00"),  # the engine's price
        (None, "7.5", "7.50"),  # a discount only
        ("80", "0", "20.00"),  # a manual price only
        ("80", "10", "28.00"),  # both: 80 × 0.9 = 72 against 100
        ("120", "0", "0.00"),  # above the engine's price: no reduction
        ("120", "20", "4.00"),  # 120 × 0.8 = 96
        ("0", "0", "100.00"),  # given away
    ])
    def test_how_far_below_the_engine_price_the_salesperson_went(self, unit_price, discount, expected):
        # given the engine prices the product at 100
        line = price_one(request(unit_price=unit_price, discount=discount))
        # then the reduction is measured against 100
        assert manual_reduction_percent(line) == D(expected)

    def test_the_reduction_is_rounded_half_up_to_two_decimals(self):
        # given an engine price of 3 and a manual price of 1: 66.666...%
        line = price_one(request(item=product(price="3.00"), unit_price="1"))
        assert manual_reduction_percent(line) == D("66.67")
        line = price_one(request(item=product(price="3.00"), unit_price="2"))
        assert manual_reduction_percent(line) == D("33.33")

    def test_a_product_the_engine_gives_away_has_no_reduction(self):
        line = price_one(request(item=product(price="0"), unit_price="5"))
        assert manual_reduction_percent(line) == D("0.00")

    def test_promotions_do_not_count_as_the_salespersons_reduction(self):
        line = price_one(request(), promotions=[promotion(1, "percent_off", percent="30")])
        assert manual_reduction_percent(line) == D("0.00")


# --- 3. promotions ------------------------------------------------------------------------------


class TestLinePromotions:
    def test_percent_off_promotion(self):
        # given 10% off everything
        line = price_one(request(quantity="3"), promotions=[promotion(1, "percent_off", percent="10")])
        # then 10% of the 300 line comes off
        assert (line.base_amount, line.promotion_discount, line.amount) == (D("300.00"), D("30.00"), D("270.00"))
        assert line.promotion_ids == (1,)
        promo = step(line, "promotion_percent")
        assert promo.amount == D("-30.00")
        assert promo.params == {"name": "Promo 1", "code": "P1", "percent": "10", "amount": "30.00"}

    def test_amount_off_promotion_is_per_unit(self):
        line = price_one(request(quantity="4"), promotions=[promotion(1, "amount_off", amount="2.50")])
        assert (line.promotion_discount, line.amount) == (D("10.00"), D("390.00"))
        assert step(line, "promotion_amount").params == {"name": "Promo 1", "code": "P1", "per_unit": "2.50",
                                                         "amount": "10.00"}

    def test_amount_off_is_capped_at_what_is_left_of_the_line(self):
        # given 30 off each unit of a product at 25
        line = price_one(request(item=product(price="25.00"), quantity="2"),
                         promotions=[promotion(1, "amount_off", amount="30")])
        # then the line is free, never negative
        assert (line.promotion_discount, line.amount, line.tax) == (D("50.00"), D("0.00"), D("0.00"))

    def test_combinable_promotions_stack_each_on_what_is_left(self):
        # given 10% off, then 5 off per unit, then 10% off again
        promos = [promotion(1, "percent_off", percent="10", priority=1),
                  promotion(2, "amount_off", amount="5", priority=2),
                  promotion(3, "percent_off", percent="10", priority=3)]
        line = price_one(request(quantity="3"), promotions=promos)
        # then 300 → 270 → 255 → 229.50
        assert [s.amount for s in line.steps if s.code.startswith("promotion")] == [D("-30.00"), D("-15.00"),
                                                                                      D("-25.50")]
        assert (line.promotion_discount, line.amount) == (D("70.50"), D("229.50"))
        assert line.promotion_ids == (1, 2, 3)

    def test_an_exclusive_promotion_that_comes_first_is_the_only_one(self):
        promos = [promotion(1, "percent_off", percent="20", exclusive=True, priority=1),
                  promotion(2, "amount_off", amount="5", priority=2)]
        line = price_one(request(), promotions=promos)
        assert (line.promotion_ids, line.amount) == ((1,), D("80.00"))

    def test_an_exclusive_promotion_that_does_not_come_first_is_left_out(self):
        promos = [promotion(1, "amount_off", amount="5", priority=1),
                  promotion(2, "percent_off", percent="20", exclusive=True, priority=2),
                  promotion(3, "amount_off", amount="1", priority=3)]
        line = price_one(request(), promotions=promos)
        assert (line.promotion_ids, line.amount) == ((1, 3), D("94.00"))

    def test_promotions_go_by_priority_then_id(self):
        promos = [promotion(3, "amount_off", amount="1", priority=5), promotion(2, "amount_off", amount="2"),
                  promotion(1, "amount_off", amount="3", priority=5)]
        assert price_one(request(), promotions=promos).promotion_ids == (1, 3, 2)

    def test_a_promotion_on_a_category_reaches_products_of_its_subcategories(self):
        # given a promotion on "electronics" and a laptop (laptops ⊂ computers ⊂ electronics)
        promo = promotion(1, "percent_off", percent="10", categories={ELECTRONICS})
        # then the laptop gets it, a product outside the tree does not
        assert price_one(request(item=laptop()), promotions=[promo]).promotion_ids == (1,)
        assert price_one(request(item=product(categories={99})), promotions=[promo]).promotion_ids == ()

    def test_a_promotion_for_named_products_skips_the_others(self):
        promo = promotion(1, "percent_off", percent="10", products={2})
        assert price_one(request(item=product(1)), promotions=[promo]).promotion_ids == ()
        assert price_one(request(item=product(2)), promotions=[promo]).promotion_ids == (1,)

    def test_a_promotion_for_a_customer_group_skips_other_customers(self):
        promo = promotion(1, "percent_off", percent="10", groups={10, 12})
        assert price_one(request(), promotions=[promo]).promotion_ids == (1,)
        other = CustomerFacts(id=2, group_id=11)
        assert price_one(request(), promotions=[promo], customer=other).promotion_ids == ()
        no_group = CustomerFacts(id=3)
        assert price_one(request(), promotions=[promo], customer=no_group).promotion_ids == ()

    def test_a_promotion_without_groups_is_for_every_customer(self):
        promo = promotion(1, "percent_off", percent="10")
        assert price_one(request(), promotions=[promo], customer=CustomerFacts(id=3)).promotion_ids == (1,)

    @pytest.mark.parametrize("valid_from, valid_to, applies", [
        (TODAY, TODAY, True), (TODAY + datetime.timedelta(days=1), None, False),
        (None, TODAY - datetime.timedelta(days=1), False),
    ])
    def test_a_promotion_applies_on_the_days_it_is_valid(self, valid_from, valid_to, applies):
        promo = promotion(1, "percent_off", percent="10", valid_from=valid_from, valid_to=valid_to)
        assert bool(price_one(request(), promotions=[promo]).promotion_ids) is applies

    def test_the_manual_discount_comes_after_the_promotions(self):
        # given 10% promotion and a 5% discount from the salesperson
        line = price_one(request(quantity="2", discount="5"), promotions=[promotion(1, "percent_off", percent="10")])
        # then 200 → 180 → 171
        assert (line.promotion_discount, line.manual_discount, line.amount) == (D("20.00"), D("9.00"), D("171.00"))
        assert step(line, "manual_discount").params == {"percent": "5", "amount": "9.00"}
        assert codes(line) == ["list_price", "promotion_percent", "manual_discount", "vat"]


class TestBuyXGetY:
    def test_buy_two_get_one_free_with_five_bought_gives_two_free(self):
        # given buy 2 get 1 free, and 5 bought (2 × 2 + 1)
        promo = promotion(7, "buy_x_get_y", buy_quantity="2", free_quantity="1")
        order = price_order([request("a", quantity="5")], context(promotions=[promo]))
        # then a free line of 2 follows the line
        bought, free = order.lines
        assert (free.key, free.free_for_key, free.is_free) == ("a:free:7", "a", True)
        assert (free.product_id, free.quantity) == (1, D("2"))
        assert (free.unit_price, free.base_amount, free.amount, free.gross, free.tax) == (D("0"),) * 5
        assert free.list_price == D("100.0000") and free.promotion_ids == (7,)
        assert codes(free) == ["list_price", "free_item", "vat"]
        assert step(free, "free_item").params == {"name": "Promo 7", "code": "P7", "buy": "2", "free": "1"}
        # and the bought line pays for its 5, mentioning the promotion
        assert bought.amount == D("500.00") and bought.promotion_ids == (7,)
        assert "free_item" in codes(bought)

    def test_free_goods_cost_money_so_their_margin_is_negative(self):
        promo = promotion(7, "buy_x_get_y", buy_quantity="2", free_quantity="1")
        order = price_order([request("a", quantity="2")], context(promotions=[promo]))
        free = order.lines[1]
        assert (free.cost, free.margin) == (D("50.00"), D("-50.00"))
        assert order.cost == D("150.00")
        assert order.margin == order.lines[0].margin - D("50.00")

    def test_the_free_product_can_be_another_product(self):
        # given buy 3 laptops, get 1 mouse free; the mouse is 10 tax-exclusive, costing 4
        mouse = product(2, "10.00", includes_tax=False, cost="4.00")
        promo = promotion(7, "buy_x_get_y", products={1}, buy_quantity="3", free_quantity="1", free_product_id=2)
        order = price_order([request("a", quantity="7")], context(promotions=[promo], products={2: mouse}))
        # then 2 mice come free, their list price converted into the order's mode
        free = order.lines[1]
        assert (free.product_id, free.quantity, free.list_price) == (2, D("2"), D("11.3000"))
        assert (free.cost, free.vat_rate) == (D("8.00"), D("0.13"))

    def test_a_free_product_that_was_not_provided_is_skipped_quietly(self):
        promo = promotion(7, "buy_x_get_y", buy_quantity="1", free_quantity="1", free_product_id=99)
        order = price_order([request("a", quantity="3")], context(promotions=[promo]))
        assert [line.key for line in order.lines] == ["a"]
        assert order.lines[0].promotion_ids == ()

    def test_the_full_quantity_must_be_on_one_line(self):
        # given buy 2 get 1, and two lines of 1 each
        promo = promotion(7, "buy_x_get_y", buy_quantity="2", free_quantity="1")
        order = price_order([request("a"), request("b")], context(promotions=[promo]))
        # then nothing is free
        assert [line.key for line in order.lines] == ["a", "b"]

    def test_free_lines_follow_their_own_line(self):
        promo = promotion(7, "buy_x_get_y", products={1}, buy_quantity="1", free_quantity="1")
        lines = [request("a", product(1)), request("b", product(2)), request("c", product(1), quantity="2")]
        order = price_order(lines, context(promotions=[promo]))
        assert [(line.key, line.quantity) for line in order.lines] == [
            ("a", D("1")), ("a:free:7", D("1")), ("b", D("1")), ("c", D("2")), ("c:free:7", D("2"))]

    def test_an_exclusive_buy_x_get_y_keeps_other_promotions_off_its_line(self):
        promos = [promotion(7, "buy_x_get_y", buy_quantity="2", free_quantity="1", exclusive=True, priority=1),
                  promotion(8, "percent_off", percent="10", priority=2)]
        order = price_order([request("a", quantity="2")], context(promotions=promos))
        assert order.lines[0].promotion_ids == (7,) and order.lines[0].promotion_discount == D("0.00")
        assert len(order.lines) == 2

    def test_a_buy_x_get_y_not_reached_does_not_count_as_first(self):
        # given an exclusive buy 5 get 1 first, then 10% off, and only 4 bought
        promos = [promotion(7, "buy_x_get_y", buy_quantity="5", free_quantity="1", exclusive=True, priority=1),
                  promotion(8, "percent_off", percent="10", priority=2)]
        line = price_one(request(quantity="4"), promotions=promos)
        # then the 10% applies
        assert line.promotion_ids == (8,)

    def test_a_buy_x_get_y_after_an_exclusive_promotion_gives_nothing(self):
        promos = [promotion(8, "percent_off", percent="10", exclusive=True, priority=1),
                  promotion(7, "buy_x_get_y", buy_quantity="1", free_quantity="1", priority=2)]
        order = price_order([request("a", quantity="4")], context(promotions=promos))
        assert [line.key for line in order.lines] == ["a"]


# --- 5. order threshold discounts ----------------------------------------------------------------


def threshold(id=50, threshold="1000.00", amount="100.00", **kw):
    return promotion(id, "order_threshold", threshold=threshold, amount=amount, **kw)


class TestThresholds:
    def test_the_discount_is_given_at_exactly_the_threshold(self):
        # given 100 off from 1000, and lines of 600 and 400
        lines = [request("a", quantity="6"), request("b", quantity="4")]
        order = price_order(lines, context(promotions=[threshold()]))
        # then 100 is shared 60 / 40
        assert [line.allocated_discount for line in order.lines] == [D("60.00"), D("40.00")]
        assert [line.amount for line in order.lines] == [D("540.00"), D("360.00")]
        assert order.gross == D("900.00") and order.discount == D("100.00")
        a = step(order.lines[0], "threshold")
        assert a.amount == D("-60.00")
        assert a.params == {"name": "Promo 50", "code": "P50", "threshold": "1000.00", "discount": "100.00",
                            "share": "60.00"}
        (applied,) = order.thresholds
        assert (applied.promotion_id, applied.eligible_amount, applied.discount, applied.line_keys) == (
            50, D("1000.00"), D("100.00"), ("a", "b"))

    def test_one_cent_below_the_threshold_gives_nothing(self):
        lines = [request("a", item=product(price="999.99"))]
        order = price_order(lines, context(promotions=[threshold()]))
        assert order.lines[0].allocated_discount == D("0.00") and order.thresholds == []
        assert "threshold" not in codes(order.lines[0])

    def test_the_shares_add_up_to_the_discount_exactly(self):
        # given three lines of 333.33 + 333.33 + 333.34 and 100 off: 33.333... each
        items = [product(i, price) for i, price in enumerate(["333.33", "333.33", "333.34"], start=1)]
        order = price_order([request(str(i), item) for i, item in enumerate(items)], context(promotions=[threshold()]))
        shares = [line.allocated_discount for line in order.lines]
        # then the largest remainders get the odd cent and the total is exact
        assert sum(shares) == D("100.00")
        assert sorted(shares) == [D("33.33"), D("33.33"), D("33.34")]

    def test_the_threshold_counts_amounts_after_promotions_and_manual_discounts(self):
        # given 1,050 of goods, a 5% discount making it 997.50
        line = request("a", item=product(price="1050.00"), discount="5")
        order = price_order([line], context(promotions=[threshold()]))
        # then the threshold of 1000 is not reached
        assert order.thresholds == []

    def test_lines_with_an_exclusive_promotion_do_not_share_and_do_not_count(self):
        # given product 2 has an exclusive promotion
        exclusive = promotion(1, "amount_off", amount="1", products={2}, exclusive=True)
        lines = [request("a", product(1, "600.00")), request("b", product(2, "600.00"))]
        order = price_order(lines, context(promotions=[exclusive, threshold()]))
        # then only line a counts (600 < 1000): no threshold discount
        assert order.thresholds == []
        # and with a lower threshold line a takes it all
        order = price_order(lines, context(promotions=[exclusive, threshold(threshold="500")]))
        assert [line.allocated_discount for line in order.lines] == [D("100.00"), D("0.00")]

    def test_free_lines_do_not_share(self):
        bxgy = promotion(7, "buy_x_get_y", buy_quantity="1", free_quantity="1")
        order = price_order([request("a", quantity="10")], context(promotions=[bxgy, threshold()]))
        assert [line.allocated_discount for line in order.lines] == [D("100.00"), D("0.00")]

    def test_a_threshold_for_a_category_counts_and_shares_only_its_products(self):
        # given 100 off 1000 of electronics, a laptop of 800 and a chair of 500
        promo = threshold(categories={ELECTRONICS})
        lines = [request("laptop", laptop(1, "800.00")), request("chair", product(2, "500.00"))]
        # then 800 of electronics does not reach it
        assert price_order(lines, context(promotions=[promo])).thresholds == []
        # and two laptops do, the chair getting nothing
        lines[0] = request("laptop", laptop(1, "800.00"), quantity="2")
        order = price_order(lines, context(promotions=[promo]))
        assert [line.allocated_discount for line in order.lines] == [D("100.00"), D("0.00")]

    def test_combinable_thresholds_stack_each_on_what_is_left(self):
        # given 100 off 1000 and 50 off 500, both combinable; 1000 of goods on two lines
        promos = [threshold(50, "1000", "100", priority=1), threshold(51, "500", "50", priority=2)]
        order = price_order([request("a", quantity="7"), request("b", quantity="3")], context(promotions=promos))
        # then 100 is shared 70/30, then 50 over the 630/270 left: 35/15
        assert [line.allocated_discount for line in order.lines] == [D("105.00"), D("45.00")]
        assert [t.discount for t in order.thresholds] == [D("100.00"), D("50.00")]
        assert [s.params["share"] for s in order.lines[0].steps if s.code == "threshold"] == ["70.00", "35.00"]
        assert order.lines[0].promotion_ids == (50, 51)

    def test_the_first_reached_threshold_alone_applies_when_it_is_exclusive(self):
        promos = [threshold(50, "2000", "300", priority=1, exclusive=True),  # not reached
                  threshold(51, "1000", "100", priority=2, exclusive=True),
                  threshold(52, "500", "20", priority=3)]
        order = price_order([request("a", quantity="10")], context(promotions=promos))
        assert [t.promotion_id for t in order.thresholds] == [51]
        assert order.lines[0].allocated_discount == D("100.00")

    def test_an_exclusive_threshold_after_a_combinable_one_is_left_out(self):
        promos = [threshold(50, "500", "20", priority=1), threshold(51, "1000", "100", priority=2, exclusive=True),
                  threshold(52, "800", "10", priority=3)]
        order = price_order([request("a", quantity="10")], context(promotions=promos))
        assert [t.promotion_id for t in order.thresholds] == [50, 52]
        assert order.lines[0].allocated_discount == D("30.00")

    def test_a_threshold_discount_never_exceeds_the_amount_it_is_shared_over(self):
        # given 100 off from 0.50 and an order of 30
        order = price_order([request("a", item=product(price="30.00"))],
                            context(promotions=[threshold(threshold="0.50", amount="100")]))
        # then the line is free, not negative
        line = order.lines[0]
        assert (line.allocated_discount, line.amount, line.net, line.tax) == (D("30.00"), D("0.00"), D("0.00"),
                                                                                D("0.00"))
        assert order.thresholds[0].discount == D("30.00")

    def test_a_threshold_for_another_group_does_not_apply(self):
        order = price_order([request("a", quantity="10")], context(promotions=[threshold(groups={11})]))
        assert order.thresholds == []


# --- 6. VAT, totals ------------------------------------------------------------------------------


class TestVatAndTotals:
    def test_a_tax_inclusive_line_splits_its_tax_out_of_the_gross(self):
        line = price_one(request(item=product(price="100.00")))
        assert (line.net, line.tax, line.gross) == (D("88.50"), D("11.50"), D("100.00"))
        assert step(line, "vat").params == {"rate": "13", "net": "88.50", "tax": "11.50", "gross": "100.00",
                                            "mode": "inclusive"}
        assert step(line, "vat").amount == D("11.50")

    def test_a_tax_exclusive_line_adds_its_tax_to_the_net(self):
        line = price_one(request(item=product(price="100.00", includes_tax=False, rate="0.06")), inclusive=False)
        assert (line.net, line.tax, line.gross) == (D("100.00"), D("6.00"), D("106.00"))
        assert step(line, "vat").params["mode"] == "exclusive"

    def test_cost_and_margin_are_tax_exclusive(self):
        line = price_one(request(item=product(price="113.00", cost="60.50"), quantity="3"))
        assert (line.cost, line.net, line.margin) == (D("181.50"), D("300.00"), D("118.50"))

    def test_order_totals_are_the_sums_of_the_lines_and_rates_go_up(self):
        # given lines at 13%, 6% and 13%, with a promotion and a manual discount
        lines = [request("a", product(1, "113.00")), request("b", product(2, "106.00", rate="0.06"), discount="10"),
                 request("c", product(3, "56.50"), quantity="2")]
        order = price_order(lines, context(promotions=[promotion(1, "amount_off", amount="1", products={1})]))
        # then every total is the sum of its lines
        assert order.gross == sum(line.gross for line in order.lines) == D("320.40")
        assert order.net == sum(line.net for line in order.lines)
        assert order.tax == sum(line.tax for line in order.lines)
        assert order.cost == D("200.00") and order.margin == order.net - order.cost
        assert order.discount == D("1.00") + D("10.60")
        # and by rate in ascending order
        assert [(r.rate, r.net, r.tax, r.gross) for r in order.by_rate] == [
            (D("0.06"), D("90.00"), D("5.40"), D("95.40")),
            (D("0.13"), D("199.12"), D("25.88"), D("225.00")),
        ]

    def test_a_rate_only_on_free_lines_is_not_listed(self):
        mouse = product(2, "10.00", rate="0.09")
        promo = promotion(7, "buy_x_get_y", buy_quantity="1", free_quantity="1", free_product_id=2)
        order = price_order([request("a")], context(promotions=[promo], products={2: mouse}))
        assert [r.rate for r in order.by_rate] == [D("0.13")]

    def test_an_empty_order_totals_zero(self):
        order = price_order([], context())
        assert (order.lines, order.by_rate, order.thresholds) == ([], [], [])
        assert (order.net, order.tax, order.gross, order.cost, order.margin, order.discount) == (D("0.00"),) * 6

    def test_every_line_explains_itself_step_by_step(self):
        # given a tax-exclusive list price in an inclusive order, a price list, a promotion, a discount
        # and an order threshold
        item = product(price="100.00", includes_tax=False)
        order = price_order(
            [request("a", item, quantity="10", discount="5")],
            context(lists=[price_list(1, fixed(price="100.00"))],
                    promotions=[promotion(1, "percent_off", percent="10"), threshold(threshold="500")]))
        # then the steps follow the pipeline
        assert codes(order.lines[0]) == ["list_price", "mode_conversion", "price_list", "promotion_percent",
                                         "manual_discount", "threshold", "vat"]


# --- rounding -------------------------------------------------------------------------------------


class TestRounding:
    def test_three_thirds_make_one_yuan_because_the_line_is_rounded_not_the_unit(self):
        # given a unit price of 1/3 (0.3333 as a unit price)
        line = price_one(request(item=product(price=str(D(1) / D(3))), quantity="3"))
        # then 3 × 0.3333 = 0.9999 is 1.00
        assert line.unit_price == D("0.3333")
        assert line.base_amount == D("1.00")

    def test_thirteen_percent_of_five_fen(self):
        # tax-exclusive: 0.05 × 13% = 0.0065 → 0.01
        line = price_one(request(item=product(price="0.05", includes_tax=False)), inclusive=False)
        assert (line.net, line.tax, line.gross) == (D("0.05"), D("0.01"), D("0.06"))
        # tax-inclusive: 0.05 × 0.13 / 1.13 = 0.00575 → 0.01
        line = price_one(request(item=product(price="0.05")))
        assert (line.net, line.tax, line.gross) == (D("0.04"), D("0.01"), D("0.05"))

    def test_a_thousand_lines_of_one_fen_make_ten_yuan_with_no_tax(self):
        # given 1,000 lines of 0.01 tax-inclusive
        lines = [request(str(i), product(price="0.01")) for i in range(1000)]
        order = price_order(lines, context())
        # then the order is exactly 10.00; each line's tax (0.00115) rounds to 0, so the total tax is 0:
        # tax is computed per line, never on the total
        assert order.gross == D("10.00") and order.net == D("10.00") and order.tax == D("0.00")
        assert order.by_rate[0].gross == D("10.00")

    def test_percent_discounts_round_half_up_on_the_line(self):
        # 10% of 0.05 = 0.005 → 0.01
        line = price_one(request(item=product(price="0.05")), promotions=[promotion(1, "percent_off", percent="10")])
        assert (line.promotion_discount, line.amount) == (D("0.01"), D("0.04"))

    def test_a_currency_without_cents_rounds_to_whole_units(self):
        pl = price_list(1, fixed(price="1234.5"), currency="JPY")
        line = price_one(request(item=product(price="9999")), currency="JPY", lists=[pl])
        assert line.base_amount == D("1235") and line.gross == D("1235")


# --- safety net -----------------------------------------------------------------------------------


class TestValidation:
    @pytest.mark.parametrize("quantity", ["0", "-1"])
    def test_a_line_needs_a_quantity_above_zero(self, quantity):
        with pytest.raises(ValueError, match="quantity"):
            price_order([request(quantity=quantity)], context())

    @pytest.mark.parametrize("discount", ["-0.01", "100.01"])
    def test_a_discount_must_be_between_zero_and_a_hundred(self, discount):
        with pytest.raises(ValueError, match="discount"):
            price_order([request(discount=discount)], context())

    def test_a_hundred_percent_discount_gives_the_line_away(self):
        line = price_one(request(discount="100"))
        assert (line.manual_discount, line.amount) == (D("100.00"), D("0.00"))

    def test_a_manual_price_must_not_be_negative(self):
        with pytest.raises(ValueError, match="unit price"):
            price_order([request(unit_price="-1")], context())

    def test_two_lines_must_not_share_a_key(self):
        with pytest.raises(ValueError, match="key"):
            price_order([request("a"), request("a")], context())


@pytest.mark.parametrize("module", ["engine.py", "facts.py"])
def test_the_engine_does_not_touch_the_database(module):
    # engine.py and its facts are pure: no Django import at all
    tree = ast.parse((Path(engine.__file__).parent / module).read_text(encoding="utf-8"))
    modules = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    modules += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not [name for name in modules if name and name.startswith("django")]
