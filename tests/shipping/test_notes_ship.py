"""Working a delivery note: pick, pack, ship, cancel — the stock moves and cost of goods of a
shipment, what is refused (and that a refusal writes nothing), the order while it ships, the audit
trail, and who may do it."""

from decimal import Decimal as D

import pytest
from django.utils import translation

from kaidan.core.errors import Conflict, Forbidden, InvalidTransition, StaleEdit, ValidationFailed
from kaidan.core.models import AuditEvent
from kaidan.core.roles import Role
from kaidan.inventory.models import Reservation, StockMove
from kaidan.inventory.selectors import stock_discrepancies
from kaidan.pricing.models import Promotion
from kaidan.sales import transitions
from kaidan.sales.states import FulfilmentStatus
from kaidan.shipping import services, tracking
from kaidan.shipping.models import DeliveryLine, DeliveryNote, TrackingEvent
from kaidan.shipping.states import Status
from tests.catalog.factories import make_product
from tests.inventory.factories import receive_stock, stock_of
from tests.shipping.factories import (
    actions_of,
    held,
    line_of,
    make_note,
    note_lines,
    order_for,
    packed,
    shipped,
    shipped_quantities,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


class TestShip:
    def test_a_full_shipment_moves_stock_consumes_the_reservation_and_ships_the_order(
            self, seller, keeper, customer, laptop, mouse, warehouse, sf):
        order = order_for(seller, customer, warehouse, [(laptop, 5), (mouse, 10)])
        note = packed(keeper, make_note(keeper, order), carrier_id=sf.pk, tracking_numbers="SF100")
        # when
        note = services.ship(actor=keeper, note_id=note.pk, data={"tracking_numbers": ["SF101"]})
        # then the goods have left: on hand down, reservations consumed and closed
        assert note.status == Status.SHIPPED and note.shipped_by == keeper
        assert note.shipped_at is not None and note.ship_date is not None and note.version == 4
        assert stock_of(laptop, warehouse) == (D(95), D(0)) and stock_of(mouse, warehouse) == (D(90), D(0))
        assert held(order) == {}
        assert Reservation.objects.filter(order_id=order.pk, status=Reservation.Status.CLOSED).count() == 2
        order.refresh_from_db()
        assert order.fulfilment_status == FulfilmentStatus.SHIPPED
        assert shipped_quantities(order) == [(1, D(5)), (2, D(10))]
        # one shipment move per stocked line, referencing the note, with the right on hand after it
        moves = list(StockMove.objects.filter(reference=note.number).order_by("id")
                     .values_list("product_id", "kind", "quantity", "on_hand_after", "created_by_id"))
        assert moves == [(laptop.pk, "shipment", D(-5), D(95), keeper.pk),
                         (mouse.pk, "shipment", D(-10), D(90), keeper.pk)]
        # cost of goods at standard cost
        assert [(line.unit_cost, line.cost_amount) for line in note.lines.order_by("position")] == [
            (D("4000.0000"), D("20000.00")), (D("40.5000"), D("405.00"))]
        assert note.cost_amount == D("20405.00")
        # tracking numbers given when packing and when shipping, and the first event of the timeline
        assert list(note.tracking_numbers.values_list("number", flat=True)) == ["SF100", "SF101"]
        [event] = note.tracking_events.all()
        assert (event.kind, event.source, event.location, event.carrier) == ("shipped", "system", warehouse.name, sf)
        assert stock_discrepancies() == []

    def test_a_partial_shipment_leaves_the_rest_reserved_when_there_is_stock(self, seller, keeper, customer,
                                                                              laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 5)])
        shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 2}))
        assert held(order) == {line_of(order, laptop).pk: (D(3), D(3))}
        assert stock_of(laptop, warehouse) == (D(98), D(3))
        order.refresh_from_db()
        assert order.fulfilment_status == FulfilmentStatus.PARTLY_SHIPPED
        assert note_lines(make_note(keeper, order)) == [(1, laptop.sku, D(3))]

    def test_the_backorder_waits_then_a_receipt_fills_it_and_a_later_note_ships_it(self, seller, keeper,
                                                                                   customer, warehouse):
        printer = make_product(name="激光打印机", standard_cost=D("1500.00"))
        receive_stock(printer, 3, warehouse)
        order = order_for(seller, customer, warehouse, [(printer, 5)], stocked=False, allow_partial_shipment=True)
        line = line_of(order, printer)
        first = shipped(keeper, make_note(keeper, order))
        assert note_lines(first) == [(1, printer.sku, D(3))]
        # the 2 left wait: still wanted, nothing reserved, nothing can go on a note
        assert held(order) == {line.pk: (D(2), D(0))}
        assert stock_of(printer, warehouse) == (D(0), D(0))
        with pytest.raises(services.NothingToShip):
            make_note(keeper, order)
        # a goods receipt reserves them at once
        receive_stock(printer, 10, warehouse)
        assert held(order) == {line.pk: (D(2), D(2))}
        second = shipped(keeper, make_note(keeper, order))
        assert note_lines(second) == [(1, printer.sku, D(2))]
        order.refresh_from_db()
        assert order.fulfilment_status == FulfilmentStatus.SHIPPED and shipped_quantities(order) == [(1, D(5))]
        assert held(order) == {} and stock_of(printer, warehouse) == (D(8), D(0))
        assert stock_discrepancies() == []

    def test_services_ship_without_stock_moves(self, seller, keeper, customer, installation, warehouse):
        order = order_for(seller, customer, warehouse, [(installation, 2)])
        assert held(order) == {}
        note = shipped(keeper, make_note(keeper, order))
        assert note_lines(note) == [(1, installation.sku, D(2))]
        assert not StockMove.objects.filter(reference=note.number).exists()
        order.refresh_from_db()
        assert order.fulfilment_status == FulfilmentStatus.SHIPPED

    def test_a_service_line_may_go_on_a_note_without_any_reservation(self, seller, keeper, customer, installation,
                                                                     laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 1), (installation, 3)])
        note = make_note(keeper, order, {line_of(order, installation): 3})
        assert note_lines(note) == [(2, installation.sku, D(3))]
        with pytest.raises(services.OverShipment):
            make_note(keeper, order, {line_of(order, installation): 1})

    def test_free_promotion_lines_ship_with_their_own_stock_move_at_standard_cost(self, seller, keeper, customer,
                                                                                   mouse, warehouse):
        promo = Promotion.objects.create(code="B10G1", name="买10送1", kind="buy_x_get_y", buy_quantity=10,
                                         free_quantity=1)
        promo.products.add(mouse)
        order = order_for(seller, customer, warehouse, [(mouse, 20)])
        lines = list(order.lines.order_by("position", "is_free"))
        assert [(x.is_free, x.quantity, x.gross_amount) for x in lines] == [(False, D(20), D("1980.00")),
                                                                            (True, D(2), D("0.00"))]
        assert stock_of(mouse, warehouse) == (D(100), D(22))
        # when
        note = shipped(keeper, make_note(keeper, order))
        # then
        assert [(x.order_line.is_free, x.quantity, x.cost_amount) for x in note.lines.select_related("order_line")
                .order_by("position")] == [(False, D(20), D("810.00")), (True, D(2), D("81.00"))]
        assert note.cost_amount == D("891.00")
        assert list(StockMove.objects.filter(reference=note.number).order_by("id")
                    .values_list("quantity", "on_hand_after")) == [(D(-20), D(80)), (D(-2), D(78))]
        assert stock_of(mouse, warehouse) == (D(78), D(0))
        order.refresh_from_db()
        assert order.fulfilment_status == FulfilmentStatus.SHIPPED
        assert [line.shipped_quantity for line in order.lines.order_by("position", "is_free")] == [D(20), D(2)]

    def test_cost_of_goods_is_the_sum_of_rounded_line_costs_exactly(self, seller, keeper, customer, warehouse):
        # awkward unit costs: 3 × 1.3333 = 3.9999, 7 × 0.0050 = 0.035 (half up), 11 × 0.0001 = 0.0011
        costs = [(D("1.3333"), 3), (D("0.0050"), 7), (D("0.0001"), 11), (D("9999.9999"), 9)]
        products = [make_product(standard_cost=cost, list_price=D("20000.00")) for cost, _q in costs]
        order = order_for(seller, customer, warehouse, [(p, q) for p, (_c, q) in zip(products, costs, strict=True)])
        note = shipped(keeper, make_note(keeper, order))
        amounts = [line.cost_amount for line in note.lines.order_by("position")]
        assert amounts == [D("4.00"), D("0.04"), D("0.00"), D("90000.00")]
        assert all(isinstance(a, D) for a in amounts)
        assert note.cost_amount == D("90004.04")
        note.refresh_from_db()
        assert note.cost_amount == D("90004.04") == sum(amounts, D(0))

    def test_the_cost_is_the_standard_cost_when_shipped_not_when_the_note_was_made(self, seller, keeper, customer,
                                                                                   laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 2)])
        note = make_note(keeper, order)
        laptop.standard_cost = D("4100.0000")
        laptop.save()
        assert shipped(keeper, note).cost_amount == D("8200.00")

    def test_a_ship_date_in_the_future_is_refused_and_nothing_moves(self, seller, keeper, customer, laptop,
                                                                    warehouse):
        import datetime

        order = order_for(seller, customer, warehouse, [(laptop, 2)])
        note = packed(keeper, make_note(keeper, order))
        for bad in [(datetime.date.today() + datetime.timedelta(days=2)).isoformat(), "2026-02-30", "yesterday"]:
            with pytest.raises(ValidationFailed) as err:
                services.ship(actor=keeper, note_id=note.pk, data={"ship_date": bad})
            assert list(err.value.fields) == ["ship_date"]
        with pytest.raises(ValidationFailed) as err:
            services.ship(actor=keeper, note_id=note.pk, data={"tracking_numbers": ["SF 1"]})
        assert list(err.value.fields) == ["tracking_numbers.0"]
        note.refresh_from_db()
        assert note.status == Status.PACKED and stock_of(laptop, warehouse) == (D(100), D(2))
        assert not StockMove.objects.filter(reference=note.number).exists()

    def test_a_ship_date_in_the_past_is_kept(self, seller, keeper, customer, laptop, warehouse):
        import datetime

        order = order_for(seller, customer, warehouse, [(laptop, 2)])
        note = packed(keeper, make_note(keeper, order))
        yesterday = datetime.date.today() - datetime.timedelta(days=1)
        note = services.ship(actor=keeper, note_id=note.pk, data={"ship_date": yesterday.isoformat()})
        assert note.ship_date == yesterday

    def test_a_note_ships_only_once_packed(self, seller, keeper, customer, laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 2)])
        note = make_note(keeper, order)
        with pytest.raises(InvalidTransition) as err:
            services.ship(actor=keeper, note_id=note.pk)
        assert err.value.status == 409
        services.start_picking(actor=keeper, note_id=note.pk)
        with pytest.raises(InvalidTransition):
            services.ship(actor=keeper, note_id=note.pk)
        assert stock_of(laptop, warehouse) == (D(100), D(2))

    def test_shipping_rechecks_the_ordered_quantity_under_the_lock(self, seller, keeper, customer, laptop, mouse,
                                                                   warehouse):
        # given a note whose quantity was changed behind the services' back (a repair gone wrong)
        order = order_for(seller, customer, warehouse, [(laptop, 5), (mouse, 2)])
        shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 3}))
        note = packed(keeper, make_note(keeper, order))
        DeliveryLine.objects.filter(note=note, order_line=line_of(order, laptop)).update(quantity=D(3))
        # when it ships, then it is refused naming line 1, and nothing moved
        with pytest.raises(services.OverShipment) as err:
            services.ship(actor=keeper, note_id=note.pk)
        assert err.value.detail["lines"] == [{"order_line_id": line_of(order, laptop).pk, "position": 1}]
        note.refresh_from_db()
        assert note.status == Status.PACKED and not StockMove.objects.filter(reference=note.number).exists()
        assert stock_of(laptop, warehouse) == (D(97), D(2)) and stock_of(mouse, warehouse) == (D(100), D(2))

    def test_shipping_refuses_a_line_that_no_longer_holds_its_stock(self, seller, keeper, customer, laptop, mouse,
                                                                    warehouse):
        from kaidan.inventory.models import StockLevel
        from kaidan.inventory.shipments import NotReserved

        order = order_for(seller, customer, warehouse, [(mouse, 2), (laptop, 5)])
        note = packed(keeper, make_note(keeper, order))
        # given the laptop line's reservation shrank to 4 behind the services' back (kept consistent)
        Reservation.objects.filter(order_line_id=line_of(order, laptop).pk).update(reserved=D(4))
        StockLevel.objects.filter(product=laptop, warehouse=warehouse).update(reserved=D(4))
        with pytest.raises(NotReserved) as err:
            services.ship(actor=keeper, note_id=note.pk)
        assert (err.value.status, err.value.code) == (409, "not_reserved")
        assert str(err.value) == f"{laptop.sku}: 5 to ship but only 4 reserved for the line."
        note.refresh_from_db()
        assert note.status == Status.PACKED and not StockMove.objects.filter(reference=note.number).exists()
        assert stock_of(mouse, warehouse) == (D(100), D(2))  # the line that fitted did not move either

    def test_shipping_twice_is_refused(self, seller, keeper, customer, laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 2)])
        note = shipped(keeper, make_note(keeper, order))
        with pytest.raises(InvalidTransition):
            services.ship(actor=keeper, note_id=note.pk)
        assert StockMove.objects.filter(reference=note.number).count() == 1
        assert stock_of(laptop, warehouse) == (D(98), D(0))


class TestPickAndPack:
    def test_pick_pack_reopen_and_pack_again(self, seller, keeper, keeper2, customer, laptop, warehouse, sf):
        order = order_for(seller, customer, warehouse, [(laptop, 2)])
        note = make_note(keeper, order)
        note = services.start_picking(actor=keeper2, note_id=note.pk, version=1)
        assert (note.status, note.picked_by, note.version) == (Status.PICKING, keeper2, 2)
        assert note.picking_at is not None
        note = services.pack(actor=keeper, note_id=note.pk, version=2, data={
            "parcel_count": "3", "weight_kg": "12.5", "carrier_id": sf.pk, "service": "标快",
            "tracking_numbers": "SF1, SF2\nSF3，SF1", "freight_charge": "45.00"})
        assert (note.status, note.parcel_count, note.weight_kg, note.carrier, note.service, note.freight_charge) == (
            Status.PACKED, 3, D("12.5"), sf, "标快", D("45.00"))
        assert list(note.tracking_numbers.values_list("number", flat=True)) == ["SF1", "SF2", "SF3"]
        note = services.reopen_packing(actor=keeper, note_id=note.pk, version=3)
        assert (note.status, note.packed_at) == (Status.PICKING, None)
        note = services.pack(actor=keeper, note_id=note.pk, version=4, data={
            "parcel_count": 1, "tracking_numbers": ["SF3", "SF9"]})
        assert list(note.tracking_numbers.order_by("id").values_list("number", flat=True)) == ["SF3", "SF9"]
        assert note.carrier is None and note.freight_charge == D(0)

    @pytest.mark.parametrize(("data", "field"), [
        ({}, "parcel_count"), ({"parcel_count": 0}, "parcel_count"), ({"parcel_count": "two"}, "parcel_count"),
        ({"parcel_count": True}, "parcel_count"), ({"parcel_count": 10001}, "parcel_count"),
        ({"parcel_count": 1, "weight_kg": "-1"}, "weight_kg"),
        ({"parcel_count": 1, "weight_kg": "0.0001"}, "weight_kg"),
        ({"parcel_count": 1, "freight_charge": "-5"}, "freight_charge"),
        ({"parcel_count": 1, "freight_charge": "1.005"}, "freight_charge"),
        ({"parcel_count": 1, "carrier_id": 999999}, "carrier_id"),
        ({"parcel_count": 1, "carrier_id": "sf"}, "carrier_id"),
        ({"parcel_count": 1, "tracking_numbers": ["A B"]}, "tracking_numbers.0"),
        ({"parcel_count": 1, "tracking_numbers": ["X" * 61]}, "tracking_numbers.0"),
        ({"parcel_count": 1, "tracking_numbers": [7]}, "tracking_numbers.0"),
        ({"parcel_count": 1, "tracking_numbers": {"a": 1}}, "tracking_numbers"),
        ({"parcel_count": 1, "tracking_numbers": [f"N{i}" for i in range(51)]}, "tracking_numbers"),
        ({"parcel_count": 1, "service": "x" * 61}, "service"),
        ({"parcel_count": 1, "colour": "red"}, "colour"),
    ])
    def test_bad_packing_is_refused_by_field_and_nothing_changes(self, seller, keeper, customer, laptop, warehouse,
                                                                 data, field):
        order = order_for(seller, customer, warehouse, [(laptop, 2)])
        note = services.start_picking(actor=keeper, note_id=make_note(keeper, order).pk)
        with pytest.raises(ValidationFailed) as err:
            services.pack(actor=keeper, note_id=note.pk, data=data)
        assert field in err.value.fields, err.value.fields
        note.refresh_from_db()
        assert (note.status, note.version, note.tracking_numbers.count()) == (Status.PICKING, 2, 0)

    def test_an_inactive_carrier_cannot_take_a_parcel(self, seller, keeper, admin, customer, laptop, warehouse, sf):
        from kaidan.shipping import carriers

        carriers.update_carrier(actor=admin, carrier_id=sf.pk, data={"active": False})
        order = order_for(seller, customer, warehouse, [(laptop, 2)])
        note = services.start_picking(actor=keeper, note_id=make_note(keeper, order).pk)
        with pytest.raises(ValidationFailed) as err:
            services.pack(actor=keeper, note_id=note.pk, data={"parcel_count": 1, "carrier_id": sf.pk})
        assert list(err.value.fields) == ["carrier_id"]

    def test_a_draft_cannot_be_packed_and_a_packed_note_cannot_be_picked_again(self, seller, keeper, customer,
                                                                               laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 2)])
        note = make_note(keeper, order)
        with pytest.raises(InvalidTransition):
            services.pack(actor=keeper, note_id=note.pk, data={"parcel_count": 1})
        with pytest.raises(InvalidTransition):
            services.reopen_packing(actor=keeper, note_id=note.pk)
        note = packed(keeper, note)
        with pytest.raises(InvalidTransition):
            services.start_picking(actor=keeper, note_id=note.pk)


class TestStaleEdits:
    @pytest.mark.parametrize("action", ["start_picking", "pack", "reopen", "ship", "cancel"])
    def test_an_edit_made_on_an_older_version_is_refused(self, seller, keeper, customer, laptop, warehouse, action):
        order = order_for(seller, customer, warehouse, [(laptop, 2)])
        note = make_note(keeper, order)
        if action in ("reopen", "ship"):
            note = packed(keeper, note)
        old = note.version - 1 if note.version > 1 else note.version + 1
        call = {
            "start_picking": lambda: services.start_picking(actor=keeper, note_id=note.pk, version=old),
            "pack": lambda: services.pack(actor=keeper, note_id=note.pk, data={"parcel_count": 1}, version=old),
            "reopen": lambda: services.reopen_packing(actor=keeper, note_id=note.pk, version=old),
            "ship": lambda: services.ship(actor=keeper, note_id=note.pk, version=old),
            "cancel": lambda: services.cancel(actor=keeper, note_id=note.pk, reason="重复", version=old),
        }[action]
        before = (note.status, note.version)
        with pytest.raises(StaleEdit) as err:
            call()
        assert err.value.status == 409 and err.value.detail == {"current_version": note.version}
        note.refresh_from_db()
        assert (note.status, note.version) == before
        assert stock_of(laptop, warehouse) == (D(100), D(2))


class TestCancel:
    @pytest.mark.parametrize("stage", ["draft", "picking", "packed"])
    def test_cancelling_before_shipping_gives_the_quantities_back_to_the_order(self, seller, keeper, customer,
                                                                               laptop, mouse, warehouse, stage):
        order = order_for(seller, customer, warehouse, [(laptop, 5), (mouse, 10)])
        note = make_note(keeper, order)
        if stage == "picking":
            note = services.start_picking(actor=keeper, note_id=note.pk)
        elif stage == "packed":
            note = packed(keeper, note)
        reservations = held(order)
        with pytest.raises(services.NothingToShip):
            make_note(keeper, order)
        # when
        note = services.cancel(actor=keeper, note_id=note.pk, reason="客户改期", version=note.version)
        # then the order's reservation and the stock are as they were, and a new note can take it all
        assert (note.status, note.cancel_reason) == (Status.CANCELLED, "客户改期") and note.cancelled_at
        assert held(order) == reservations
        assert stock_of(laptop, warehouse) == (D(100), D(5)) and stock_of(mouse, warehouse) == (D(100), D(10))
        assert not StockMove.objects.filter(reference=note.number).exists()
        again = make_note(keeper, order)
        assert note_lines(again) == [(1, laptop.sku, D(5)), (2, mouse.sku, D(10))]
        assert stock_discrepancies() == []

    def test_a_shipped_note_cannot_be_cancelled(self, seller, keeper, customer, laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 2)])
        note = shipped(keeper, make_note(keeper, order))
        with pytest.raises(InvalidTransition) as err:
            services.cancel(actor=keeper, note_id=note.pk, reason="太晚了")
        assert err.value.status == 409
        note.refresh_from_db()
        assert note.status == Status.SHIPPED and stock_of(laptop, warehouse) == (D(98), D(0))

    @pytest.mark.parametrize("kind", ["in_transit", "delivered"])
    def test_a_note_on_its_way_or_delivered_cannot_be_cancelled(self, seller, keeper, customer, laptop, warehouse,
                                                                kind):
        order = order_for(seller, customer, warehouse, [(laptop, 2)])
        note = shipped(keeper, make_note(keeper, order))
        tracking.add_event(actor=keeper, note_id=note.pk, data={"kind": kind, "signed_by": "王芳"})
        with pytest.raises(InvalidTransition):
            services.cancel(actor=keeper, note_id=note.pk)

    def test_a_cancelled_note_stays_cancelled(self, seller, keeper, customer, laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 2)])
        note = services.cancel(actor=keeper, note_id=make_note(keeper, order).pk)
        for call in (lambda: services.cancel(actor=keeper, note_id=note.pk),
                     lambda: services.start_picking(actor=keeper, note_id=note.pk)):
            with pytest.raises(InvalidTransition):
                call()

    def test_a_cancel_reason_too_long_is_refused(self, seller, keeper, customer, laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 2)])
        note = make_note(keeper, order)
        with pytest.raises(ValidationFailed) as err:
            services.cancel(actor=keeper, note_id=note.pk, reason="久" * 201)
        assert list(err.value.fields) == ["reason"]
        note.refresh_from_db()
        assert note.status == Status.DRAFT


class TestTheOrderWhileShipping:
    def test_an_order_with_an_open_note_cannot_be_revised_or_cancelled(self, seller, keeper, customer, laptop,
                                                                       warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 2)])
        note = make_note(keeper, order)
        for call in (lambda: transitions.revise_document(actor=seller, order_id=order.pk, reason="改数量"),
                     lambda: transitions.cancel_document(actor=seller, order_id=order.pk, reason="客户取消")):
            with pytest.raises(Conflict) as err:
                call()
            assert err.value.status == 409 and err.value.detail == {"delivery_notes": [note.number]}
            assert note.number in str(err.value)
        order.refresh_from_db()
        assert order.status == "confirmed" and stock_of(laptop, warehouse) == (D(100), D(2))
        # once the note is cancelled, the order may be revised again
        services.cancel(actor=keeper, note_id=note.pk)
        assert transitions.revise_document(actor=seller, order_id=order.pk).status == "draft"

    def test_an_order_that_has_shipped_something_cannot_be_revised_or_cancelled(self, seller, keeper, customer,
                                                                                laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 5)])
        shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 1}))
        for call in (lambda: transitions.revise_document(actor=seller, order_id=order.pk),
                     lambda: transitions.cancel_document(actor=seller, order_id=order.pk)):
            with pytest.raises(Conflict) as err:
                call()
            assert err.value.status == 409 and "shipped" in str(err.value)
        assert held(order) == {line_of(order, laptop).pk: (D(4), D(4))}


class TestAudit:
    def test_the_trail_of_a_note_and_of_its_order(self, seller, keeper, customer, laptop, warehouse, sf):
        order = order_for(seller, customer, warehouse, [(laptop, 3)])
        note = make_note(keeper, order, {line_of(order, laptop): 2})
        note = shipped(keeper, note, carrier_id=sf.pk, tracking_numbers=["SF77"], parcel_count=2)
        tracking.add_event(actor=keeper, note_id=note.pk, data={"kind": "delivered", "signed_by": "王芳"})
        assert actions_of(note) == ["created", "picking", "packed", "shipped", "delivered"]
        events = {e.action: e for e in AuditEvent.objects.filter(object_type="shipping.deliverynote",
                                                                 object_id=str(note.pk))}
        assert events["created"].after == {"order_number": order.number, "delivery_lines": [[1, laptop.sku, "2"]]}
        assert events["created"].actor == keeper
        packing = events["packed"]
        assert (packing.before["status"], packing.after["status"], packing.after["carrier"],
                packing.after["parcel_count"], packing.after["tracking_numbers"]) == (
            "picking", "packed", sf.pk, 2, ["SF77"])
        assert events["shipped"].before["status"] == "packed"
        assert (events["shipped"].after["status"], events["shipped"].after["tracking_numbers"]) == ("shipped", ["SF77"])
        assert events["delivered"].after["received_by"] == "王芳"
        order_trail = [a for a in actions_of(order) if a.startswith(("delivery_note", "fulfilment"))]
        assert order_trail == ["delivery_note_created", "delivery_note_shipped", "fulfilment_changed"]
        change = AuditEvent.objects.get(object_type="sales.salesorder", object_id=str(order.pk),
                                        action="fulfilment_changed")
        assert (change.before, change.after, change.actor) == ({"fulfilment_status": "not_shipped"},
                                                               {"fulfilment_status": "partly_shipped"}, keeper)

    def test_a_cancelled_note_says_why_on_the_note_and_the_order(self, seller, keeper, customer, laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 3)])
        note = services.cancel(actor=keeper, note_id=make_note(keeper, order).pk, reason="地址有误")
        assert actions_of(note) == ["created", "cancelled"]
        event = AuditEvent.objects.get(object_type="sales.salesorder", object_id=str(order.pk),
                                       action="delivery_note_cancelled")
        assert event.after == {"delivery_note": note.number, "reason": "地址有误"}


class TestPermissions:
    @pytest.mark.parametrize("role", [Role.SALES, Role.SALES_MANAGER, Role.GENERAL_MANAGER, Role.FINANCE,
                                      Role.AFTERSALES, None])
    def test_only_the_warehouse_and_admins_ship(self, make_user, seller, keeper, customer, laptop, warehouse, role):
        outsider = make_user(role)
        order = order_for(seller, customer, warehouse, [(laptop, 3)])
        draft = make_note(keeper, order, {line_of(order, laptop): 1})
        ready = packed(keeper, make_note(keeper, order, {line_of(order, laptop): 1}))
        gone = shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 1}))
        calls = [
            lambda: services.create_note(actor=outsider, data={"order_id": order.pk}),
            lambda: services.start_picking(actor=outsider, note_id=draft.pk),
            lambda: services.pack(actor=outsider, note_id=draft.pk, data={"parcel_count": 1}),
            lambda: services.reopen_packing(actor=outsider, note_id=ready.pk),
            lambda: services.ship(actor=outsider, note_id=ready.pk),
            lambda: services.cancel(actor=outsider, note_id=draft.pk),
            lambda: tracking.add_event(actor=outsider, note_id=gone.pk, data={"kind": "in_transit"}),
        ]
        for call in calls:
            with pytest.raises(Forbidden) as err:
                call()
            assert err.value.status == 403
        assert [n.status for n in DeliveryNote.objects.order_by("id")] == ["draft", "packed", "shipped"]
        assert TrackingEvent.objects.filter(note=gone).count() == 1

    def test_an_admin_ships_too(self, seller, admin, customer, laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 3)])
        note = shipped(admin, make_note(admin, order))
        assert note.status == Status.SHIPPED and note.shipped_by == admin
