"""The conditions of approval rules, pure: an order's facts in, the reason it needs approval (or
None) out. Every edge the module docstring promises is pinned here, without a database."""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from kaidan.approvals.conditions import (
    Condition,
    Facts,
    Kind,
    Reason,
    evaluate,
    line_discount_percent,
    margin_percent,
    reason_text,
)
from kaidan.pricing.engine import manual_reduction_percent

# A plain order: ¥10,000, no discount, 20% margin, no credit limit, nothing overdue, a known customer.
PLAIN = Facts(currency="CNY", gross=D("10000.00"), max_discount=D("0.00"), max_discount_line=None,
              margin=D("20.00"), exposure=D("10000.00"), credit_limit=D("0.00"), unlimited_override=False,
              overdue_days=0, customer_blocked=False, blocked_reason="", customer_new=False)

BAND_1 = Condition(Kind.AMOUNT, min_amount=D("50000"), max_amount=D("200000"))  # ¥5万–20万: sales manager
BAND_2 = Condition(Kind.AMOUNT, min_amount=D("200000"))  # ¥20万以上: sales manager, then general manager
DISCOUNT_10 = Condition(Kind.DISCOUNT, percent=D("10"))
MARGIN_15 = Condition(Kind.MARGIN, percent=D("15"))
CREDIT = Condition(Kind.CREDIT)
OVERDUE_30 = Condition(Kind.OVERDUE, days=30)


def facts(**changes) -> Facts:
    return dataclasses.replace(PLAIN, **changes)


def holds(condition: Condition, **changes) -> bool:
    return evaluate(condition, facts(**changes)) is not None


class TestAmountBands:
    @pytest.mark.parametrize("gross, band_1, band_2", [
        ("0.00", False, False),
        ("49999.99", False, False),
        ("50000.00", True, False),  # "from" is included
        ("82000.00", True, False),
        ("199999.99", True, False),
        ("200000.00", False, True),  # "up to" is not: ¥200,000 is the next band's only
        ("200000.01", False, True),
        ("999999999.99", False, True),
    ])
    def test_an_order_total_falls_in_exactly_the_band_its_edges_say(self, gross, band_1, band_2):
        assert holds(BAND_1, gross=D(gross)) is band_1
        assert holds(BAND_2, gross=D(gross)) is band_2

    def test_the_reason_names_the_total_and_the_band(self):
        reason = evaluate(BAND_1, facts(gross=D("82000.00")))
        assert reason == Reason("amount", {"amount": "82000.00", "min": "50000", "max": "200000", "currency": "CNY"})

    def test_an_open_ended_band_has_no_upper_edge_in_its_reason(self):
        reason = evaluate(BAND_2, facts(gross=D("226000.00")))
        assert reason.params == {"amount": "226000.00", "min": "200000", "currency": "CNY"}

    def test_a_band_from_zero_catches_every_order(self):
        assert holds(Condition(Kind.AMOUNT, min_amount=D("0")), gross=D("0.00"))
        assert holds(Condition(Kind.AMOUNT, min_amount=None, max_amount=D("100")), gross=D("99.99"))
        assert not holds(Condition(Kind.AMOUNT, min_amount=None, max_amount=D("100")), gross=D("100.00"))

    @given(st.decimals(min_value=0, max_value=D("999999999999.99"), places=2))
    def test_the_example_bands_neither_overlap_nor_leave_a_gap(self, gross):
        """Every total is in the "nothing" band, band 1 or band 2 — exactly one of them."""
        in_band_1, in_band_2 = holds(BAND_1, gross=gross), holds(BAND_2, gross=gross)
        below = gross < D("50000")
        assert [below, in_band_1, in_band_2].count(True) == 1


class TestDiscount:
    @pytest.mark.parametrize("highest, expected", [
        ("0.00", False), ("9.99", False), ("10.00", False), ("10.01", True), ("18.00", True), ("100.00", True)])
    def test_a_line_discount_needs_approval_only_above_the_limit(self, highest, expected):
        assert holds(DISCOUNT_10, max_discount=D(highest), max_discount_line=2) is expected

    def test_the_reason_says_which_line(self):
        reason = evaluate(DISCOUNT_10, facts(max_discount=D("18.00"), max_discount_line=2))
        assert reason == Reason("discount", {"percent": "18.00", "limit": "10", "line": 2})

    def test_a_rule_without_a_percent_never_holds(self):
        assert not holds(Condition(Kind.DISCOUNT), max_discount=D("90.00"))


class TestLineDiscountPercent:
    @pytest.mark.parametrize("unit_price, discount, engine_price, expected", [
        ("5650", "18", "5650", "18.00"),  # a plain discount is itself
        ("5085", "0", "5650", "10.00"),  # a manual price 10% below the engine's
        ("5085", "10", "5650", "19.00"),  # manual price and discount together
        ("6000", "0", "5650", "0.00"),  # a price above the engine's is no discount
        ("100", "0", "0", "0.00"),  # nothing to measure against
        ("89.995", "0", "100", "10.01"),  # half-up at the second decimal, like the salespeople's limits
        ("89.9950", "0", "100", "10.01"),
    ])
    def test_measures_manual_price_and_discount_together(self, unit_price, discount, engine_price, expected):
        assert line_discount_percent(D(unit_price), D(discount), D(engine_price)) == D(expected)

    @given(unit_price=st.decimals(min_value=D("0.0001"), max_value=D("99999"), places=4),
           discount=st.decimals(min_value=0, max_value=100, places=2),
           engine_price=st.decimals(min_value=D("0.0001"), max_value=D("99999"), places=4))
    def test_is_the_same_measure_as_the_discount_limits_of_the_price_engine(self, unit_price, discount, engine_price):
        """The approval rule and the salesperson's limit must never disagree about a line (the limit
        refusing 10.01% while the rule sees 10.00%, or the other way round)."""
        line = _PricedLine(unit_price=unit_price, discount_percent=discount, engine_unit_price=engine_price)
        assert line_discount_percent(unit_price, discount, engine_price) == manual_reduction_percent(line)


@dataclasses.dataclass
class _PricedLine:
    """The three fields of engine.PricedLine that manual_reduction_percent reads."""

    unit_price: D
    discount_percent: D
    engine_unit_price: D


class TestMargin:
    @pytest.mark.parametrize("margin, expected", [("14.99", True), ("15.00", False), ("15.01", False),
                                                  ("-5.00", True), ("0.00", True)])
    def test_an_order_needs_approval_only_below_the_floor(self, margin, expected):
        assert holds(MARGIN_15, margin=D(margin)) is expected

    def test_an_order_without_net_amount_has_no_margin_and_never_matches(self):
        assert margin_percent(D("0.00"), D("100.00")) is None
        assert not holds(MARGIN_15, margin=None)
        assert not holds(Condition(Kind.MARGIN, percent=D("100")), margin=None)

    @pytest.mark.parametrize("net, cost, expected", [("100", "80", "20.00"), ("100", "120", "-20.00"),
                                                     ("3", "2", "33.33"), ("100", "0", "100.00"),
                                                     ("200", "170.01", "15.00")])  # 14.995, half-up
    def test_margin_is_the_share_of_net_left_after_cost(self, net, cost, expected):
        assert margin_percent(D(net), D(cost)) == D(expected)

    def test_the_reason_names_margin_and_floor(self):
        assert evaluate(MARGIN_15, facts(margin=D("8.50"))) == Reason("margin", {"percent": "8.50", "floor": "15"})


class TestCredit:
    def test_a_limit_of_zero_means_no_limit(self):
        assert not holds(CREDIT, credit_limit=D("0.00"), exposure=D("9999999.00"))

    @pytest.mark.parametrize("exposure, expected", [("99999.99", False), ("100000.00", False),
                                                    ("100000.01", True)])
    def test_only_an_exposure_above_the_limit_holds(self, exposure, expected):
        assert holds(CREDIT, credit_limit=D("100000.00"), exposure=D(exposure)) is expected

    def test_an_unlimited_override_lifts_the_limit(self):
        assert not holds(CREDIT, credit_limit=D("100000.00"), exposure=D("5000000.00"), unlimited_override=True)

    def test_the_reason_says_by_how_much(self):
        reason = evaluate(CREDIT, facts(credit_limit=D("100000.00"), exposure=D("182000.00")))
        assert reason == Reason("credit", {"over": "82000.00", "exposure": "182000.00", "limit": "100000.00",
                                           "currency": "CNY"})
        assert facts(credit_limit=D("100000.00"), exposure=D("182000.00")).credit_exceeded_by == D("82000.00")


class TestOverdueBlockedNew:
    @pytest.mark.parametrize("days, expected", [(0, False), (30, False), (31, True)])
    def test_an_invoice_must_be_overdue_by_more_than_the_days(self, days, expected):
        assert holds(OVERDUE_30, overdue_days=days) is expected

    def test_zero_days_means_any_overdue_invoice(self):
        assert holds(Condition(Kind.OVERDUE, days=0), overdue_days=1)
        assert not holds(Condition(Kind.OVERDUE, days=0), overdue_days=0)

    def test_a_blocked_customer_holds_with_the_blocking_reason(self):
        assert not holds(Condition(Kind.CUSTOMER_BLOCKED))
        reason = evaluate(Condition(Kind.CUSTOMER_BLOCKED), facts(customer_blocked=True, blocked_reason="拖欠货款"))
        assert reason == Reason("customer_blocked", {"reason": "拖欠货款"})

    def test_a_new_customer_holds(self):
        assert not holds(Condition(Kind.CUSTOMER_NEW))
        assert evaluate(Condition(Kind.CUSTOMER_NEW), facts(customer_new=True)) == Reason("customer_new", {})

    def test_an_unknown_kind_never_holds(self):
        assert evaluate(Condition("weather"), facts(customer_new=True, customer_blocked=True)) is None


class TestReasonText:
    """Reasons are stored as codes and numbers and worded when read, in the reader's language;
    money and percents read the same in both languages."""

    @pytest.mark.parametrize("language", ["en", "zh-hans"])
    def test_each_reason_reads_with_its_numbers(self, language):
        cases = [
            (evaluate(BAND_1, facts(gross=D("82000.00"))), ["¥82,000.00", "¥50,000.00", "¥200,000.00"]),
            (evaluate(BAND_2, facts(gross=D("226000.00"))), ["¥226,000.00", "¥200,000.00"]),
            (evaluate(DISCOUNT_10, facts(max_discount=D("18.00"), max_discount_line=2)), ["18%", "10%", "2"]),
            (evaluate(MARGIN_15, facts(margin=D("8.50"))), ["8.5%", "15%"]),
            (evaluate(CREDIT, facts(credit_limit=D("100000"), exposure=D("182000.00"))),
             ["¥82,000.00", "¥182,000.00", "¥100,000.00"]),
            (evaluate(OVERDUE_30, facts(overdue_days=45)), ["45", "30"]),
            (evaluate(Condition(Kind.CUSTOMER_BLOCKED), facts(customer_blocked=True, blocked_reason="拖欠货款")),
             ["拖欠货款"]),
        ]
        with translation.override(language):
            for reason, parts in cases:
                text = reason_text(reason.as_json())
                assert all(part in text for part in parts), (text, parts)
                assert "%(" not in text and "%%" not in text

    def test_english_wording(self):
        with translation.override("en"):
            assert reason_text(evaluate(BAND_1, facts(gross=D("82000.00"))).as_json()) == (
                "Order total ¥82,000.00 is between ¥50,000.00 and ¥200,000.00")
            assert reason_text(evaluate(DISCOUNT_10, facts(max_discount=D("18.00"), max_discount_line=2)).as_json()) \
                == "Discount 18% on line 2 exceeds 10%"
            assert reason_text({"code": "customer_new", "params": {}}) == "New customer: no earlier confirmed order"

    def test_a_reason_read_back_from_json_reads_the_same(self):
        reason = evaluate(CREDIT, facts(credit_limit=D("100000"), exposure=D("100000.01")))
        stored = {"code": reason.code, "params": dict(reason.params)}
        with translation.override("en"):
            assert reason_text(stored) == "Credit limit exceeded by ¥0.01 (exposure ¥100,000.01, limit ¥100,000.00)"

    def test_an_unknown_code_reads_as_itself(self):
        assert reason_text({"code": "from_the_future"}) == "from_the_future"

    def test_a_dollar_order_reads_in_dollars(self):
        reason = evaluate(BAND_1, facts(gross=D("82000.00"), currency="USD"))
        with translation.override("en"):
            assert "$82,000.00" in reason_text(reason.as_json())


def test_the_facts_as_stored_carry_the_credit_overrun():
    stored = facts(credit_limit=D("100000.00"), exposure=D("182000.00"), margin=None).as_json()
    assert stored["credit_exceeded_by"] == "82000.00" and stored["margin"] is None and stored["gross"] == "10000.00"
