"""The price engine, part 3: VAT and totals, rounding edge cases, facts that cannot be priced, and
its purity (no database). Builders in engine_facts.py."""

import ast
from decimal import Decimal as D
from pathlib import Path

import pytest

from kaidan.pricing import engine
from kaidan.pricing.engine import (
    price_order,
)
from tests.pricing.engine_facts import (
    codes,
    context,
    fixed,
    price_list,
    price_one,
    product,
    promotion,
    request,
    step,
    threshold,
)


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


@pytest.mark.parametrize("module", ["engine.py", "facts.py", "rules.py"])
def test_the_engine_does_not_touch_the_database(module):
    # the engine, its facts and rules are pure: no Django import at all
    tree = ast.parse((Path(engine.__file__).parent / module).read_text(encoding="utf-8"))
    modules = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    modules += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not [name for name in modules if name and name.startswith("django")]
