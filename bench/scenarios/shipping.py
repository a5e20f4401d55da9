"""Shipping (issue 7): delivery notes made, picked, packed and shipped through the services, as the
warehouse screens and the API do.

Setup (not timed): one warehouse; 1,000 products with 100,000 on hand each (one goods receipt); a
carrier; 2 × N confirmed 5-line orders (distinct products spread over the 1,000, 1–3 units a line,
made and confirmed through the services, so every line holds its reservation); one confirmed
1,000-line order (every product once, 1–4 units).
Measured:
* ``notes/s`` — for each prepared order: ``create_note`` of everything reserved (lock the order,
  the lines' shipped / on-note / reserved figures, number, lines, audit), ``start_picking``,
  ``pack`` (one parcel, the carrier, a tracking number) and ``ship`` (the 5 stock rows locked in id
  order and changed by one conditional UPDATE, 5 shipment moves, the reservations consumed, cost of
  goods, the order's shipped quantities and fulfilment, the timeline's first event, audit) — on 1
  thread over N orders and on 8 threads (each its own connection) over the other N; the rate counts
  notes shipped per second. A transaction failing with OperationalError (SQLite "database is
  locked", a PostgreSQL deadlock) would be retried and shown as ``retries=K``.
* ``1000-line note`` — the large order's note: create, pick, pack and ship timed one by one;
  target: the four together under 1 s (the order-to-cash budget of DESIGN.md is about a second
  per step for a 1,000-line document).
Checked: every note shipped and every order fully shipped; on hand went down by exactly what the
orders wanted and nothing stays reserved for them; one shipment move per line;
``stock_discrepancies()`` (``kaidan check_stock``) and ``shipping_discrepancies()``
(``kaidan check_shipping``) empty.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from decimal import Decimal

from bench.common import Result, run_threads

NAME = "shipping"
DEFAULT_N = 100  # orders per run (5 lines each), one run on 1 thread and one on 8
THREADS = (1, 8)
LINES = 5
PRODUCTS = 1_000
BIG = 1_000
ON_HAND = Decimal(100_000)
MAX_RETRIES = 100  # per thread
TARGET_BIG_SECONDS = 1.0


def _setup(n_orders: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from kaidan.catalog.models import Category, Product, Unit
    from kaidan.inventory import services as stock_services
    from kaidan.inventory.models import Warehouse
    from kaidan.parties.models import Customer
    from kaidan.sales import services, transitions
    from kaidan.shipping import carriers

    warehouse = Warehouse.objects.create(code="WH-SHIP", name="发货基准仓")
    unit = Unit.objects.filter(allow_fraction=False).first()
    category = Category.objects.create(code="SHP", name="发货测试")
    Product.objects.bulk_create(
        Product(sku=f"S{i:06d}", name=f"发货商品{i}", unit=unit, category=category,
                list_price=Decimal(20 + i % 300), standard_cost=Decimal(10 + i % 200) + Decimal("0.3333"),
                vat_rate=Decimal("0.13"))
        for i in range(PRODUCTS))
    products = list(Product.objects.filter(category=category).order_by("pk"))
    keeper = get_user_model().objects.create_user("bench-shipper", password="bench-ship-1")
    keeper.groups.add(Group.objects.get(name="warehouse"))
    stock_services.post_receipt(actor=keeper, data={
        "warehouse_id": warehouse.pk, "supplier": "基准供应商",
        "lines": [{"product_id": p.pk, "quantity": str(ON_HAND)} for p in products]})
    seller = get_user_model().objects.create_user("bench-ship-seller", password="bench-orders-1")
    seller.groups.add(Group.objects.get(name="sales"))
    customers = Customer.objects.bulk_create(Customer(code=f"S{i:04d}", name=f"发货客户{i}", owner=seller)
                                             for i in range(20))
    carrier = carriers.create_carrier(actor=keeper, data={"code": "SF", "name": "顺丰速运",
                                                          "tracking_url": "https://www.sf-express.com/{number}"})

    def confirmed(lines: list[dict], customer) -> int:
        order = services.create_document(actor=seller, data={"customer_id": customer.pk,
                                                              "warehouse_id": warehouse.pk}, lines=lines)
        return transitions.submit_order(actor=seller, order_id=order.pk).pk

    orders = [confirmed([{"product_id": products[(i * 7 + k * 101) % PRODUCTS].pk, "quantity": str(1 + (i + k) % 3)}
                         for k in range(LINES)], customers[i % 20]) for i in range(n_orders)]
    big = confirmed([{"product_id": p.pk, "quantity": str(1 + i % 4)} for i, p in enumerate(products)], customers[0])
    return keeper, carrier, orders, big


def _ship_order(keeper, carrier, order_id: int, timings: dict[str, float]) -> None:
    from kaidan.shipping import services

    t0 = time.perf_counter()
    note = services.create_note(actor=keeper, data={"order_id": order_id})
    t1 = time.perf_counter()
    services.start_picking(actor=keeper, note_id=note.pk)
    services.pack(actor=keeper, note_id=note.pk, data={"parcel_count": 1, "carrier_id": carrier.pk,
                                                       "tracking_numbers": [f"SF{note.pk:010d}"]})
    t2 = time.perf_counter()
    services.ship(actor=keeper, note_id=note.pk)
    t3 = time.perf_counter()
    timings["create"] += t1 - t0
    timings["pick+pack"] += t2 - t1
    timings["ship"] += t3 - t2


def _problems(order_ids: list[int], moves_expected: int) -> list[str]:
    from django.db.models import Sum

    from kaidan.inventory.models import Reservation, StockLevel, StockMove
    from kaidan.inventory.selectors import stock_discrepancies
    from kaidan.sales.models import SalesOrder, SalesOrderLine
    from kaidan.shipping.checks import shipping_discrepancies
    from kaidan.shipping.models import DeliveryNote

    problems = []
    shipped = SalesOrder.objects.filter(pk__in=order_ids, fulfilment_status="shipped").count()
    if shipped != len(order_ids):
        problems.append(f"{len(order_ids) - shipped} orders not fully shipped")
    notes = DeliveryNote.objects.filter(order_id__in=order_ids)
    if notes.exclude(status="shipped").exists() or notes.count() != len(order_ids):
        problems.append(f"{notes.count()} notes, {notes.exclude(status='shipped').count()} not shipped")
    moves = StockMove.objects.filter(kind="shipment", reference__in=notes.values("number")).count()
    if moves != moves_expected:
        problems.append(f"{moves} shipment moves, {moves_expected} lines")
    if Reservation.objects.filter(order_id__in=order_ids, status="open").exists():
        problems.append("reservations left open")
    wanted = SalesOrderLine.objects.filter(order_id__in=order_ids).aggregate(total=Sum("quantity"))["total"]
    gone = -(StockMove.objects.filter(kind="shipment", reference__in=notes.values("number"))
             .aggregate(total=Sum("quantity"))["total"] or 0)
    if gone != wanted:
        problems.append(f"{gone} left the warehouse, orders wanted {wanted}")
    if StockLevel.objects.filter(on_hand__gt=ON_HAND).exists():
        problems.append("on hand above what was received")
    return problems + stock_discrepancies()[:3] + shipping_discrepancies()[:3]


def _note_runs(keeper, carrier, orders: list[int], n: int) -> Iterator[Result]:
    from django.db import OperationalError

    for run_index, threads in enumerate(THREADS):
        batch = orders[run_index * n:(run_index + 1) * n]
        todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        for order_id in batch:
            todo.put(order_id)

        def work(count: int, todo: queue.SimpleQueue[int] = todo) -> tuple[int, dict[str, float]]:
            retries, timings = 0, {"create": 0.0, "pick+pack": 0.0, "ship": 0.0}
            for _ in range(count):
                order_id = todo.get_nowait()
                while True:
                    try:
                        _ship_order(keeper, carrier, order_id, timings)
                        break
                    except OperationalError:
                        retries += 1
                        if retries > MAX_RETRIES:
                            raise
            return retries, timings

        per_thread, seconds = run_threads(threads, n, work)
        retries = sum(r for r, _t in per_thread)
        split = {k: sum(t[k] for _r, t in per_thread) * 1000 / n for k in ("create", "pick+pack", "ship")}
        problems = _problems(batch, LINES * n)
        note = "; ".join(x for x in (f"retries={retries}" if retries else "", *problems) if x)
        if not note:
            note = ", ".join(f"{k} {v:.0f} ms" for k, v in split.items()) + " per note" + (
                " (thread time)" if threads > 1 else "")
        yield Result({"threads": threads, "notes": n, "lines": LINES}, "notes/s", n / seconds, not problems, seconds,
                     note)


def _big_note(keeper, carrier, order_id: int) -> Result:
    from kaidan.shipping import services

    timings = {}
    began = time.perf_counter()
    note = services.create_note(actor=keeper, data={"order_id": order_id})
    timings["create"] = time.perf_counter() - began
    t = time.perf_counter()
    services.start_picking(actor=keeper, note_id=note.pk)
    timings["pick"] = time.perf_counter() - t
    t = time.perf_counter()
    services.pack(actor=keeper, note_id=note.pk, data={"parcel_count": 40, "weight_kg": "812.5",
                                                       "carrier_id": carrier.pk, "tracking_numbers": "SF9000000001"})
    timings["pack"] = time.perf_counter() - t
    t = time.perf_counter()
    services.ship(actor=keeper, note_id=note.pk)
    timings["ship"] = time.perf_counter() - t
    seconds = time.perf_counter() - began
    problems = _problems([order_id], BIG)
    ok = not problems and seconds < TARGET_BIG_SECONDS
    note_text = "; ".join(problems) or (", ".join(f"{k} {v * 1000:.0f} ms" for k, v in timings.items())
                                        + f"; target < {TARGET_BIG_SECONDS * 1000:.0f} ms")
    return Result({"lines": BIG}, "notes/s", 1 / seconds, ok, seconds, note_text)


def run(n: int, backend: str) -> Iterator[Result]:
    keeper, carrier, orders, big = _setup(n * len(THREADS))
    yield from _note_runs(keeper, carrier, orders, n)
    yield _big_note(keeper, carrier, big)
