"""The warehouse's work queue (what can ship now, in part, or waits for stock; what is on notes
already) with its filters, and the reads of delivery notes: who sees which, list filters."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone, translation

from kaidan.core.roles import Role
from kaidan.shipping import selectors, services, tracking
from kaidan.shipping.selectors import QueueState
from tests.catalog.factories import make_product
from tests.inventory.factories import make_warehouse, receive_stock
from tests.parties.factories import make_customer
from tests.shipping.factories import confirmed_order, line_of, make_note, packed, shipped

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def days(n: int) -> str:
    return (TODAY + datetime.timedelta(days=n)).isoformat()


def queue(user, **filters):
    return {row.order.pk: row for row in selectors.work_queue(user, **filters)}


def states_of(user, **filters):
    return {pk: row.state for pk, row in queue(user, **filters).items()}


@pytest.fixture
def printer(warehouse):
    product = make_product(name="激光打印机")
    receive_stock(product, 3, warehouse)
    return product


@pytest.fixture
def scanner(db):
    return make_product(name="扫描仪")  # none in stock


@pytest.fixture
def orders(seller, keeper, customer, warehouse, laptop, mouse, printer, scanner, installation):
    """One order in each state of the queue, plus a fully shipped and a draft one that are not in it."""
    def order(lines, requested, **header):
        return confirmed_order(seller, customer, lines, warehouse_id=warehouse.pk, requested_date=days(requested),
                               **header)

    ready = order([(laptop, 2), (installation, 1)], 5)
    partly = order([(printer, 5), (mouse, 1)], 2, stocked=False, allow_partial_shipment=True)
    waiting = order([(scanner, 4)], 9, stocked=False, allow_partial_shipment=True)
    on_notes = order([(mouse, 3)], 1)
    make_note(keeper, on_notes)
    done = order([(mouse, 1)], 0)
    shipped(keeper, make_note(keeper, done))
    from tests.sales.factories import make_order

    make_order(seller, customer, lines=[(laptop, 1)], warehouse_id=warehouse.pk)  # a draft
    return {"ready": ready, "partly": partly, "waiting": waiting, "on_notes": on_notes, "done": done}


class TestWorkQueue:
    def test_each_order_in_its_state_soonest_requested_first(self, keeper, orders):
        rows = selectors.work_queue(keeper)
        assert [(row.order.pk, row.state) for row in rows] == [
            (orders["on_notes"].pk, QueueState.ON_NOTES), (orders["partly"].pk, QueueState.PARTLY),
            (orders["ready"].pk, QueueState.READY), (orders["waiting"].pk, QueueState.WAITING)]
        assert selectors.queue_counts(rows) == {"ready": 1, "partly": 1, "waiting": 1, "on_notes": 1}

    def test_what_each_row_says(self, keeper, orders):
        rows = queue(keeper)
        ready, partly, waiting, on_notes = (rows[orders[k].pk] for k in ("ready", "partly", "waiting", "on_notes"))
        assert (ready.lines_left, ready.quantity_left, ready.shippable_now, ready.open_notes) == (2, D(3), D(3), [])
        assert (partly.lines_left, partly.quantity_left, partly.shippable_now) == (2, D(6), D(4))
        assert (waiting.lines_left, waiting.quantity_left, waiting.shippable_now) == (1, D(4), D(0))
        note = orders["on_notes"].delivery_notes.get()
        assert (on_notes.lines_left, on_notes.quantity_left, on_notes.open_notes) == (0, D(0), [note.number])

    @pytest.mark.parametrize("state", ["ready", "partly", "waiting", "on_notes"])
    def test_filtered_by_state(self, keeper, orders, state):
        assert states_of(keeper, state=state) == {orders[state].pk: state}

    def test_filtered_by_requested_date(self, keeper, orders):
        assert set(states_of(keeper, requested_by=TODAY + datetime.timedelta(days=2))) == {
            orders["on_notes"].pk, orders["partly"].pk}

    def test_filtered_by_warehouse(self, seller, keeper, customer, orders, warehouse):
        elsewhere = make_warehouse("WH-GZ", name="广州仓")
        cable = make_product(name="网线")
        receive_stock(cable, 10, elsewhere)
        far = confirmed_order(seller, customer, [(cable, 2)], warehouse_id=elsewhere.pk)
        assert states_of(keeper, warehouse_id=elsewhere.pk) == {far.pk: "ready"}
        assert far.pk not in states_of(keeper, warehouse_id=warehouse.pk)
        assert len(states_of(keeper, warehouse_id=warehouse.pk)) == 4

    def test_searched_by_order_number_or_customer(self, seller, keeper, orders, warehouse, laptop):
        other = make_customer(seller, name="广州白云五金店")
        theirs = confirmed_order(seller, other, [(laptop, 1)], warehouse_id=warehouse.pk)
        assert set(states_of(keeper, q="白云")) == {theirs.pk}
        assert set(states_of(keeper, q=orders["ready"].number)) == {orders["ready"].pk}
        assert set(states_of(keeper, q=other.code)) == {theirs.pk}
        assert states_of(keeper, q="\x00没有这个") == {}

    def test_orders_without_a_requested_date_come_last(self, seller, keeper, customer, orders, warehouse, laptop):
        undated = confirmed_order(seller, customer, [(laptop, 1)], warehouse_id=warehouse.pk)
        assert undated.requested_date is None
        assert [row.order.pk for row in selectors.work_queue(keeper)][-1] == undated.pk

    def test_a_receipt_moves_an_order_from_waiting_to_ready(self, keeper, orders, scanner, warehouse):
        receive_stock(scanner, 4, warehouse)
        assert states_of(keeper)[orders["waiting"].pk] == "ready"

    def test_after_a_partial_shipment_the_rest_is_in_the_queue_again(self, keeper, orders):
        shipped(keeper, make_note(keeper, orders["partly"]))  # 3 printers and the mouse
        row = queue(keeper)[orders["partly"].pk]
        assert (row.state, row.lines_left, row.quantity_left, row.shippable_now) == ("waiting", 1, D(2), D(0))

    def test_a_cancelled_note_puts_the_order_back(self, keeper, orders):
        note = orders["on_notes"].delivery_notes.get()
        services.cancel(actor=keeper, note_id=note.pk)
        assert states_of(keeper)[orders["on_notes"].pk] == "ready"

    def test_a_salesperson_sees_their_own_orders_only(self, make_user, seller, orders):
        assert set(states_of(seller)) == {orders[k].pk for k in ("ready", "partly", "waiting", "on_notes")}
        assert states_of(make_user(Role.SALES)) == {}

    @pytest.mark.parametrize("role", [Role.FINANCE, Role.AFTERSALES, Role.SALES_MANAGER, Role.ADMIN])
    def test_other_roles_see_the_queue(self, make_user, orders, role):
        assert len(states_of(make_user(role))) == 4

    def test_a_user_without_a_role_sees_nothing(self, make_user, orders):
        assert states_of(make_user(None)) == {}


@pytest.fixture
def notes(seller, keeper, customer, warehouse, laptop, sf):
    """Three notes of one order: a draft, one shipped with SF (tracking SF5550), one delivered."""
    order = confirmed_order(seller, customer, [(laptop, 6)], warehouse_id=warehouse.pk)
    line = line_of(order, laptop)
    draft = make_note(keeper, order, {line: 1})
    on_the_way = shipped(keeper, make_note(keeper, order, {line: 2}), carrier_id=sf.pk, tracking_numbers=["SF5550"])
    delivered = shipped(keeper, make_note(keeper, order, {line: 3}))
    tracking.add_event(actor=keeper, note_id=delivered.pk, data={"kind": "delivered", "signed_by": "王芳"})
    return {"order": order, "draft": draft, "on_the_way": on_the_way, "delivered": delivered}


def numbers(qs):
    return sorted(note.number for note in qs)


class TestNoteReads:
    def test_a_salesperson_sees_the_notes_of_their_orders_and_no_one_elses(self, make_user, seller, notes):
        everything = numbers(n for k, n in notes.items() if k != "order")
        assert numbers(selectors.notes_visible_to(seller)) == everything
        other = make_user(Role.SALES)
        assert numbers(selectors.notes_visible_to(other)) == []
        assert selectors.visible_note(other, notes["draft"].pk) is None
        assert numbers(selectors.note_list(other)) == []
        assert selectors.visible_note(seller, notes["draft"].pk) == notes["draft"]

    def test_a_salesperson_of_the_order_sees_its_notes_though_the_customer_is_not_theirs(
            self, make_user, admin, keeper, warehouse, laptop):
        owner, salesperson = make_user(Role.SALES), make_user(Role.SALES)
        customer = make_customer(owner)
        order = confirmed_order(owner, customer, [(laptop, 1)], warehouse_id=warehouse.pk,
                                salesperson_id=salesperson.pk)
        note = make_note(keeper, order)
        assert selectors.visible_note(salesperson, note.pk) == note
        assert selectors.visible_note(owner, note.pk) == note

    @pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.FINANCE, Role.SALES_MANAGER, Role.GENERAL_MANAGER,
                                      Role.AFTERSALES, Role.ADMIN])
    def test_every_other_role_sees_every_note(self, make_user, notes, role):
        assert len(numbers(selectors.notes_visible_to(make_user(role)))) == 3

    def test_a_user_without_a_role_sees_none(self, make_user, notes):
        assert numbers(selectors.notes_visible_to(make_user(None))) == []

    def test_list_filters(self, keeper, notes, sf, warehouse):
        n = notes
        assert numbers(selectors.note_list(keeper, status="open")) == [n["draft"].number]
        assert numbers(selectors.note_list(keeper, status="on_the_way")) == [n["on_the_way"].number]
        assert numbers(selectors.note_list(keeper, status="delivered")) == [n["delivered"].number]
        assert numbers(selectors.note_list(keeper, carrier_id=sf.pk)) == [n["on_the_way"].number]
        assert numbers(selectors.note_list(keeper, q="SF5550")) == [n["on_the_way"].number]
        assert numbers(selectors.note_list(keeper, q=n["order"].number)) == numbers(
            [n["draft"], n["on_the_way"], n["delivered"]])
        assert numbers(selectors.note_list(keeper, q=n["draft"].number)) == [n["draft"].number]
        assert len(numbers(selectors.note_list(keeper, order_id=n["order"].pk, warehouse_id=warehouse.pk,
                                               customer_id=n["order"].customer_id))) == 3
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        assert numbers(selectors.note_list(keeper, date_from=tomorrow)) == []
        assert len(numbers(selectors.note_list(keeper, date_to=tomorrow))) == 3

    def test_the_note_lines_in_order(self, keeper, notes, laptop):
        lines = selectors.note_lines(notes["delivered"])
        assert [(line.position, line.product, line.quantity) for line in lines] == [(1, laptop, D(3))]

    def test_a_packed_note_is_open(self, keeper, notes):
        packed(keeper, notes["draft"])
        assert numbers(selectors.note_list(keeper, status="open")) == [notes["draft"].number]
