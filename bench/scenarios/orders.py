"""Order entry: create + price + confirm orders through the services, as the UI and API do.

Setup (not timed): 2,000 products in 20 categories, a general price list with quantity breaks
for a quarter of them, a combinable 5 % category promotion, a 满1000减100 order threshold
promotion (so every line of an order shares the threshold discount), 50 customers and a
salesperson.
Measured:
* ``orders/s`` — create a 5-line order (priced by the engine, numbered, audited) and submit it
  (which confirms it), N orders on one thread;
* ``1000-line`` — one order of 1,000 lines created, priced and confirmed (seconds; target on
  PostgreSQL: under 1 s);
* ``reprice-1-of-1000`` — changing the quantity of one line of a 1,000-line draft through
  ``save_line`` (re-prices the whole order; the threshold discount moves every line's share, so
  every line is rewritten — the worst case): median milliseconds over 15 edits (target: 100 ms).
Checked: every order is confirmed and its gross equals the sum of its lines; net + tax = gross.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from decimal import Decimal

from bench.common import Result

NAME = "orders"
DEFAULT_N = 500
PRODUCTS = 2_000
BIG = 1_000
EDITS = 15


def _setup():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from kaidan.catalog.models import Category, Product, Unit
    from kaidan.inventory import services as stock_services
    from kaidan.inventory.models import Warehouse
    from kaidan.parties.models import Customer
    from kaidan.pricing.models import PriceList, PriceListItem, Promotion

    categories = [Category.objects.create(code=f"C{i:02d}", name=f"类别{i}") for i in range(20)]
    unit = Unit.objects.filter(allow_fraction=False).first()
    Product.objects.bulk_create(
        Product(sku=f"B{i:06d}", name=f"商品{i}", unit=unit, category=categories[i % 20],
                list_price=Decimal(10 + i % 500) + Decimal("0.99"), standard_cost=Decimal(5 + i % 300),
                vat_rate=Decimal("0.13") if i % 7 else Decimal("0.09"))
        for i in range(PRODUCTS))
    products = list(Product.objects.order_by("pk"))
    general = PriceList.objects.create(code="STD", name="标准价目表")
    PriceListItem.objects.bulk_create(
        PriceListItem(price_list=general, product=p, min_quantity=q, method="percent_off", percent=pct)
        for p in products[::4] for q, pct in ((0, Decimal("3")), (10, Decimal("6"))))
    promo = Promotion.objects.create(code="CAT5", name="类别九五折", kind="percent_off", percent=Decimal("5"))
    promo.categories.add(categories[3])
    Promotion.objects.create(code="MJ", name="满1000减100", kind="order_threshold", threshold=Decimal("1000"),
                             amount=Decimal("100"))
    # Submitting confirms and reserves: a warehouse with plenty of every product (the default one).
    warehouse = Warehouse.objects.create(code="WH-BENCH", name="基准仓")
    keeper = get_user_model().objects.create_user("bench-orders-keeper", password="bench-stock-1")
    keeper.groups.add(Group.objects.get(name="warehouse"))
    stock_services.post_receipt(actor=keeper, data={
        "warehouse_id": warehouse.pk, "supplier": "基准供应商",
        "lines": [{"product_id": p.pk, "quantity": "1000000"} for p in products]})
    seller = get_user_model().objects.create_user("bench-seller", password="bench-orders-1")
    seller.groups.add(Group.objects.get(name="sales"))
    customers = Customer.objects.bulk_create(
        Customer(code=f"K{i:04d}", name=f"客户{i}", owner=seller) for i in range(50))
    return seller, customers, products


def _check(order) -> bool:
    from kaidan.sales.models import SalesOrderLine

    lines = list(SalesOrderLine.objects.filter(order=order))
    return (order.status == "confirmed" and sum(line.gross_amount for line in lines) == order.gross_amount
            and all(line.net_amount + line.tax_amount == line.gross_amount for line in lines))


def run(n: int, backend: str) -> Iterator[Result]:
    from kaidan.sales import selectors, services, transitions

    seller, customers, products = _setup()

    def lines(count: int, offset: int) -> list[dict]:
        return [{"product_id": products[(offset + i * 37) % len(products)].pk, "quantity": str(1 + (i + offset) % 12)}
                for i in range(count)]

    began = time.perf_counter()
    last = None
    for i in range(n):
        order = services.create_document(actor=seller, data={"customer_id": customers[i % 50].pk},
                                         lines=lines(5, i))
        last = transitions.submit_order(actor=seller, order_id=order.pk)
    seconds = time.perf_counter() - began
    yield Result(params={"lines": 5, "n": n}, unit="orders/s", rate=n / seconds, ok=_check(last), seconds=seconds)

    began = time.perf_counter()
    big = services.create_document(actor=seller, data={"customer_id": customers[0].pk}, lines=lines(BIG, 1))
    big = transitions.submit_order(actor=seller, order_id=big.pk)
    seconds = time.perf_counter() - began
    yield Result(params={"lines": BIG}, unit="orders/s", rate=1 / seconds, ok=_check(big) and seconds < 1.0,
                 seconds=seconds, note=f"{seconds * 1000:.0f} ms for one order, target < 1000 ms")

    draft = services.create_document(actor=seller, data={"customer_id": customers[1].pk}, lines=lines(BIG, 2))
    line_ids = [line.pk for line in selectors.order_lines(draft) if not line.is_free]
    timings = []
    version = draft.version
    for k in range(EDITS):
        began = time.perf_counter()
        draft, written = services.save_line(actor=seller, order_id=draft.pk, version=version,
                                            line_id=line_ids[k * 61 % BIG], data={"quantity": str(3 + k)})
        timings.append((time.perf_counter() - began) * 1000)
        version = draft.version
    median = statistics.median(timings[1:])
    consistent = draft.gross_amount == sum(line.gross_amount for line in selectors.order_lines(draft))
    yield Result(params={"lines": BIG, "edits": EDITS}, unit="edits/s", rate=1000 / median,
                 ok=consistent and median < 100, seconds=sum(timings) / 1000,
                 note=f"median {median:.0f} ms per one-line edit, {len(written)} lines rewritten, target < 100 ms")
