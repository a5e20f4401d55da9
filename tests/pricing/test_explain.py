"""Every step of a price in one sentence: what a salesperson reads under a line."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import translation

from kaidan.pricing.engine import (
    CustomerFacts,
    LineRequest,
    PricingContext,
    ProductFacts,
    PromotionFacts,
    Step,
    price_order,
)
from kaidan.pricing.explain import describe, describe_line, format_unit_price


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("step, sentence", [
    (Step("list_price", D("113.0000"), {"price": "113.0000"}), "List price: ¥113.00"),
    (Step("mode_conversion", D("100.0000"), {"source": "list_price", "from": "113.0000", "to": "100.0000",
                                             "rate": "13", "mode": "exclusive"}),
     "Without its 13% VAT: ¥113.00 → ¥100.00"),
    (Step("mode_conversion", D("88.4956"), {"source": "price_list", "from": "78.3147", "to": "88.4956",
                                            "rate": "13", "mode": "inclusive"}),
     "With 13% VAT added: ¥78.3147 → ¥88.4956"),
    (Step("price_list", D("90.0000"), {"name": "VIP", "code": "VIP", "price": "90.0000"}),
     "Price list VIP: ¥90.00"),
    (Step("price_list", D("85.0000"), {"name": "VIP", "code": "VIP", "price": "85.0000", "min_quantity": "10"}),
     "Price list VIP, from 10: ¥85.00"),
    (Step("price_list", D("87.5000"), {"name": "Dealers", "code": "D", "percent": "12.5"}),
     "Price list Dealers: 12.5% off the list price, ¥87.50"),
    (Step("price_list", D("80.0000"), {"name": "Dealers", "code": "D", "percent": "20", "min_quantity": "100"}),
     "Price list Dealers, from 100: 20% off the list price, ¥80.00"),
    (Step("manual_price", D("85.5000"), {"price": "85.5000", "engine_price": "90.0000"}),
     "Price entered by hand: ¥85.50 instead of ¥90.00"),
    (Step("manual_price", D("85.5000"), {"price": "85.5000"}), "Price entered by hand: ¥85.50"),
    (Step("promotion_percent", D("-30.00"), {"name": "618", "code": "P618", "percent": "10", "amount": "30.00"}),
     "Promotion 618: 10% off, -¥30.00"),
    (Step("promotion_amount", D("-10.00"), {"name": "Spring", "code": "S", "per_unit": "2.50", "amount": "10.00"}),
     "Promotion Spring: ¥2.50 off each unit, -¥10.00"),
    (Step("free_item", D("0.0000"), {"name": "B2G1", "code": "B2G1", "buy": "2", "free": "1"}),
     "Promotion B2G1: buy 2, get 1 free"),
    (Step("manual_discount", D("-9.00"), {"percent": "5", "amount": "9.00"}), "Discount 5%: -¥9.00"),
    (Step("threshold", D("-60.00"), {"name": "Big order", "code": "T", "threshold": "1000.00", "discount": "100.00",
                                     "share": "60.00"}),
     "Promotion Big order: ¥100.00 off orders from ¥1,000.00, this line's share -¥60.00"),
    (Step("vat", D("11.50"), {"rate": "13", "net": "88.50", "tax": "11.50", "gross": "100.00", "mode": "inclusive"}),
     "VAT 13% included: net ¥88.50 + VAT ¥11.50 = ¥100.00"),
    (Step("vat", D("6.00"), {"rate": "6", "net": "100.00", "tax": "6.00", "gross": "106.00", "mode": "exclusive"}),
     "VAT 6% added: net ¥100.00 + VAT ¥6.00 = ¥106.00"),
], ids=lambda value: value.code if isinstance(value, Step) else "")
def test_each_step_reads_as_one_sentence(step, sentence):
    assert describe(step) == sentence


def test_amounts_follow_the_orders_currency():
    step = Step("manual_discount", D("-9.00"), {"percent": "5", "amount": "9.00"})
    assert describe(step, "USD") == "Discount 5%: -$9.00"


def test_a_step_the_explainer_does_not_know_still_says_something():
    assert describe(Step("loyalty_points", D("-3.0000"))) == "loyalty_points: -¥3.00"


def test_the_sentences_go_through_the_translation_catalogue(monkeypatch):
    # given a catalogue that knows the list price sentence
    from kaidan.pricing import explain

    monkeypatch.setattr(explain, "_", lambda text: {"List price: %(price)s": "目录价：%(price)s"}.get(text, text))
    # then the sentence comes out translated, the amount filled in
    assert describe(Step("list_price", D("5.0000"), {"price": "5.0000"})) == "目录价：¥5.00"


class TestUnitPrices:
    @pytest.mark.parametrize("price, text", [
        ("90.0000", "¥90.00"), ("88.4956", "¥88.4956"), ("88.4950", "¥88.495"), ("1234.5", "¥1,234.50"),
        ("-0.1230", "-¥0.123"), ("0", "¥0.00"),
    ])
    def test_a_unit_price_keeps_its_decimals_only_when_it_has_them(self, price, text):
        assert format_unit_price(D(price)) == text

    def test_in_a_currency_without_cents(self):
        assert format_unit_price(D("1234.0000"), "JPY") == "JP¥1,234"
        assert format_unit_price(D("1234.5000"), "JPY") == "JP¥1,234.5"


def test_a_priced_line_explains_itself_from_list_price_to_vat():
    # given a product at 100 tax-exclusive sold in a tax-inclusive order with 10% off and a 5% discount
    product = ProductFacts(id=1, sku="A", name="Desk", list_price=D("100"), list_price_includes_tax=False,
                           vat_rate=D("0.13"), standard_cost=D("40"))
    promo = PromotionFacts(id=1, code="P", name="Summer", kind="percent_off", percent=D("10"))
    ctx = PricingContext(customer=CustomerFacts(id=1), date=datetime.date(2026, 6, 1), currency="CNY",
                         prices_include_tax=True, promotions=(promo,))
    order = price_order([LineRequest(key="1", product=product, quantity=D("2"), discount_percent=D("5"))], ctx)
    # when the line is described
    sentences = describe_line(order.lines[0])
    # then it reads from the list price to the VAT
    assert sentences == [
        "List price: ¥100.00",
        "With 13% VAT added: ¥100.00 → ¥113.00",
        "Promotion Summer: 10% off, -¥22.60",
        "Discount 5%: -¥10.17",
        "VAT 13% included: net ¥171.00 + VAT ¥22.23 = ¥193.23",
    ]
