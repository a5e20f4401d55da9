"""Making delivery notes: of the whole order or chosen lines — what is written, and what is refused
(over-shipment, not reserved, nothing to ship, an order not confirmed) without writing anything."""

from decimal import Decimal as D

import pytest
from django.utils import translation

from kaidan.core.errors import NotFound, ValidationFailed
from kaidan.sales import transitions
from kaidan.sales.states import Kind
from kaidan.shipping import services
from kaidan.shipping.models import DeliveryLine, DeliveryNote
from kaidan.shipping.states import Status
from tests.catalog.factories import make_product
from tests.inventory.factories import receive_stock, stock_of
from tests.sales.factories import make_order
from tests.shipping.factories import (
    audit_count,
    held,
    line_of,
    make_note,
    note_lines,
    order_for,
    shipped,
    shipped_quantities,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


class TestCreateNote:
    def test_a_note_of_the_whole_order_takes_everything_reserved(self, seller, keeper, customer, laptop, mouse,
                                                                warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 5), (mouse, 10)])
        # when
        note = make_note(keeper, order, notes="下午三点前送达")
        # then
        assert note.status == Status.DRAFT and note.number.startswith("DN")
        assert note_lines(note) == [(1, laptop.sku, D(5)), (2, mouse.sku, D(10))]
        assert (note.order, note.customer, note.warehouse, note.line_count, note.notes) == (
            order, customer, warehouse, 2, "下午三点前送达")
        assert note.created_by == keeper and note.version == 1
        assert "张江路 88 号" in note.shipping_address_text
        # nothing has left the warehouse: the order still holds its stock, nothing counts as shipped
        assert stock_of(laptop, warehouse) == (D(100), D(5))
        assert shipped_quantities(order) == [(1, D(0)), (2, D(0))]

    def test_chosen_lines_and_quantities_make_a_partial_note(self, seller, keeper, customer, laptop, mouse,
                                                             warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 5), (mouse, 10)])
        note = make_note(keeper, order, {line_of(order, mouse): D("4")})
        assert note_lines(note) == [(2, mouse.sku, D(4))] and note.line_count == 1

    def test_an_order_can_have_several_notes_and_the_last_takes_what_is_left(self, seller, keeper, customer,
                                                                            laptop, mouse, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 5), (mouse, 10)])
        first = make_note(keeper, order, {line_of(order, laptop): 2})
        second = make_note(keeper, order, {line_of(order, laptop): 1, line_of(order, mouse): 3})
        third = make_note(keeper, order)
        assert note_lines(third) == [(1, laptop.sku, D(2)), (2, mouse.sku, D(7))]
        assert len({first.number, second.number, third.number}) == 3
        assert list(order.delivery_notes.order_by("id")) == [first, second, third]
        with pytest.raises(services.NothingToShip) as err:
            make_note(keeper, order)
        assert err.value.status == 409 and err.value.code == "nothing_to_ship"

    def test_more_than_ordered_is_refused_naming_the_line_and_nothing_is_written(self, seller, keeper, customer,
                                                                                laptop, mouse, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 5), (mouse, 10)])
        make_note(keeper, order, {line_of(order, laptop): 3})
        notes, events, numbers = DeliveryNote.objects.count(), audit_count(), DeliveryLine.objects.count()
        # when 3 more laptops are asked for (5 ordered, 3 on a note) along with a fitting mouse line
        with pytest.raises(services.OverShipment) as err:
            make_note(keeper, order, {line_of(order, mouse): 1, line_of(order, laptop): 3})
        # then the refusal names line 1 with the figures, and nothing was written
        assert err.value.status == 409 and err.value.code == "over_shipment"
        assert str(err.value) == (f"Line 1 ({laptop.sku}): 3 asked but only 2 left to ship (5 ordered, 0 shipped, "
                                  "3 on other delivery notes).")
        [line] = err.value.detail["lines"]
        assert (line["position"], line["sku"], line["order_line_id"], line["asked"], line["remaining"]) == (
            1, laptop.sku, line_of(order, laptop).pk, D(3), D(2))
        assert (DeliveryNote.objects.count(), audit_count(), DeliveryLine.objects.count()) == (notes, events, numbers)

    def test_more_than_ordered_counts_what_has_shipped(self, seller, keeper, customer, laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 5)])
        shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 4}))
        with pytest.raises(services.OverShipment) as err:
            make_note(keeper, order, {line_of(order, laptop): 2})
        assert "1 left to ship (5 ordered, 4 shipped, 0 on other delivery notes)" in str(err.value)

    def test_more_than_reserved_is_refused_as_not_reserved(self, seller, keeper, customer, warehouse):
        printer = make_product(name="激光打印机", list_price=D("1999.00"))
        receive_stock(printer, 3, warehouse)
        order = order_for(seller, customer, warehouse, [(printer, 5)], stocked=False, allow_partial_shipment=True)
        assert held(order) == {line_of(order, printer).pk: (D(5), D(3))}
        with pytest.raises(services.NotReserved) as err:
            make_note(keeper, order, {line_of(order, printer): 4})
        assert err.value.status == 409 and err.value.code == "not_reserved"
        assert str(err.value) == (f"Line 1 ({printer.sku}): 4 asked but only 3 reserved and not yet on a delivery "
                                  "note; the rest waits for stock.")
        assert err.value.detail["lines"][0]["reserved"] == D(3)
        assert not DeliveryNote.objects.exists()
        # what is reserved can go on a note
        assert note_lines(make_note(keeper, order, {line_of(order, printer): 3})) == [(1, printer.sku, D(3))]

    def test_nothing_to_ship_when_the_order_waits_for_all_its_stock(self, seller, keeper, customer, warehouse):
        printer = make_product(name="激光打印机")
        order = order_for(seller, customer, warehouse, [(printer, 2)], stocked=False, allow_partial_shipment=True)
        with pytest.raises(services.NothingToShip):
            make_note(keeper, order)
        assert not DeliveryNote.objects.exists()

    def test_a_draft_order_cannot_ship(self, seller, keeper, customer, laptop, warehouse):
        order = make_order(seller, customer, lines=[(laptop, 1)], warehouse_id=warehouse.pk)
        with pytest.raises(services.OrderNotConfirmed) as err:
            make_note(keeper, order)
        assert err.value.status == 409 and err.value.code == "order_not_confirmed"
        assert err.value.detail == {"status": "draft"}

    def test_a_revised_order_cannot_ship_until_confirmed_again(self, seller, keeper, customer, laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 1)])
        transitions.revise_document(actor=seller, order_id=order.pk, reason="改地址")
        with pytest.raises(services.OrderNotConfirmed):
            make_note(keeper, order)

    def test_a_cancelled_order_cannot_ship(self, seller, keeper, customer, laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 1)])
        transitions.cancel_document(actor=seller, order_id=order.pk, reason="客户取消")
        with pytest.raises(services.OrderNotConfirmed) as err:
            make_note(keeper, order)
        assert err.value.detail == {"status": "cancelled"}

    def test_a_quotation_cannot_ship(self, seller, keeper, customer, laptop, warehouse):
        quotation = make_order(seller, customer, lines=[(laptop, 1)], kind=Kind.QUOTATION, warehouse_id=warehouse.pk)
        with pytest.raises(services.OrderNotConfirmed):
            make_note(keeper, quotation)

    @pytest.mark.parametrize(("lines", "field"), [
        ([], "lines"),
        ("all", "lines"),
        ([{"order_line_id": "x", "quantity": "1"}], "lines.0.order_line_id"),
        ([{"order_line_id": None, "quantity": "1"}], "lines.0.order_line_id"),
        ([{"quantity": "1"}], "lines.0.order_line_id"),
        (["3"], "lines.0"),
        ([{"order_line_id": "LINE", "quantity": "0"}], "lines.0.quantity"),
        ([{"order_line_id": "LINE", "quantity": "-2"}], "lines.0.quantity"),
        ([{"order_line_id": "LINE", "quantity": "1.00001"}], "lines.0.quantity"),
        ([{"order_line_id": "LINE", "quantity": "abc"}], "lines.0.quantity"),
        ([{"order_line_id": "LINE", "quantity": "1e12"}], "lines.0.quantity"),
        ([{"order_line_id": "LINE", "quantity": "1", "price": "3"}], "lines.0.price"),
        ([{"order_line_id": "LINE", "quantity": "1"}, {"order_line_id": "LINE", "quantity": "1"}],
         "lines.1.order_line_id"),
        ([{"order_line_id": 999999, "quantity": "1"}], "lines.0.order_line_id"),
    ])
    def test_bad_lines_are_refused_by_field_and_nothing_is_written(self, seller, keeper, customer, laptop,
                                                                  warehouse, lines, field):
        order = order_for(seller, customer, warehouse, [(laptop, 5)])
        line_id = line_of(order, laptop).pk
        if isinstance(lines, list):
            lines = [{k: (line_id if v == "LINE" else v) for k, v in x.items()} if isinstance(x, dict) else x
                     for x in lines]
        events = audit_count()
        with pytest.raises(ValidationFailed) as err:
            services.create_note(actor=keeper, data={"order_id": order.pk, "lines": lines})
        assert err.value.status == 422 and field in err.value.fields, err.value.fields
        assert not DeliveryNote.objects.exists() and audit_count() == events

    def test_a_line_of_another_order_is_not_a_line_of_this_one(self, seller, keeper, customer, laptop, warehouse):
        order = order_for(seller, customer, warehouse, [(laptop, 5)])
        other = order_for(seller, customer, warehouse, [(laptop, 5)])
        with pytest.raises(ValidationFailed) as err:
            make_note(keeper, order, {line_of(other, laptop): 1})
        assert list(err.value.fields) == ["lines.0.order_line_id"]

    @pytest.mark.parametrize(("data", "field"), [
        ({}, "order_id"), ({"order_id": "abc"}, "order_id"), ({"order_id": "ORDER", "colour": "red"}, "colour"),
        ({"order_id": "ORDER", "notes": "x" * 2001}, "notes"), ({"order_id": "ORDER", "notes": 12}, "notes"),
        ({"order_id": "ORDER", "notes": "a\x00b"}, "notes"),
    ])
    def test_bad_header_fields_are_refused_by_field(self, seller, keeper, customer, laptop, warehouse, data, field):
        order = order_for(seller, customer, warehouse, [(laptop, 5)])
        data = {k: (order.pk if v == "ORDER" else v) for k, v in data.items()}
        with pytest.raises(ValidationFailed) as err:
            services.create_note(actor=keeper, data=data)
        assert field in err.value.fields
        assert not DeliveryNote.objects.exists()

    def test_an_unknown_order_is_not_found(self, keeper):
        with pytest.raises(NotFound):
            services.create_note(actor=keeper, data={"order_id": 987654})
