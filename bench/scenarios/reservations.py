"""Stock reservation on confirm, and the availability check of a large order (issue 5).

Setup (not timed): one warehouse; 500 products with 100,000 on hand each (one goods receipt)
for the orders; N + N draft 5-line orders of distinct products (1–3 units per line, made through
the services: priced, numbered); 1,200 more products for the availability check, stocked so that
of 1,000 order lines 800 can ship, 100 can ship in part and 100 not at all, every short product
with two in-stock substitutes and every other one with an ordered replenishment (expected in 7
days).
Measured:
* ``lines/s`` — ``kaidan.sales.transitions.submit_order`` on N prepared drafts (which confirms
  them and reserves every line: lock the order, lock the 5 stock rows in id order, conditional
  UPDATEs of ``reserved``, the reservation rows, audit), on 1 thread and then on 8 threads (each its
  own connection) over the other N drafts; the rate counts order lines reserved per second. A
  transaction failing with OperationalError (SQLite "database is locked", a PostgreSQL deadlock)
  would be retried and shown as ``retries=K``.
* ``1000-line check`` — ``kaidan.inventory.selectors.check_availability`` for 1,000 distinct
  products (free stock here and everywhere, badges, promise dates from ordered supply,
  substitutes for the short lines): median milliseconds over 11 calls after a warm-up (target:
  under 200 ms).
Checked: every order confirmed, reserved = the lines' quantities, ``stock_discrepancies()`` empty;
the check's badges, substitutes and promise dates are the ones the setup implies.
"""

from __future__ import annotations

import datetime
import queue
import statistics
import time
from collections.abc import Iterator
from decimal import Decimal

from bench.common import Result, run_threads

NAME = "reservations"
DEFAULT_N = 100  # orders per run (5 lines each), one run on 1 thread and one on 8
THREADS = (1, 8)
LINES = 5
ORDER_PRODUCTS = 500
ON_HAND = Decimal(100_000)
CHECK_LINES = 1_000
CHECK_CALLS = 11
MAX_RETRIES = 100  # per thread


def _setup_orders(n_orders: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from kaidan.catalog.models import Category, Product, Unit
    from kaidan.inventory import services as stock_services
    from kaidan.inventory.models import Warehouse
    from kaidan.parties.models import Customer
    from kaidan.sales import services

    warehouse = Warehouse.objects.create(code="WH-BENCH", name="基准仓")
    unit = Unit.objects.filter(allow_fraction=False).first()
    category = Category.objects.create(code="RES", name="预留测试")
    Product.objects.bulk_create(
        Product(sku=f"R{i:06d}", name=f"预留商品{i}", unit=unit, category=category,
                list_price=Decimal(20 + i % 300), standard_cost=Decimal(10 + i % 200), vat_rate=Decimal("0.13"))
        for i in range(ORDER_PRODUCTS))
    products = list(Product.objects.filter(category=category).order_by("pk"))
    keeper = get_user_model().objects.create_user("bench-keeper", password="bench-stock-1")
    keeper.groups.add(Group.objects.get(name="warehouse"))
    stock_services.post_receipt(actor=keeper, data={
        "warehouse_id": warehouse.pk, "supplier": "基准供应商",
        "lines": [{"product_id": p.pk, "quantity": str(ON_HAND)} for p in products]})
    seller = get_user_model().objects.create_user("bench-reserver", password="bench-orders-1")
    seller.groups.add(Group.objects.get(name="sales"))
    customers = Customer.objects.bulk_create(Customer(code=f"R{i:04d}", name=f"预留客户{i}", owner=seller)
                                             for i in range(20))
    drafts = []
    for i in range(n_orders):
        # 5 distinct products spread over the 500 (orders share products, so threads meet on rows)
        lines = [{"product_id": products[(i * 7 + k * 101) % ORDER_PRODUCTS].pk, "quantity": str(1 + (i + k) % 3)}
                 for k in range(LINES)]
        drafts.append(services.create_document(actor=seller, data={"customer_id": customers[i % 20].pk,
                                                                    "warehouse_id": warehouse.pk}, lines=lines).pk)
    return seller, drafts


def _reserve_runs(n: int) -> Iterator[Result]:
    from django.db import OperationalError

    from kaidan.inventory.models import Reservation
    from kaidan.inventory.selectors import stock_discrepancies
    from kaidan.sales import transitions
    from kaidan.sales.models import SalesOrder, SalesOrderLine

    seller, drafts = _setup_orders(n * len(THREADS))
    for run_index, threads in enumerate(THREADS):
        batch = drafts[run_index * n:(run_index + 1) * n]
        todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        for order_id in batch:
            todo.put(order_id)

        def confirm(count: int, todo: queue.SimpleQueue[int] = todo) -> int:
            retries = 0
            for _ in range(count):
                order_id = todo.get_nowait()
                while True:
                    try:
                        transitions.submit_order(actor=seller, order_id=order_id)
                        break
                    except OperationalError:
                        retries += 1
                        if retries > MAX_RETRIES:
                            raise
            return retries

        per_thread, seconds = run_threads(threads, n, confirm)
        retries = sum(per_thread)
        lines = SalesOrderLine.objects.filter(order_id__in=batch, is_free=False).count()
        problems = []
        confirmed = SalesOrder.objects.filter(pk__in=batch, status="confirmed").count()
        if confirmed != n:
            problems.append(f"{n - confirmed} orders not confirmed")
        held = sum(Reservation.objects.filter(order_id__in=batch, status="open").values_list("reserved", flat=True))
        wanted = sum(SalesOrderLine.objects.filter(order_id__in=batch).values_list("quantity", flat=True))
        if held != wanted:
            problems.append(f"reserved {held}, lines want {wanted}")
        problems += stock_discrepancies()[:3]
        note = "; ".join(x for x in (f"retries={retries}" if retries else "", *problems) if x)
        yield Result({"threads": threads, "orders": n, "lines": LINES}, "lines/s", lines / seconds, not problems,
                     seconds, note or f"{lines} lines, {held:.0f} units reserved, {n / seconds:.0f} orders/s")


def _setup_check(warehouse):
    """1,000 products to check plus 200 substitutes: i % 10 == 0 none on hand, i % 10 == 5 two on
    hand for five wanted, the rest plenty. Short and partial products have two substitutes each
    (in stock); the partial ones and every other short one have 50 ordered, due in 7 days."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from kaidan.catalog.models import Category, Product, ProductSubstitute, Unit
    from kaidan.inventory import services as stock_services
    from kaidan.inventory.models import ReplenishmentRequest

    unit = Unit.objects.filter(allow_fraction=False).first()
    category = Category.objects.create(code="AVL", name="可用量测试")
    Product.objects.bulk_create(
        Product(sku=f"A{i:06d}", name=f"可用量商品{i}", unit=unit, category=category,
                list_price=Decimal(30 + i % 400), standard_cost=Decimal(15), vat_rate=Decimal("0.13"))
        for i in range(CHECK_LINES + 200))
    every = list(Product.objects.filter(category=category).order_by("pk"))
    checked, substitutes = every[:CHECK_LINES], every[CHECK_LINES:]
    keeper = get_user_model().objects.get(username="bench-keeper")
    stocked = [(p, 2 if i % 10 == 5 else 500) for i, p in enumerate(checked) if i % 10]
    stocked += [(p, 500) for p in substitutes]
    stock_services.post_receipt(actor=keeper, data={
        "warehouse_id": warehouse.pk, "supplier": "基准供应商",
        "lines": [{"product_id": p.pk, "quantity": str(q)} for p, q in stocked]})
    short = [p for i, p in enumerate(checked) if i % 5 == 0]  # i % 10 in (0, 5)
    ProductSubstitute.objects.bulk_create(
        ProductSubstitute(product=p, substitute=substitutes[(k * 2 + pos) % len(substitutes)], position=pos + 1)
        for k, p in enumerate(short) for pos in range(2))
    expected = timezone.localdate() + datetime.timedelta(days=7)
    supplied = [p for i, p in enumerate(checked) if i % 10 == 5 or i % 20 == 0]
    ReplenishmentRequest.objects.bulk_create(
        ReplenishmentRequest(number=f"RR-BENCH-{k:05d}", product=p, warehouse=warehouse, quantity=Decimal(50),
                             status=ReplenishmentRequest.Status.ORDERED, source=ReplenishmentRequest.Source.MANUAL,
                             expected_date=expected)
        for k, p in enumerate(supplied))
    lines = [(p.pk, Decimal(5 if i % 10 in (0, 5) else 1 + i % 12)) for i, p in enumerate(checked)]
    return lines, expected


def _check_run(warehouse) -> Result:
    from django.utils import timezone

    from kaidan.inventory.selectors import check_availability

    lines, expected = _setup_check(warehouse)
    check_availability(lines, warehouse.pk)  # warm-up: first queries, caches
    timings = []
    for _ in range(CHECK_CALLS):
        began = time.perf_counter()
        result = check_availability(lines, warehouse.pk)
        timings.append((time.perf_counter() - began) * 1000)
    median = statistics.median(timings)
    badges = {b: sum(1 for line in result if line.badge == b) for b in ("in_stock", "partial", "short")}
    today = timezone.localdate()
    problems = []
    if badges != {"in_stock": 800, "partial": 100, "short": 100}:
        problems.append(f"badges {badges}")
    if any(len(line.substitutes) != 2 for line in result if line.badge != "in_stock"):
        problems.append("short lines without their 2 substitutes")
    promised = {line.promise_date for i, line in enumerate(result) if i % 10 == 5 or i % 20 == 0}
    unpromised = {line.promise_date for i, line in enumerate(result) if i % 10 == 0 and i % 20}
    if promised != {expected} or unpromised != {None} or any(
            line.promise_date != today for line in result if line.badge == "in_stock"):
        problems.append(f"promise dates {promised} / {unpromised}")
    ok = not problems and median < 200
    note = "; ".join(problems) or f"median {median:.0f} ms, max {max(timings):.0f} ms, target < 200 ms"
    return Result({"lines": CHECK_LINES, "calls": CHECK_CALLS}, "checks/s", 1000 / median, ok, sum(timings) / 1000,
                  note)


def run(n: int, backend: str) -> Iterator[Result]:
    from kaidan.inventory.models import Warehouse

    yield from _reserve_runs(n)
    yield _check_run(Warehouse.objects.get(code="WH-BENCH"))
