"""The money policy: half-up rounding, VAT split rules, Chinese capitals, display."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaidan.core.money import (
    add_tax,
    allocate,
    chinese_capitals,
    format_money,
    round_money,
    round_unit_price,
    split_inclusive,
    to_decimal,
)

RATES = [D("0.13"), D("0.09"), D("0.06"), D("0"), D("0.03")]


class TestRounding:
    @pytest.mark.parametrize("value, expected", [
        ("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("-2.675", "-2.68"),
        ("1.0049999", "1.00"), ("10", "10.00"),
    ])
    def test_rounds_half_up_to_the_cent(self, value, expected):
        assert round_money(value) == D(expected)

    def test_a_currency_without_cents_rounds_to_units(self):
        assert round_money("1234.5", "JPY") == D("1235")

    def test_three_thirds_of_one_yuan_do_not_make_one_yuan_when_each_is_rounded(self):
        third = round_money(D(1) / D(3))
        assert third == D("0.33")
        assert third * 3 == D("0.99")
        # the policy: round the line amount, not the unit — 3 × (1/3) as one amount is 1.00
        assert round_money(3 * (D(1) / D(3))) == D("1.00")

    def test_thirteen_percent_of_five_fen(self):
        assert round_money(D("0.05") * D("0.13")) == D("0.01")  # 0.0065 → 0.01
        tax, gross = add_tax(D("0.05"), D("0.13"))
        assert (tax, gross) == (D("0.01"), D("0.06"))

    def test_unit_prices_keep_four_decimals(self):
        assert round_unit_price("12.34565") == D("12.3457")

    def test_floats_are_refused(self):
        with pytest.raises(TypeError):
            round_money(0.1)

    @pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", ""])
    def test_non_numbers_are_refused(self, bad):
        with pytest.raises(ValueError):
            to_decimal(bad)

    def test_a_thousand_lines_of_one_fen_total_exactly_ten_yuan(self):
        lines = [round_money("0.01") for _ in range(1000)]
        assert sum(lines) == D("10.00")


class TestVat:
    def test_splits_a_tax_inclusive_amount(self):
        assert split_inclusive(D("113.00"), D("0.13")) == (D("100.00"), D("13.00"))
        assert split_inclusive(D("100.00"), D("0.13")) == (D("88.50"), D("11.50"))

    def test_tax_of_a_tiny_inclusive_amount(self):
        assert split_inclusive(D("0.05"), D("0.13")) == (D("0.04"), D("0.01"))

    def test_zero_rate_has_no_tax(self):
        assert split_inclusive(D("99.99"), D("0")) == (D("99.99"), D("0.00"))

    @given(cents=st.integers(min_value=-10**11, max_value=10**11), rate=st.sampled_from(RATES))
    def test_inclusive_split_always_adds_back_to_the_gross(self, cents, rate):
        gross = D(cents) / 100
        net, tax = split_inclusive(gross, rate)
        assert net + tax == gross
        assert abs(tax - gross * rate / (1 + rate)) <= D("0.005")

    @given(cents=st.integers(min_value=0, max_value=10**11), rate=st.sampled_from(RATES))
    def test_net_to_gross_and_back_round_trips(self, cents, rate):
        net = D(cents) / 100
        tax, gross = add_tax(net, rate)
        assert split_inclusive(gross, rate) == (net, tax)


class TestChineseCapitals:
    @pytest.mark.parametrize("amount, words", [
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("10.00", "壹拾元整"),
        ("100000000.01", "壹亿元零壹分"),
        ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("1010.01", "壹仟零壹拾元零壹分"),
        ("-3.50", "负叁元伍角"),
    ])
    def test_amounts_in_capitals(self, amount, words):
        assert chinese_capitals(D(amount)) == words

    def test_rounds_before_writing(self):
        assert chinese_capitals(D("0.005")) == "壹分"


class TestFormatting:
    def test_groups_thousands_with_the_currency_symbol(self):
        assert format_money(D("1234567.5")) == "¥1,234,567.50"
        assert format_money(D("-3"), "USD") == "-$3.00"
        assert format_money(D("1234.4"), "JPY") == "JP¥1,234"
        assert format_money(D("5"), symbol=False) == "5.00"


class TestAllocate:
    def test_shares_follow_the_weights_and_add_up_exactly(self):
        # given 10.00 over three equal lines: 3.333... each
        shares = allocate(D("10.00"), [D("1"), D("1"), D("1")])
        # then the leftover cent goes to the first of the equal remainders
        assert shares == [D("3.34"), D("3.33"), D("3.33")]
        assert sum(shares) == D("10.00")

    def test_the_largest_remainders_get_the_leftover_cents(self):
        # 1.00 over 1 / 3 / 3: exact shares 0.1428.., 0.4285.., 0.4285.. → floors 0.14 + 0.42 + 0.42 leave
        # 0.02; the remainders of the last two are the largest, so they get a cent each, not the first
        assert allocate(D("1.00"), [D("1"), D("3"), D("3")]) == [D("0.14"), D("0.43"), D("0.43")]

    def test_proportional_shares_need_no_rounding(self):
        assert allocate(D("100"), [D("600.00"), D("400.00")]) == [D("60.00"), D("40.00")]

    def test_weights_of_any_scale_mix(self):
        assert allocate(D("100"), [D("1E+2"), D("0.5"), D("0")]) == [D("99.50"), D("0.50"), D("0.00")]

    def test_a_negative_amount_is_shared_like_a_positive_one(self):
        assert allocate(D("-10.00"), [D("1"), D("1"), D("1")]) == [D("-3.34"), D("-3.33"), D("-3.33")]

    def test_a_currency_without_cents_shares_whole_units(self):
        assert allocate(D("1000"), [D("1"), D("2")], "JPY") == [D("333"), D("667")]

    def test_the_amount_is_rounded_first_like_every_amount(self):
        assert sum(allocate(D("0.125"), [D("1"), D("1")])) == D("0.13")

    def test_zero_weights_share_only_zero(self):
        assert allocate(D("0"), [D("0"), D("0")]) == [D("0.00"), D("0.00")]
        assert allocate(D("0"), []) == []
        with pytest.raises(ValueError):
            allocate(D("0.01"), [D("0"), D("0")])
        with pytest.raises(ValueError):
            allocate(D("5"), [])

    def test_negative_weights_are_refused(self):
        with pytest.raises(ValueError):
            allocate(D("1"), [D("2"), D("-1")])

    def test_float_weights_are_refused(self):
        with pytest.raises(TypeError):
            allocate(D("1"), [0.5, 0.5])

    @given(
        cents=st.integers(min_value=-10**9, max_value=10**9),
        weights=st.lists(st.integers(min_value=0, max_value=10**8).map(lambda n: D(n).scaleb(-2)), min_size=1,
                         max_size=30).filter(any),
    )
    def test_shares_always_add_up_and_each_is_within_a_cent_of_its_exact_share(self, cents, weights):
        amount = D(cents).scaleb(-2)
        shares = allocate(amount, weights)
        assert sum(shares) == amount
        total = sum(weights)
        for share, weight in zip(shares, weights, strict=True):
            assert share.as_tuple().exponent == -2
            assert abs(share - amount * weight / total) < D("0.01")
            if 0 <= amount <= total:
                assert 0 <= share <= weight  # never more than its own weight when the amount fits


@pytest.mark.parametrize("value, text", [("13.00", "13"), ("2.50", "2.5"), ("100", "100"), ("0.1250", "0.125"),
                                         ("0.00", "0")])
def test_plain_numbers_have_no_trailing_zeros_and_no_exponent(value, text):
    from kaidan.core.money import plain_number

    assert plain_number(D(value)) == text
