"""How far an order has shipped: one idempotent function (``shipping.fulfilment.recompute``) sets each
line's shipped quantity and the order's sub-state from its shipped notes. Unit tests of the pure
rule, of recompute (again = nothing written) and of the order's shipping state; then a property:
whatever sequence of creating, shipping and cancelling notes and receiving stock, the quantities,
the stock ledger and the reservations agree."""

from decimal import Decimal as D

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import translation
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kaidan.core.errors import InvalidTransition
from kaidan.core.models import AuditEvent
from kaidan.inventory.models import Reservation, StockLevel, StockMove
from kaidan.inventory.selectors import stock_discrepancies
from kaidan.sales.fulfilment import status_of
from kaidan.sales.models import SalesOrder, SalesOrderLine
from kaidan.sales.states import FulfilmentStatus
from kaidan.shipping import fulfilment, selectors, services, states
from kaidan.shipping.checks import shipping_discrepancies
from kaidan.shipping.models import DeliveryLine, DeliveryNote
from tests.catalog.factories import make_product
from tests.inventory.factories import receive_stock
from tests.shipping.factories import confirmed_order, line_of, make_note, packed, shipped, shipped_quantities

pytestmark = pytest.mark.django_db
NOT, PARTLY, ALL = FulfilmentStatus.NOT_SHIPPED, FulfilmentStatus.PARTLY_SHIPPED, FulfilmentStatus.SHIPPED


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


class TestTheRule:
    @pytest.mark.parametrize(("lines", "expected"), [
        ([], NOT),
        ([(D(5), D(0))], NOT),
        ([(D(5), D(0)), (D(1), D(0))], NOT),
        ([(D(5), D(1))], PARTLY),
        ([(D(5), D(5)), (D(1), D(0))], PARTLY),
        ([(D("0.5"), D("0.4999"))], PARTLY),
        ([(D(5), D(5))], ALL),
        ([(D(5), D(5)), (D("0.001"), D("0.001"))], ALL),
    ])
    def test_not_partly_or_fully_shipped(self, lines, expected):
        assert status_of(lines) == expected


def fulfilment_events(order):
    return AuditEvent.objects.filter(object_type="sales.salesorder", object_id=str(order.pk),
                                     action="fulfilment_changed").count()


class TestRecompute:
    def test_the_sub_state_follows_the_notes_and_a_second_call_writes_nothing(self, seller, keeper, customer,
                                                                              laptop, mouse, warehouse):
        order = confirmed_order(seller, customer, [(laptop, 3), (mouse, 2)], warehouse_id=warehouse.pk)
        assert order.fulfilment_status == NOT
        shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 1}))
        order.refresh_from_db()
        assert order.fulfilment_status == PARTLY and shipped_quantities(order) == [(1, D(1)), (2, D(0))]
        shipped(keeper, make_note(keeper, order))
        order.refresh_from_db()
        assert order.fulfilment_status == ALL and shipped_quantities(order) == [(1, D(3)), (2, D(2))]
        assert fulfilment_events(order) == 2
        # when it runs again (a repair command, a retry after a crash)
        events = AuditEvent.objects.count()
        with transaction.atomic():
            locked = SalesOrder.objects.select_for_update().get(pk=order.pk)
            assert fulfilment.recompute(locked, actor=keeper) is False
            assert fulfilment.recompute(locked, actor=keeper) is False
        # then nothing changed and nothing was written
        assert AuditEvent.objects.count() == events
        order.refresh_from_db()
        assert order.fulfilment_status == ALL and shipped_quantities(order) == [(1, D(3)), (2, D(2))]

    def test_a_line_set_wrong_by_hand_is_put_right_once(self, seller, keeper, customer, laptop, warehouse):
        order = confirmed_order(seller, customer, [(laptop, 3)], warehouse_id=warehouse.pk)
        shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 2}))
        SalesOrderLine.objects.filter(order=order).update(shipped_quantity=D(3))
        SalesOrder.objects.filter(pk=order.pk).update(fulfilment_status=ALL)
        order.refresh_from_db()
        assert fulfilment.recompute(order) is True
        order.refresh_from_db()
        assert order.fulfilment_status == PARTLY and shipped_quantities(order) == [(1, D(2))]
        assert fulfilment.recompute(order) is False

    def test_open_and_cancelled_notes_do_not_count_as_shipped(self, seller, keeper, customer, laptop, warehouse):
        order = confirmed_order(seller, customer, [(laptop, 3)], warehouse_id=warehouse.pk)
        packed(keeper, make_note(keeper, order, {line_of(order, laptop): 1}))
        services.cancel(actor=keeper, note_id=make_note(keeper, order, {line_of(order, laptop): 1}).pk)
        assert fulfilment.recompute(order) is False
        order.refresh_from_db()
        assert order.fulfilment_status == NOT and shipped_quantities(order) == [(1, D(0))]

    def test_delivered_and_exception_notes_count_as_shipped(self, seller, keeper, customer, laptop, warehouse):
        from kaidan.shipping import tracking

        order = confirmed_order(seller, customer, [(laptop, 3)], warehouse_id=warehouse.pk)
        first = shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 1}))
        second = shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 2}))
        tracking.add_event(actor=keeper, note_id=first.pk, data={"kind": "delivered", "signed_by": "王芳"})
        tracking.add_event(actor=keeper, note_id=second.pk, data={"kind": "exception", "exception_reason": "lost"})
        order.refresh_from_db()
        assert order.fulfilment_status == ALL
        assert fulfilment.recompute(order) is False

    def test_a_stale_copy_of_the_order_neither_rewrites_nor_audits(self, seller, keeper, customer, laptop,
                                                                  warehouse):
        order = confirmed_order(seller, customer, [(laptop, 3)], warehouse_id=warehouse.pk)
        stale = SalesOrder.objects.get(pk=order.pk)  # read before anything shipped: "not shipped"
        shipped(keeper, make_note(keeper, order))
        events = AuditEvent.objects.count()
        assert fulfilment.recompute(stale) is False
        assert AuditEvent.objects.count() == events and fulfilment_events(order) == 1
        assert stale.fulfilment_status == ALL

    def test_open_note_numbers_are_those_still_in_the_warehouse(self, seller, keeper, customer, laptop, warehouse):
        order = confirmed_order(seller, customer, [(laptop, 4)], warehouse_id=warehouse.pk)
        line = line_of(order, laptop)
        draft = make_note(keeper, order, {line: 1})
        ready = packed(keeper, make_note(keeper, order, {line: 1}))
        shipped(keeper, make_note(keeper, order, {line: 1}))
        services.cancel(actor=keeper, note_id=make_note(keeper, order, {line: 1}).pk)
        assert fulfilment.open_note_numbers(order) == [draft.number, ready.number]


class TestOrderShipping:
    def test_per_line_ordered_shipped_on_notes_reserved_and_remaining(self, seller, keeper, customer, laptop,
                                                                     installation, warehouse):
        printer = make_product(name="激光打印机")
        receive_stock(printer, 2, warehouse)
        order = confirmed_order(seller, customer, [(laptop, 5), (printer, 4), (installation, 1)],
                                warehouse_id=warehouse.pk, stocked=False, allow_partial_shipment=True)
        shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 2}))
        make_note(keeper, order, {line_of(order, laptop): 1, line_of(order, printer): 1})
        view = selectors.order_shipping(order)
        rows = [(s.line.position, s.line.quantity, s.line.shipped_quantity, s.on_notes, s.reserved, s.remaining,
                 s.free_reserved, s.shippable) for s in view.lines]
        assert rows == [
            (1, D(5), D(2), D(1), D(3), D(2), D(2), D(2)),
            (2, D(4), D(0), D(1), D(2), D(3), D(1), D(1)),
            (3, D(1), D(0), D(0), D(0), D(1), D(0), D(1)),  # a service: everything left can go
        ]
        assert view.can_create_note and len(view.notes) == 2

    def test_nothing_to_create_once_everything_is_on_notes(self, seller, keeper, customer, laptop, warehouse):
        order = confirmed_order(seller, customer, [(laptop, 2)], warehouse_id=warehouse.pk)
        make_note(keeper, order)
        assert not selectors.order_shipping(order).can_create_note

    def test_a_draft_without_notes_shows_no_lines(self, seller, customer, laptop, warehouse):
        from tests.sales.factories import make_order

        order = make_order(seller, customer, lines=[(laptop, 2)], warehouse_id=warehouse.pk)
        view = selectors.order_shipping(order)
        assert (view.lines, view.notes, view.can_create_note) == ([], [], False)


# -- the property --------------------------------------------------------------------------------------

class Rollback(Exception):
    pass


EXPECTED = (services.OverShipment, services.NotReserved, services.NothingToShip, InvalidTransition)
NOTE = st.integers(0, 7)
operations = st.lists(st.one_of(
    st.tuples(st.just("create"), st.none()),
    st.tuples(st.just("create"), st.lists(st.tuples(st.integers(0, 3), st.integers(1, 4)), min_size=1, max_size=4,
                                          unique_by=lambda choice: choice[0])),
    st.tuples(st.just("advance"), NOTE),
    st.tuples(st.just("ship"), NOTE),
    st.tuples(st.just("ship"), NOTE),
    st.tuples(st.just("cancel"), NOTE),
    st.tuples(st.just("receive"), st.integers(0, 1), st.integers(1, 6)),
), min_size=3, max_size=14)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(stock=st.tuples(st.sampled_from([5, 0, 2, 9]), st.sampled_from([5, 0, 3, 9])),
       quantities=st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 4), st.integers(1, 3)),
       ops=operations)
def test_any_sequence_of_notes_keeps_orders_stock_and_reservations_in_step(seller, keeper, customer, warehouse,
                                                                           stock, quantities, ops):
    try:
        with transaction.atomic(), translation.override("en"):
            run_story(seller, keeper, customer, warehouse, stock, quantities, ops)
            raise Rollback
    except Rollback:
        pass


def run_story(seller, keeper, customer, warehouse, stock, quantities, ops):
    # given two stocked products (the first on two lines of the order) and a service, short of stock
    products = [make_product(standard_cost=D("12.3456")), make_product(standard_cost=D("0.0050"))]
    service = make_product(track_stock=False, standard_cost=D(0))
    received = {p.pk: D(0) for p in products}
    for product, quantity in zip(products, stock, strict=True):
        if quantity:
            receive_stock(product, quantity, warehouse, actor=keeper)
            received[product.pk] += quantity
    order = confirmed_order(seller, customer, [(products[0], quantities[0]), (products[1], quantities[1]),
                                               (products[0], quantities[2]), (service, quantities[3])],
                            warehouse_id=warehouse.pk, stocked=False, allow_partial_shipment=True)
    lines = list(order.lines.order_by("position"))
    notes: list[DeliveryNote] = []
    check(order, received)
    for op in ops:
        kind = op[0]
        try:
            if kind == "create":
                choices = None if op[1] is None else {lines[i]: q for i, q in op[1]}
                notes.append(make_note(keeper, order, choices))
            elif kind == "receive":
                product = products[op[1]]
                receive_stock(product, op[2], warehouse, actor=keeper)
                received[product.pk] += op[2]
            elif kind == "ship" and not notes:
                notes.append(shipped(keeper, make_note(keeper, order)))
            elif notes:
                note = DeliveryNote.objects.get(pk=notes[op[1] % len(notes)].pk)
                if kind == "cancel":
                    services.cancel(actor=keeper, note_id=note.pk, version=note.version)
                elif kind == "advance":
                    advance(keeper, note)
                else:
                    while note.status in states.OPEN:
                        note = advance(keeper, note)
                    with pytest.raises(InvalidTransition):  # once more: shipped (or cancelled) already → 409
                        services.ship(actor=keeper, note_id=note.pk)
            else:
                continue
        except EXPECTED as refused:
            event(f"{kind} refused: {refused.code}")  # shown by --hypothesis-show-statistics
        else:
            event(f"{kind} done")
        check(order, received)
    event(f"order ends {order.fulfilment_status}")


def advance(keeper, note):
    if note.status == "draft":
        return services.start_picking(actor=keeper, note_id=note.pk, version=note.version)
    if note.status == "picking":
        return services.pack(actor=keeper, note_id=note.pk, data={"parcel_count": 1}, version=note.version)
    return services.ship(actor=keeper, note_id=note.pk, version=note.version)


def summed(**where):
    return {row["order_line_id"]: row["total"] for row in DeliveryLine.objects.filter(**where)
            .values("order_line_id").annotate(total=Sum("quantity"))}


def check(order, received):
    order.refresh_from_db()
    lines = list(order.lines.select_related("product").order_by("position"))
    on_shipped = summed(note__order=order, note__status__in=states.SHIPPED)
    on_open = summed(note__order=order, note__status__in=states.OPEN)
    reservations = {r.order_line_id: r for r in Reservation.objects.filter(order_id=order.pk)}
    for line in lines:
        shipped_qty, open_qty = on_shipped.get(line.pk, D(0)), on_open.get(line.pk, D(0))
        # Σ shipped ≤ ordered, and the line says what its shipped notes say
        assert line.shipped_quantity == shipped_qty <= line.quantity, line.position
        # never on notes (not cancelled) beyond what was ordered
        assert shipped_qty + open_qty <= line.quantity, line.position
        if line.product.track_stock:
            row = reservations[line.pk]
            if line.shipped_quantity < line.quantity:
                # what a stocked line still wants is reserved or waits; its open notes fit in what is reserved
                assert row.status == "open" and row.quantity == line.quantity - line.shipped_quantity
                assert open_qty <= row.reserved <= row.quantity, line.position
            else:
                assert row.status == "closed" and row.reserved == 0
        else:
            assert line.pk not in reservations
    # the sub-state follows, and recomputing changes nothing and writes nothing
    assert order.fulfilment_status == status_of([(line.quantity, line.shipped_quantity) for line in lines])
    events = AuditEvent.objects.count()
    assert fulfilment.recompute(order) is False
    assert AuditEvent.objects.count() == events
    # kaidan check_stock: on hand = Σ moves, reserved = Σ open reservations, 0 <= reserved <= on hand;
    # kaidan check_shipping: the same of orders, notes and shipment moves, checked its own way
    assert stock_discrepancies() == []
    assert shipping_discrepancies() == []
    # and the shelf: what came in minus what shipped, each shipment one move per stocked line
    for product_id, total in received.items():
        gone = sum((line.shipped_quantity for line in lines if line.product_id == product_id), D(0))
        assert StockLevel.objects.get(product_id=product_id).on_hand == total - gone
    for note in DeliveryNote.objects.filter(order=order, status__in=states.SHIPPED):
        stocked = note.lines.filter(product__track_stock=True).count()
        assert StockMove.objects.filter(reference=note.number, kind="shipment").count() == stocked
        assert note.cost_amount == sum((line.cost_amount for line in note.lines.all()), D(0))
    for note in DeliveryNote.objects.filter(order=order).exclude(status__in=states.SHIPPED):
        assert not StockMove.objects.filter(reference=note.number).exists()
