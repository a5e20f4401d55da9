"""The demo of `kaidan load_demo` for warehouses, pricing and sales: loaded once through the services,
with every kind and state of document, every price rule at work, and totals that add up."""

import datetime
from collections import Counter

import pytest
from django.conf import settings
from django.utils import timezone

from kaidan.core.models import AuditEvent
from kaidan.inventory.models import Warehouse
from kaidan.pricing.models import PriceList, Promotion
from kaidan.sales import demo as sales_demo
from kaidan.sales.models import SalesOrder, SalesOrderLine
from tests.demo_loading import fewer_pictures, load_all  # noqa: F401 (fewer_pictures: an autouse fixture)

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (Warehouse.objects.count(), PriceList.objects.count(), Promotion.objects.count(),
            SalesOrder.objects.count(), SalesOrderLine.objects.count(), AuditEvent.objects.count())


def test_loads_once_with_every_state_and_price_rule_and_totals_that_add_up():
    """One test, as loading the whole demo (customers, catalog, sales) takes seconds."""
    # given
    loaders = settings.KAIDAN_DEMO_LOADERS
    assert loaders.index("kaidan.catalog.demo.load_demo") < loaders.index("kaidan.inventory.demo.load_demo") \
        < loaders.index("kaidan.pricing.demo.load_demo") < loaders.index("kaidan.sales.demo.load_demo")
    # when
    first = load_all()
    loaded = counts()
    second = load_all()
    # then: a second run creates nothing
    assert first["kaidan.inventory.demo.load_demo"] == ["3 warehouses", "3 goods receipts", "3 products out of stock",
                                                        "4 replenishment requests"]
    assert first["kaidan.pricing.demo.load_demo"] == ["4 price lists", "5 promotions"]
    assert first["kaidan.sales.demo.load_demo"] == ["12 quotations", "30 sales orders"]
    assert all(lines == [] for lines in second.values()), second
    assert counts() == loaded
    assert {"WH-SZ", "WH-SH", "WH-BJ"} <= set(Warehouse.objects.values_list("code", flat=True))
    _assert_every_state(list(SalesOrder.objects.select_related("customer", "quotation")))
    _assert_every_price_rule()
    _assert_totals_add_up_and_history_is_real()
    _assert_stock_shows_every_case()


def _assert_every_state(documents: list[SalesOrder]) -> None:
    today = timezone.localdate()
    states = Counter((d.kind, d.status) for d in documents)
    assert {("quotation", s) for s in ("draft", "sent", "converted", "cancelled")} <= set(states)
    assert {("order", s) for s in ("draft", "confirmed", "cancelled")} <= set(states)
    assert 45 <= len(documents) <= 52  # (7 of them the approvals demo's, tests/approvals/test_demo.py)
    assert any(d.kind == "quotation" and d.status == "sent" and d.valid_until < today for d in documents)  # expired
    assert all(d.quotation.status == "converted" for d in documents if d.quotation_id)
    assert {d.status for d in documents if d.quotation_id} == {"draft", "confirmed"}
    assert any(d.revision and d.status == "confirmed" for d in documents)
    assert any(d.revision and d.status == "draft" for d in documents)
    assert any(not d.prices_include_tax and d.kind == "order" for d in documents)
    assert max(d.line_count for d in documents) == sales_demo.BIG_ORDER_LINES
    assert min(d.order_date for d in documents) >= today - datetime.timedelta(days=90)
    # written by the customers' salespeople, several of them
    assert all(d.salesperson_id == d.customer.owner_id for d in documents)
    assert len({d.salesperson_id for d in documents}) >= 2


def _assert_stock_shows_every_case() -> None:
    """Confirmed orders reserved their stock, one waits for a backorder, a draft shows every badge,
    short products have substitutes and supply on order, and the ledger agrees with the levels."""
    from django.db.models import F

    from kaidan.inventory import selectors as stock
    from kaidan.inventory.models import ReplenishmentRequest, Reservation

    assert stock.stock_discrepancies() == []
    confirmed = SalesOrder.objects.filter(kind="order", status="confirmed")
    holding = set(Reservation.objects.filter(status="open").values_list("order_id", flat=True))
    assert set(confirmed.values_list("pk", flat=True)) <= holding  # (+ an order being revised keeps its stock)
    assert Reservation.objects.filter(status="open", reserved__lt=F("quantity")).exists()  # a backorder
    assert {r.status for r in ReplenishmentRequest.objects.all()} == {"open", "ordered", "received"}
    draft = SalesOrder.objects.get(notes__startswith="缺货演示")
    lines = [(line.pk, line.product_id, line.quantity) for line in draft.lines.all()]
    shown = stock.order_line_stock(draft.pk, lines, draft.warehouse_id, confirmed=False)
    assert {line.badge for line in shown.values()} == {"in_stock", "partial", "short"}
    short = next(line for line in shown.values() if line.badge == "short")
    assert short.substitutes and short.promise_date is not None


def _assert_every_price_rule() -> None:
    """Every promotion, price list and manual reduction shows in some line's breakdown; the expired list never."""
    steps = Counter((step["code"], step["params"].get("code", "")) for line in SalesOrderLine.objects.all()
                    for step in line.breakdown)
    for code in ("NB-95", "U2723-200", "MJ-1000-100", "CLEAR-20"):
        assert any(c == code for (_kind, c) in steps), code
    assert steps[("free_item", "HDMI-10-1")] and SalesOrderLine.objects.filter(is_free=True).exists()
    assert {("price_list", code) for code in ("STD", "A-CLASS", "VIP-001")} <= set(steps)
    assert ("price_list", "SPRING-2026") not in steps
    assert steps[("manual_discount", "")] and steps[("manual_price", "")]
    assert any("min_quantity" in step["params"] for line in SalesOrderLine.objects.filter(price_source="price_list")
               for step in line.breakdown if step["code"] == "price_list")  # a quantity break


def _assert_totals_add_up_and_history_is_real() -> None:
    documents = list(SalesOrder.objects.prefetch_related("lines"))
    for document in documents:
        lines = list(document.lines.all())
        assert document.gross_amount == sum(line.gross_amount for line in lines), document.number
        assert document.net_amount == sum(line.net_amount for line in lines), document.number
        assert document.tax_amount == sum(line.tax_amount for line in lines), document.number
        assert document.net_amount + document.tax_amount == document.gross_amount
        assert document.line_count == sum(1 for line in lines if not line.is_free)
    created = set(AuditEvent.objects.filter(object_type="sales.salesorder", action="created")
                  .values_list("object_id", flat=True))
    assert created == {str(d.pk) for d in documents}
    assert AuditEvent.objects.filter(object_type="sales.salesorder", action="revise_reason").exists()
