"""The price engine, part 2: promotions — percent and amount off, buy X get Y free, order
threshold discounts (满减) and how they stack. Builders in engine_facts.py."""

import datetime
from decimal import Decimal as D

import pytest

from kaidan.pricing.engine import (
    CustomerFacts,
    price_order,
)
from tests.pricing.engine_facts import (
    ELECTRONICS,
    TODAY,
    codes,
    context,
    laptop,
    price_one,
    product,
    promotion,
    request,
    step,
    threshold,
)


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
