"""Property: whatever the lines, rates, discounts, price mode and threshold promotions, a saved order's
stored numbers add up — Σ line gross = order gross, net + tax = gross per line, per rate and in total
— and a one-line edit keeps them adding up."""

from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaidan.catalog.models import Unit
from kaidan.core.roles import Role
from kaidan.pricing.models import Promotion
from kaidan.sales import selectors, services
from tests.catalog.factories import make_product
from tests.parties.factories import make_customer

pytestmark = pytest.mark.django_db

RATES = [D("0.13"), D("0.09"), D("0.06"), D("0")]
prices = st.decimals(min_value=D("0.01"), max_value=D("99999"), places=4)
lines_strategy = st.lists(st.tuples(prices, st.sampled_from(RATES), st.integers(1, 500),
                                    st.decimals(min_value=D(0), max_value=D(10), places=2)),
                          min_size=1, max_size=12)


class Rollback(Exception):
    pass


@pytest.fixture
def seller(make_user):
    return make_user(Role.SALES)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(lines=lines_strategy, inclusive=st.booleans(),
       threshold=st.one_of(st.none(), st.tuples(st.integers(1, 5000), st.integers(1, 500))))
def test_stored_totals_always_add_up(seller, lines, inclusive, threshold):
    try:
        with transaction.atomic():  # each example leaves nothing behind
            Unit.objects.get_or_create(code="pcs", defaults={"name": "个"})
            if threshold:
                Promotion.objects.create(code="T", name="满减", kind="order_threshold", threshold=D(threshold[0]),
                                         amount=D(min(threshold)))
            customer = make_customer(seller)
            request = []
            for price, rate, quantity, discount in lines:
                product = make_product(list_price=price, vat_rate=rate)
                request.append({"product_id": product.pk, "quantity": str(quantity), "discount_percent": discount})
            order = services.create_document(actor=seller, data={"customer_id": customer.pk,
                                                                 "prices_include_tax": inclusive}, lines=request)
            assert_adds_up(order)
            first = selectors.order_lines(order)[0]
            order, _written = services.save_line(actor=seller, order_id=order.pk, version=order.version,
                                                 line_id=first.pk, data={"quantity": str(lines[0][2] + 7)})
            assert_adds_up(order)
            raise Rollback
    except Rollback:
        pass


def assert_adds_up(order):
    stored = selectors.order_lines(order)
    order.refresh_from_db()
    assert sum(line.gross_amount for line in stored) == order.gross_amount
    assert sum(line.net_amount for line in stored) == order.net_amount
    assert order.net_amount + order.tax_amount == order.gross_amount
    for line in stored:
        assert line.net_amount + line.tax_amount == line.gross_amount
        assert line.gross_amount >= 0 and line.gross_amount == line.gross_amount.quantize(D("0.01"))
    by_rate = selectors.totals_by_rate(stored)
    assert sum(r.gross for r in by_rate) == order.gross_amount
    assert all(r.net + r.tax == r.gross for r in by_rate)
