"""Reservations under real concurrency: many threads, each on its own database connection,
confirming and cancelling orders and receiving stock at the same time. Whatever the interleaving:
nothing is oversold (0 <= reserved <= on hand), a stock row's ``reserved`` is the sum of its open
reservations, a refusal is InsufficientStock with a plain message and never a database error, no
two transactions deadlock, and stock that arrives goes to the oldest waiting backorder first.

The PostgreSQL tests race row locks (``select_for_update`` in ascending id); the SQLite test runs
on a file database with the project's settings (WAL, ``BEGIN IMMEDIATE``, busy timeout) and checks
that writers queue instead of failing with "database is locked". Orders are prepared in the main
thread; the threads only submit, cancel or receive."""

from __future__ import annotations

import contextlib
import datetime
import sqlite3
import threading
from collections.abc import Callable
from decimal import Decimal as D

import pytest
from django.db import DatabaseError, connection, connections
from django.db.models import F, Sum
from django.utils import timezone, translation

from kaidan.core.errors import InvalidTransition, StaleEdit
from kaidan.core.roles import Role
from kaidan.inventory.models import Reservation
from kaidan.inventory.reservations import InsufficientStock
from kaidan.inventory.selectors import stock_discrepancies
from kaidan.sales import transitions
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import Status
from tests.catalog.factories import make_product
from tests.inventory.factories import default_warehouse, receive_stock, stock_keeper, stock_of
from tests.parties.factories import make_customer
from tests.sales.factories import make_order, submit

pytestmark = pytest.mark.django_db(transaction=True)
postgres_only = pytest.mark.postgres
OPEN = Reservation.Status.OPEN


# -- running work on threads -----------------------------------------------------------------------

def run_at_once(works: list[Callable[[], object]], *, timeout: float = 120) -> list[object]:
    """Run each callable on its own thread (own connection, English messages), all released at
    once by a barrier; return what each returned or raised, in the order of ``works``. A thread
    still running after ``timeout`` fails the test (a hang is a deadlock the database missed)."""
    outcomes: list[object] = [None] * len(works)
    start = threading.Barrier(len(works))

    def body(index: int) -> None:
        try:
            connection.ensure_connection()
            start.wait()
            with translation.override("en"):
                outcomes[index] = works[index]()
        except BaseException as exc:  # noqa: BLE001 - sorted by the test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,), name=f"reserve-{i}") for i in range(len(works))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "threads still running: a lock wait nobody resolved"
    return outcomes


def split(outcomes: list[object]) -> tuple[list[object], list[BaseException]]:
    done = [o for o in outcomes if not isinstance(o, BaseException)]
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    return done, failed


def unexpected(failed: list[BaseException], *allowed: type[BaseException]) -> list[BaseException]:
    return [e for e in failed if not isinstance(e, allowed)]


# -- what must hold after every race ---------------------------------------------------------------------

def assert_stock_consistent(*products) -> None:
    """The invariants: the ledger and the reservations agree with every stock row, nothing is
    oversold, and no stock sits free while an order waits for it."""
    assert stock_discrepancies() == []
    for product in products:
        on_hand, reserved = stock_of(product)
        held = (Reservation.objects.filter(product=product, status=OPEN).aggregate(total=Sum("reserved"))["total"]
                or D(0))
        assert reserved == held
        assert D(0) <= reserved <= on_hand
        if Reservation.objects.filter(product=product, status=OPEN, reserved__lt=F("quantity")).exists():
            assert on_hand == reserved, f"{product.sku}: {on_hand - reserved} free while a backorder waits"


def assert_reservations_follow_orders(orders: list[SalesOrder]) -> None:
    """A confirmed order holds an open reservation per line (all of it unless it allows partial
    shipment); a draft or cancelled one holds nothing."""
    for order in orders:
        order.refresh_from_db()
        rows = list(Reservation.objects.filter(order_id=order.pk, status=OPEN))
        if order.status == Status.CONFIRMED:
            lines = {line.pk: line.quantity for line in order.lines.all()}
            assert {r.order_line_id: r.quantity for r in rows} == lines
            if not order.allow_partial_shipment:
                assert all(r.reserved == r.quantity for r in rows)
        else:
            assert rows == [], f"{order.number} is {order.status} but holds {rows}"


# -- fixtures ------------------------------------------------------------------------------------------------

@pytest.fixture
def warehouse():
    return default_warehouse()


@pytest.fixture
def sellers(make_user, warehouse):
    """Four salespeople, each with a customer of their own: (seller, customer) pairs."""
    pairs = []
    for _ in range(4):
        seller = make_user(Role.SALES)
        pairs.append((seller, make_customer(seller)))
    return pairs


def product(sku_hint: str = ""):
    return make_product(name=f"并发测试商品{sku_hint}", list_price=D("10.00"))


def drafts(sellers, count: int, lines, **header) -> list[SalesOrder]:
    """``count`` draft orders with ``lines`` ([(product, qty)] or a callable index → lines),
    spread over the salespeople."""
    orders = []
    for i in range(count):
        seller, customer = sellers[i % len(sellers)]
        order = make_order(seller, customer, lines=lines(i) if callable(lines) else lines, **header)
        order.actor = seller
        orders.append(order)
    return orders


def submitting(order: SalesOrder, *, version: bool = False) -> Callable[[], SalesOrder]:
    return lambda: transitions.submit_order(actor=order.actor, order_id=order.pk,
                                            version=order.version if version else None)


def cancelling(order: SalesOrder, *, version: int | None = None) -> Callable[[], SalesOrder]:
    return lambda: transitions.cancel_document(actor=order.actor, order_id=order.pk, reason="并发取消",
                                               version=version)


def confirmed(sellers, count: int, lines, **header) -> list[SalesOrder]:
    orders = drafts(sellers, count, lines, **header)
    for order in orders:
        submit(order.actor, order, stocked=False)
    for order in orders:
        order.refresh_from_db()
    return orders


# -- 1. many confirmations, little stock ----------------------------------------------------------------------

@postgres_only
def test_64_confirmations_against_10_on_hand_confirm_exactly_10(sellers):
    widget = product("A")
    receive_stock(widget, 10)
    orders = drafts(sellers, 64, [(widget, 1)])

    outcomes = run_at_once([submitting(order) for order in orders])

    done, failed = split(outcomes)
    assert unexpected(failed, InsufficientStock) == []
    assert len(done) == 10 and all(o.status == Status.CONFIRMED for o in done)
    assert len(failed) == 54
    for exc in failed:
        assert exc.code == "insufficient_stock" and exc.status == 409
        assert str(exc) == f"Not enough stock. {widget.sku}: 1 wanted, 0 available."
        assert exc.detail["lines"][0]["missing"] == 1 and exc.detail["lines"][0]["product_id"] == widget.pk
    assert stock_of(widget) == (10, 10)
    assert SalesOrder.objects.filter(pk__in=[o.pk for o in orders], status=Status.CONFIRMED).count() == 10
    assert SalesOrder.objects.filter(pk__in=[o.pk for o in orders], status=Status.DRAFT).count() == 54
    assert_stock_consistent(widget)
    assert_reservations_follow_orders(orders)


# -- 2. confirming and cancelling at once -----------------------------------------------------------------------

@postgres_only
def test_confirmations_and_cancellations_racing_keep_reserved_equal_to_open_reservations(sellers):
    widget = product("B")
    receive_stock(widget, 12)
    held = confirmed(sellers, 10, [(widget, 1)])  # 10 reserved, 2 free
    whole = drafts(sellers, 8, [(widget, 1)])
    partial = drafts(sellers, 8, [(widget, 2)], allow_partial_shipment=True)

    works = [cancelling(order) for order in held[:8]]
    works += [submitting(order) for order in whole + partial]
    outcomes = run_at_once(works)

    done, failed = split(outcomes)
    assert unexpected(failed, InsufficientStock) == []
    assert all(isinstance(o, SalesOrder) for o in outcomes[:8]), outcomes[:8]  # every cancel went through
    assert all(o.status == Status.CONFIRMED for o in outcomes[16:])  # partial orders always confirm
    everything = held + whole + partial
    assert_reservations_follow_orders(everything)
    assert_stock_consistent(widget)
    on_hand, reserved = stock_of(widget)
    # 12 on hand; what is asked for now: 2 left of the first orders, 1 per whole order that got in,
    # 2 per partial order (16) — more than there is, so every unit is held by someone.
    assert on_hand == 12 and reserved == 12


@postgres_only
@pytest.mark.parametrize("with_version", [False, True], ids=["no-version", "same-version"])
def test_an_order_cancelled_twice_at_once_releases_its_stock_once(sellers, with_version):
    widget = product("C")
    receive_stock(widget, 20)
    orders = confirmed(sellers, 4, [(widget, 3)])
    bystander = confirmed(sellers, 1, [(widget, 2)])[0]
    assert stock_of(widget) == (20, 14)

    for round_, order in enumerate(orders, start=1):
        version = order.version if with_version else None
        outcomes = run_at_once([cancelling(order, version=version), cancelling(order, version=version)])

        done, failed = split(outcomes)
        assert len(done) == 1 and done[0].status == Status.CANCELLED
        assert len(failed) == 1 and isinstance(failed[0], StaleEdit if with_version else InvalidTransition), failed
        assert stock_of(widget) == (20, 14 - 3 * round_)
        assert_stock_consistent(widget)
    assert_reservations_follow_orders([*orders, bystander])


# -- 3. lines in opposite order ---------------------------------------------------------------------------------

@postgres_only
def test_two_line_orders_in_opposite_product_order_do_not_deadlock(sellers):
    first, second = product("D"), product("E")
    receive_stock(first, 40)
    receive_stock(second, 40)
    orders = drafts(sellers, 32, lambda i: [(first, 1), (second, 1)] if i % 2 else [(second, 1), (first, 1)])

    outcomes = run_at_once([(lambda pair=pair: [submitting(o)() for o in pair])
                            for pair in zip(orders[::2], orders[1::2], strict=True)])  # 16 threads, 2 each

    done, failed = split(outcomes)
    assert failed == [], failed  # no OperationalError / "deadlock detected", nothing refused
    assert all(o.status == Status.CONFIRMED for pair in done for o in pair) and len(done) == 16
    assert stock_of(first) == (40, 32) and stock_of(second) == (40, 32)
    assert_stock_consistent(first, second)
    assert_reservations_follow_orders(orders)


# -- 4. a receipt while backorders wait ---------------------------------------------------------------------------

@postgres_only
def test_receipts_fill_waiting_backorders_oldest_first_while_new_orders_confirm(sellers):
    widget = product("F")
    receive_stock(widget, 4)
    stock_keeper()  # the receiving user exists before the threads start
    today = timezone.localdate()
    waiting = []  # six older orders of 3 with partial shipment: 3 + 1 held, 14 backordered
    for days_ago in (10, 9, 8, 7, 6, 5):
        order = drafts(sellers, 1, [(widget, 3)], allow_partial_shipment=True,
                       order_date=(today - datetime.timedelta(days=days_ago)).isoformat())[0]
        waiting.append(submit(order.actor, order, stocked=False))
    assert [r.reserved for r in Reservation.objects.filter(product=widget).order_by("order_date")] == [3, 1, 0, 0, 0, 0]
    new_whole = drafts(sellers, 4, [(widget, 1)])
    new_partial = drafts(sellers, 4, [(widget, 1)], allow_partial_shipment=True)

    works = [lambda: receive_stock(widget, 8), lambda: receive_stock(widget, 8)]
    works += [submitting(order) for order in new_whole + new_partial]
    outcomes = run_at_once(works)

    done, failed = split(outcomes)
    assert unexpected(failed, InsufficientStock) == []
    # Whatever the interleaving, the 16 received go first to the older orders (14 missing), so
    # every one of them is complete; the new orders share the 2 left.
    for order in waiting:
        assert [r.reserved for r in Reservation.objects.filter(order_id=order.pk, status=OPEN)] == [3], order.number
    on_hand, reserved = stock_of(widget)
    assert on_hand == 20
    new_held = (Reservation.objects.filter(order_id__in=[o.pk for o in new_whole + new_partial], status=OPEN)
                .aggregate(total=Sum("reserved"))["total"])
    assert new_held == 2 and reserved == 20
    backorders = list(Reservation.objects.filter(order_id__in=[o.pk for o in new_partial], status=OPEN)
                      .order_by("order_id"))
    assert len(backorders) == 4
    assert_stock_consistent(widget)
    assert_reservations_follow_orders(waiting + new_whole + new_partial)


# -- shortages of overlapping products: replenishment requests written at once -----------------------------------
# Each order wants two neighbouring products of a chain; every other product already has an open
# replenishment request, the rest have none, and none was ever in stock. A transaction that grows
# one request and creates another must not wait in a circle with one doing the same the other way.

def chain_of_shortages(sellers, *, partial: bool) -> tuple[list, list[SalesOrder]]:
    from kaidan.inventory import replenishment_services

    chain = [product(f"K{i}") for i in range(9)]
    for item in chain[1::2]:
        replenishment_services.create_request(actor=sellers[0][0], data={
            "product_id": item.pk, "warehouse_id": default_warehouse().pk, "quantity": "1"})
    orders = drafts(sellers, 8, lambda i: [(chain[i], 1), (chain[i + 1], 1)], allow_partial_shipment=partial)
    return chain, orders


def assert_one_open_request_each(chain) -> None:
    from kaidan.inventory.models import ReplenishmentRequest

    counts = [ReplenishmentRequest.objects.filter(product=p, status=ReplenishmentRequest.Status.OPEN).count()
              for p in chain]
    assert counts == [1] * len(chain)


@postgres_only
def test_partial_orders_backordering_overlapping_unstocked_products_do_not_deadlock(sellers):
    for _round in range(3):
        chain, orders = chain_of_shortages(sellers, partial=True)

        outcomes = run_at_once([submitting(order) for order in orders])

        assert [o for o in outcomes if isinstance(o, BaseException)] == []  # no "deadlock detected"
        assert all(o.status == Status.CONFIRMED for o in outcomes)
        assert_one_open_request_each(chain)
        assert_stock_consistent(*chain)
        assert_reservations_follow_orders(orders)


@postgres_only
def test_orders_refused_for_overlapping_products_ask_purchasing_without_deadlock(sellers):
    for _round in range(3):
        chain, orders = chain_of_shortages(sellers, partial=False)

        outcomes = run_at_once([submitting(order) for order in orders])

        assert unexpected([o for o in outcomes if isinstance(o, BaseException)], InsufficientStock) == []
        assert all(isinstance(o, InsufficientStock) for o in outcomes)
        assert_one_open_request_each(chain)


@postgres_only
def test_receiving_a_request_while_a_partial_order_of_its_product_confirms_does_not_deadlock(sellers):
    from kaidan.inventory import replenishment_services
    from kaidan.inventory.models import ReplenishmentRequest

    keeper = stock_keeper()
    items = [product(f"Q{i}") for i in range(6)]
    for item in items:
        receive_stock(item, 1)
        first = drafts(sellers, 1, [(item, 3)], allow_partial_shipment=True)[0]
        submit(first.actor, first, stocked=False)  # holds 1, waits for 2: an open request asks for them
    requests = [ReplenishmentRequest.objects.get(product=item, status=ReplenishmentRequest.Status.OPEN)
                for item in items]
    later = drafts(sellers, 6, lambda i: [(items[i], 2)], allow_partial_shipment=True)

    works = [(lambda r=r: replenishment_services.receive_request(actor=keeper, request_id=r.pk)) for r in requests]
    works += [submitting(order) for order in later]
    outcomes = run_at_once(works)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert_stock_consistent(*items)


# -- 5. SQLite: writers queue, nobody sees "database is locked" ------------------------------------------------------

@contextlib.contextmanager
def sqlite_file_copy(path):
    """Point every new connection at a file copy of the (migrated, in-memory) test database, so
    the project's SQLite settings apply as in production: WAL, BEGIN IMMEDIATE, a busy timeout.
    The main thread's in-memory connection stays open and untouched (closing it would drop that
    database); work on the copy runs on threads, which connect afresh."""
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    settings_dict = connections.settings["default"]  # the dict every thread's connection is made from
    assert settings_dict is connection.settings_dict
    original = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        settings_dict["NAME"] = original


def on_own_connection(work: Callable[[], object]) -> object:
    """Run ``work`` on a thread with a connection of its own; return its result or re-raise."""
    [outcome] = run_at_once([work])
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def test_sqlite_8_threads_confirming_at_once_queue_without_database_is_locked(sellers, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only (PostgreSQL races row locks in the tests above)")
    products = [product(f"S{i}") for i in range(3)]
    for item in products:
        receive_stock(item, 20)
    # 48 two-line orders over three products wanting 120 units of the 60 on hand: many are refused.
    orders = drafts(sellers, 48, lambda i: [(products[i % 3], 1 + i % 2), (products[(i + 1) % 3], 1)])

    with sqlite_file_copy(tmp_path / "concurrency.sqlite3"):
        outcomes = run_at_once([(lambda share=orders[t::8]: [_outcome(submitting(o)) for o in share])
                                for t in range(8)])

        errors = [o for o in outcomes if isinstance(o, BaseException)]
        assert errors == []
        results = [r for share in outcomes for r in share]
        assert [r for r in results if isinstance(r, DatabaseError)] == []  # "database is locked" included
        assert unexpected([r for r in results if isinstance(r, BaseException)], InsufficientStock) == []
        confirmed_count = sum(isinstance(r, SalesOrder) for r in results)
        assert 0 < confirmed_count <= 30  # 2 or 3 units each, 60 units
        refused = [o for o, r in zip([o for t in range(8) for o in orders[t::8]], results, strict=True)
                   if isinstance(r, InsufficientStock)]

        def check():
            assert_stock_consistent(*products)
            assert_reservations_follow_orders(orders)
            assert SalesOrder.objects.filter(pk__in=[o.pk for o in orders],
                                             status=Status.CONFIRMED).count() == confirmed_count
            assert sum(stock_of(p)[1] for p in products) == sum(
                (line.quantity for o in orders for line in o.lines.all() if o.status == Status.CONFIRMED), D(0))
            # Stock only went down, so an order refused then is still short now: none was refused wrongly.
            free = {p.pk: stock_of(p)[0] - stock_of(p)[1] for p in products}
            for order in refused:
                assert any(line.quantity > free[line.product_id] for line in order.lines.all()), order.number

        on_own_connection(check)
    # The race ran on the file: the in-memory database the main thread holds still has only drafts.
    assert SalesOrder.objects.filter(pk__in=[o.pk for o in orders], status=Status.DRAFT).count() == 48


def _outcome(work: Callable[[], object]) -> object:
    try:
        return work()
    except Exception as exc:  # noqa: BLE001 - the test sorts them
        return exc
