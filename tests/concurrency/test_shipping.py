"""Shipping under real concurrency on PostgreSQL: every write to a delivery note locks its order
first, then the note, then the stock rows in ascending id, so warehouse users working on one order
take turns and orders sharing products queue on the stock rows. Whatever the interleaving: an order
line is never put on notes beyond what was ordered; a note ships once (the second attempt hears
409); stock on hand and reserved stay equal to the moves and the open reservations; a salesperson
cancelling an order while the warehouse works on it either wins cleanly or is refused cleanly; and
nobody deadlocks. Orders and notes are prepared in the main thread; the threads only act."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db.models import Sum

from kaidan.core.errors import Conflict, InvalidTransition, StaleEdit
from kaidan.core.roles import Role
from kaidan.inventory.models import Reservation, StockMove
from kaidan.sales import transitions
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import FulfilmentStatus
from kaidan.sales.states import Status as OrderStatus
from kaidan.shipping import services
from kaidan.shipping.checks import shipping_discrepancies
from kaidan.shipping.models import DeliveryLine, DeliveryNote
from kaidan.shipping.states import OPEN, Status
from tests.catalog.factories import make_product
from tests.concurrency.test_reservations import assert_stock_consistent, run_at_once, split, unexpected
from tests.inventory.factories import default_warehouse, receive_stock, stock_of
from tests.parties.factories import make_customer
from tests.sales.factories import make_order, submit
from tests.shipping.factories import packed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ORDERS = 8


@pytest.fixture
def people(make_user):
    default_warehouse()
    seller = make_user(Role.SALES)
    return {"seller": seller, "customer": make_customer(seller),
            "keepers": [make_user(Role.WAREHOUSE), make_user(Role.WAREHOUSE)]}


def product(name: str, on_hand: int, cost: str = "10.00"):
    item = make_product(name=f"并发发货{name}", list_price=D("20.00"), standard_cost=D(cost))
    receive_stock(item, on_hand)
    return item


def confirmed(people, count: int, lines, **header) -> list[SalesOrder]:
    seller, customer = people["seller"], people["customer"]
    orders = []
    for i in range(count):
        order = make_order(seller, customer, lines=lines(i) if callable(lines) else lines,
                           warehouse_id=default_warehouse().pk, **header)
        orders.append(submit(seller, order, stocked=False))
    return orders


def whole(order):
    return [{"order_line_id": line.pk, "quantity": str(line.quantity)} for line in order.lines.order_by("position")]


def creating(keeper, order, lines=None):
    data = {"order_id": order.pk, **({"lines": lines} if lines is not None else {})}
    return lambda: services.create_note(actor=keeper, data=data)


def shipping(keeper, note, version=None):
    return lambda: services.ship(actor=keeper, note_id=note.pk, version=version)


def on_notes(order) -> dict[int, D]:
    """Per order line: Σ on its notes that are not cancelled."""
    return {row["order_line_id"]: row["total"] for row in
            DeliveryLine.objects.filter(note__order=order).exclude(note__status=Status.CANCELLED)
            .values("order_line_id").annotate(total=Sum("quantity"))}


def assert_shipping_consistent(orders) -> None:
    """Per order: Σ notes ≤ ordered per line; shipped quantities = Σ shipped notes; one move per
    shipped stocked line; fulfilment follows the lines (and ``kaidan check_shipping`` agrees)."""
    assert shipping_discrepancies() == []
    for order in orders:
        order.refresh_from_db()
        lines = list(order.lines.all())
        totals = on_notes(order)
        for line in lines:
            assert totals.get(line.pk, D(0)) <= line.quantity, (order.number, line.position)
            shipped = (DeliveryLine.objects.filter(order_line=line, note__status__in=["shipped", "in_transit",
                                                                                      "delivered", "exception"])
                       .aggregate(total=Sum("quantity"))["total"] or D(0))
            assert line.shipped_quantity == shipped
        for note in order.delivery_notes.exclude(status__in=[*OPEN, Status.CANCELLED]):
            assert StockMove.objects.filter(reference=note.number).count() == note.lines.count()
        expected = (FulfilmentStatus.SHIPPED if all(x.shipped_quantity == x.quantity for x in lines) else
                    FulfilmentStatus.NOT_SHIPPED if all(x.shipped_quantity == 0 for x in lines) else
                    FulfilmentStatus.PARTLY_SHIPPED)
        assert order.fulfilment_status == expected, order.number


# -- 1. two users making notes of the same lines at once -------------------------------------------------------

@pytest.mark.parametrize("how", ["whole", "chosen"])
def test_two_keepers_making_notes_of_the_same_lines_at_once_never_put_them_on_two_notes(people, how):
    widget, gadget = product("A", 100), product("B", 100)
    orders = confirmed(people, ORDERS, [(widget, 3), (gadget, 2)])
    first, second = people["keepers"]

    works = []
    for order in orders:
        lines = None if how == "whole" else whole(order)
        works += [creating(first, order, lines), creating(second, order, lines)]
    outcomes = run_at_once(works)

    done, failed = split(outcomes)
    refusal = services.NothingToShip if how == "whole" else services.OverShipment
    assert unexpected(failed, refusal) == []
    assert len(done) == ORDERS and len(failed) == ORDERS
    for pair in zip(outcomes[::2], outcomes[1::2], strict=True):
        assert sorted(isinstance(o, DeliveryNote) for o in pair) == [False, True]  # one note per order
    for exc in failed:
        assert exc.status == 409 and exc.code == refusal.code
    for order in orders:
        assert DeliveryNote.objects.filter(order=order).count() == 1
        assert on_notes(order) == {line.pk: line.quantity for line in order.lines.all()}
    assert stock_of(widget) == (100, 3 * ORDERS) and stock_of(gadget) == (100, 2 * ORDERS)
    assert_stock_consistent(widget, gadget)


def test_two_keepers_splitting_a_line_at_once_never_exceed_it(people):
    widget = product("C", 100)
    orders = confirmed(people, ORDERS, [(widget, 5)])
    first, second = people["keepers"]

    works = []
    for order in orders:
        line = order.lines.get()
        works += [creating(first, order, [{"order_line_id": line.pk, "quantity": "3"}]),
                  creating(second, order, [{"order_line_id": line.pk, "quantity": "4"}])]
    outcomes = run_at_once(works)

    done, failed = split(outcomes)
    assert unexpected(failed, services.OverShipment) == []
    assert len(done) == ORDERS  # 3 + 4 > 5: whoever comes second is refused
    for order in orders:
        assert sum(on_notes(order).values()) in (D(3), D(4))


# -- 2. shipping notes of one order at once ---------------------------------------------------------------------

def test_two_keepers_shipping_two_notes_of_one_order_at_once_both_ship_and_stock_is_exact(people):
    widget, gadget = product("D", 50, "12.5000"), product("E", 50, "0.3333")
    orders = confirmed(people, ORDERS, [(widget, 4), (gadget, 3)])
    first, second = people["keepers"]
    pairs = []
    for order in orders:
        widget_line, gadget_line = order.lines.order_by("position")
        a = services.create_note(actor=first, data={"order_id": order.pk, "lines": [
            {"order_line_id": widget_line.pk, "quantity": "1"}, {"order_line_id": gadget_line.pk, "quantity": "3"}]})
        b = services.create_note(actor=first, data={"order_id": order.pk})  # the other 3 widgets
        pairs.append((packed(first, a), packed(second, b)))

    outcomes = run_at_once([work for a, b in pairs for work in (shipping(first, a), shipping(second, b))])

    done, failed = split(outcomes)
    assert failed == [], failed
    assert all(note.status == Status.SHIPPED for note in done)
    assert stock_of(widget) == (50 - 4 * ORDERS, 0) and stock_of(gadget) == (50 - 3 * ORDERS, 0)
    for order in orders:
        order.refresh_from_db()
        assert order.fulfilment_status == FulfilmentStatus.SHIPPED
        assert not Reservation.objects.filter(order_id=order.pk, status=Reservation.Status.OPEN).exists()
    # the ledger: one move per shipped line, on hand after each move consistent with the moves before it
    moves = list(StockMove.objects.filter(product=widget).order_by("id").values_list("quantity", "on_hand_after"))
    running = D(0)
    for quantity, after in moves:
        running += quantity
        assert after == running
    assert_stock_consistent(widget, gadget)
    assert_shipping_consistent(orders)
    costs = DeliveryNote.objects.filter(order__in=orders).aggregate(total=Sum("cost_amount"))["total"]
    assert costs == ORDERS * (D("50.00") + D("1.00"))  # 4 × 12.5; 3 × 0.3333 = 0.9999 → 1.00


@pytest.mark.parametrize("with_version", [False, True], ids=["no-version", "same-version"])
def test_the_same_note_shipped_twice_at_once_ships_once(people, with_version):
    widget = product("F", 40)
    orders = confirmed(people, ORDERS, [(widget, 3)])
    first, second = people["keepers"]
    notes = [packed(first, services.create_note(actor=first, data={"order_id": o.pk})) for o in orders]

    works = []
    for note in notes:
        version = note.version if with_version else None
        works += [shipping(first, note, version), shipping(second, note, version)]
    outcomes = run_at_once(works)

    done, failed = split(outcomes)
    second_try = StaleEdit if with_version else InvalidTransition
    assert unexpected(failed, second_try) == []
    assert len(done) == ORDERS and len(failed) == ORDERS
    assert all(exc.status == 409 for exc in failed)
    for note in notes:
        assert StockMove.objects.filter(reference=note.number).count() == 1
    assert stock_of(widget) == (40 - 3 * ORDERS, 0)
    assert_stock_consistent(widget)
    assert_shipping_consistent(orders)


# -- 3. the salesperson cancelling while the warehouse works ------------------------------------------------------

def cancelling(people, order):
    return lambda: transitions.cancel_document(actor=people["seller"], order_id=order.pk, reason="客户取消")


def test_shipping_while_the_salesperson_cancels_the_order_ships_and_the_cancel_is_refused(people):
    widget = product("G", 40)
    orders = confirmed(people, ORDERS, [(widget, 2)])
    keeper = people["keepers"][0]
    notes = [packed(keeper, services.create_note(actor=keeper, data={"order_id": o.pk})) for o in orders]

    works = []
    for order, note in zip(orders, notes, strict=True):
        works += [shipping(keeper, note), cancelling(people, order)]
    outcomes = run_at_once(works)

    ships, cancels = outcomes[::2], outcomes[1::2]
    assert all(isinstance(o, DeliveryNote) and o.status == Status.SHIPPED for o in ships), ships
    # before the ship the note was still in the warehouse; after it, goods had gone: refused either way
    assert all(isinstance(o, Conflict) and o.status == 409 for o in cancels), cancels
    for order in orders:
        order.refresh_from_db()
        assert (order.status, order.fulfilment_status) == (OrderStatus.CONFIRMED, FulfilmentStatus.SHIPPED)
    assert stock_of(widget) == (40 - 2 * ORDERS, 0)
    assert_stock_consistent(widget)
    assert_shipping_consistent(orders)


def test_a_new_note_racing_a_cancellation_one_wins_cleanly(people):
    widget = product("H", 40)
    orders = confirmed(people, 2 * ORDERS, [(widget, 2)])
    keeper = people["keepers"][0]

    works = []
    for order in orders:
        works += [creating(keeper, order), cancelling(people, order)]
    outcomes = run_at_once(works)

    for order, (note, cancel) in zip(orders, zip(outcomes[::2], outcomes[1::2], strict=True), strict=True):
        order.refresh_from_db()
        if isinstance(note, DeliveryNote):  # the note came first: the order keeps its stock and its note
            assert isinstance(cancel, Conflict) and cancel.detail == {"delivery_notes": [note.number]}
            assert order.status == OrderStatus.CONFIRMED
            assert Reservation.objects.get(order_id=order.pk).reserved == 2
        else:  # the cancel came first: no note, the stock is free again
            assert isinstance(note, services.OrderNotConfirmed), note
            assert isinstance(cancel, SalesOrder) and order.status == OrderStatus.CANCELLED
            assert not DeliveryNote.objects.filter(order=order).exists()
            assert not Reservation.objects.filter(order_id=order.pk, status=Reservation.Status.OPEN).exists()
    held = DeliveryNote.objects.filter(order__in=orders).count() * 2
    assert stock_of(widget) == (40, held)
    assert_stock_consistent(widget)


# -- 4. many orders of the same products at once --------------------------------------------------------------------

def test_many_orders_of_the_same_products_shipping_at_once_keep_stock_exact_without_deadlock(people):
    first, second = product("J", 200), product("K", 200)
    # lines in opposite product order on every other order: the stock rows are still locked by id
    orders = confirmed(people, 24, lambda i: [(first, 2), (second, 3)] if i % 2 else [(second, 3), (first, 2)])
    waiting = [make_order(people["seller"], people["customer"], lines=[(first, 1), (second, 1)],
                          warehouse_id=default_warehouse().pk) for _ in range(6)]
    keepers = people["keepers"]
    notes = [packed(keepers[i % 2], services.create_note(actor=keepers[i % 2], data={"order_id": o.pk}))
             for i, o in enumerate(orders)]
    assert stock_of(first) == (200, 48) and stock_of(second) == (200, 72)

    works = [shipping(keepers[i % 2], note) for i, note in enumerate(notes)]
    works += [lambda o=o: transitions.submit_order(actor=people["seller"], order_id=o.pk) for o in waiting]
    works += [lambda: receive_stock(first, 10), lambda: receive_stock(second, 10)]
    outcomes = run_at_once(works)

    done, failed = split(outcomes)
    assert failed == [], failed  # no deadlock detected, nothing refused
    assert all(note.status == Status.SHIPPED for note in outcomes[:24])
    assert all(order.status == OrderStatus.CONFIRMED for order in outcomes[24:30])
    assert stock_of(first) == (200 + 10 - 48, 6) and stock_of(second) == (200 + 10 - 72, 6)
    assert StockMove.objects.filter(kind="shipment").count() == 48
    assert_stock_consistent(first, second)
    assert_shipping_consistent(orders)
