"""The price engine, part 1: the list price, choosing price lists, their items and quantity
breaks, and how far a manual price goes below them. Builders in engine_facts.py."""

import datetime
from decimal import Decimal as D

import pytest

from kaidan.pricing.engine import (
    CustomerFacts,
    choose_price_lists,
    manual_reduction_percent,
)
from tests.pricing.engine_facts import (
    TODAY,
    codes,
    context,
    fixed,
    percent_off,
    price_list,
    price_one,
    product,
    promotion,
    request,
    step,
)


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
