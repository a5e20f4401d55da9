"""The shipping pages: every role looks (salespeople at the notes of their orders); the warehouse makes
a note from the work queue, picks, packs, ships and records tracking; the order page shows what has
shipped and what remains. Every answer of the services reaches the page — a field to fix beside the
field (422), a quantity that does not fit on its line and a note changed meanwhile as a message
(409) — and nothing changes when it should not."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaidan.core.roles import Role
from kaidan.inventory.models import StockMove
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import FulfilmentStatus
from kaidan.shipping import carriers, services, tracking
from kaidan.shipping.models import DeliveryNote, TrackingEvent
from kaidan.shipping.states import Status
from tests.catalog.factories import make_product
from tests.inventory.factories import make_warehouse, receive_stock, stock_of
from tests.parties.factories import make_customer
from tests.sales.factories import make_order
from tests.shipping.factories import confirmed_order, line_of, make_note, packed, shipped

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def browser(user) -> Client:
    client = Client(**EN)
    client.force_login(user)
    return client


def page(response) -> str:
    return response.content.decode()


def field_errors(response, name, form) -> list[str]:
    return [str(e) for e in response.context["forms"][form].errors.get(name, [])]


def note_url(name: str, note) -> str:
    return reverse(name, args=[note.pk])


@pytest.fixture
def order(seller, customer, laptop, mouse, warehouse):
    return confirmed_order(seller, customer, [(laptop, 5), (mouse, 10)], warehouse_id=warehouse.pk)


@pytest.fixture
def keeper_client(keeper):
    return browser(keeper)


@pytest.fixture
def seller_client(seller):
    return browser(seller)


def fresh(note) -> DeliveryNote:
    return DeliveryNote.objects.get(pk=note.pk)


class TestPagesRender:
    @pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.ADMIN, Role.SALES_MANAGER, Role.FINANCE, Role.AFTERSALES])
    def test_every_page_renders_for_every_role_and_only_the_warehouse_gets_the_buttons(self, make_user, role, order,
                                                                                        keeper, sf):
        note = make_note(keeper, order, {line_of(order, order.lines.first().product): 1})
        client = browser(make_user(role))
        pages = {reverse("shipping_queue"): order.number, reverse("delivery_note_list"): note.number,
                 note_url("delivery_note_detail", note): note.number, reverse("carrier_list"): sf.code,
                 reverse("order_detail", args=[order.pk]): note.number}
        for url, expected in pages.items():
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            assert expected in page(response), (role, url)
            assert reverse("shipping_queue") in page(response)  # the Shipping entry of the menu
        acts = role in (Role.WAREHOUSE, Role.ADMIN)
        detail = page(client.get(note_url("delivery_note_detail", note)))
        assert (note_url("delivery_note_pick", note) in detail) is acts
        assert (note_url("delivery_note_cancel", note) in detail) is acts
        assert note_url("delivery_note_pdf", note) in detail and note_url("picking_list_pdf", note) in detail
        assert (reverse("delivery_note_create", args=[order.pk]) in page(client.get(reverse("shipping_queue")))) is acts
        for url in (reverse("delivery_note_create", args=[order.pk]), reverse("carrier_create"),
                    reverse("carrier_edit", args=[sf.pk])):
            assert client.get(url).status_code == (200 if acts else 403), (role, url)
        assert (reverse("carrier_list") in page(client.get("/"))) is acts  # "Carriers" in the settings menu

    def test_a_salesperson_sees_the_notes_of_their_orders_only(self, seller, make_user, order, keeper, laptop,
                                                              warehouse):
        other = make_user(Role.SALES)
        theirs = confirmed_order(other, make_customer(other, name="别家客户"), [(laptop, 1)], warehouse_id=warehouse.pk)
        mine, not_mine = make_note(keeper, order), make_note(keeper, theirs)
        client = browser(seller)
        listed = page(client.get(reverse("delivery_note_list")))
        assert mine.number in listed and not_mine.number not in listed
        assert client.get(note_url("delivery_note_detail", not_mine)).status_code == 404
        queue = page(client.get(reverse("shipping_queue")))
        assert mine.number in queue and not_mine.number not in queue and theirs.number not in queue

    def test_an_unknown_note_or_order_is_404(self, keeper_client):
        assert keeper_client.get(reverse("delivery_note_detail", args=[999999])).status_code == 404
        assert keeper_client.get(reverse("delivery_note_create", args=[999999])).status_code == 404
        assert keeper_client.post(reverse("delivery_note_pick", args=[999999]), {"version": 1}).status_code == 404
        assert keeper_client.get(reverse("carrier_edit", args=[999999])).status_code == 404


class TestQueue:
    def test_orders_are_sorted_into_ready_partly_and_waiting_with_counts(self, keeper_client, seller, customer,
                                                                        laptop, warehouse):
        scarce = make_product(name="限量显示器", list_price=Decimal("900.00"))
        receive_stock(scarce, 3, warehouse)
        ready = confirmed_order(seller, customer, [(laptop, 2)], warehouse_id=warehouse.pk)
        partly = confirmed_order(seller, customer, [(scarce, 5)], stocked=False, warehouse_id=warehouse.pk,
                                 allow_partial_shipment=True)
        rare = make_product(name="缺货配件", list_price=Decimal("10.00"))
        waiting = confirmed_order(seller, customer, [(rare, 1)], stocked=False, warehouse_id=warehouse.pk,
                                  allow_partial_shipment=True)
        response = keeper_client.get(reverse("shipping_queue"))
        states = {row.order.pk: row.state for row in response.context["page"]}
        assert states == {ready.pk: "ready", partly.pk: "partly", waiting.pk: "waiting"}
        tabs = {t["value"]: t["count"] for t in response.context["tabs"]}
        assert tabs == {"": 3, "ready": 1, "partly": 1, "waiting": 1, "on_notes": 0}
        body = page(response)
        assert reverse("delivery_note_create", args=[ready.pk]) in body
        assert reverse("delivery_note_create", args=[partly.pk]) in body
        assert reverse("delivery_note_create", args=[waiting.pk]) not in body  # nothing can ship yet
        only_ready = keeper_client.get(reverse("shipping_queue"), {"state": "ready"})
        assert [row.order.pk for row in only_ready.context["page"]] == [ready.pk]
        assert [t["count"] for t in only_ready.context["tabs"]] == [3, 1, 1, 1, 0]  # counts stay whole

    def test_filters_by_warehouse_requested_date_and_search_with_htmx_rows(self, keeper_client, seller, customer,
                                                                          laptop, warehouse):
        other = make_warehouse("WH-BJ", name="北京仓")
        receive_stock(laptop, 10, other)
        today = timezone.localdate()
        soon = confirmed_order(seller, customer, [(laptop, 1)], warehouse_id=warehouse.pk)
        later = confirmed_order(seller, customer, [(laptop, 1)], warehouse_id=other.pk,
                                requested_date=(today + datetime.timedelta(days=60)).isoformat())
        SalesOrder.objects.filter(pk=soon.pk).update(requested_date=today - datetime.timedelta(days=2))
        url = reverse("shipping_queue")
        by_warehouse = keeper_client.get(url, {"warehouse": other.pk}, **HTMX)
        assert [row.order.pk for row in by_warehouse.context["page"]] == [later.pk]
        assert "<html" not in page(by_warehouse) and 'id="queue"' in page(by_warehouse)
        by_date = keeper_client.get(url, {"requested_by": (today + datetime.timedelta(days=7)).isoformat()})
        assert [row.order.pk for row in by_date.context["page"]] == [soon.pk]
        assert "Overdue" in page(by_date)
        by_number = keeper_client.get(url, {"q": later.number})
        assert [row.order.pk for row in by_number.context["page"]] == [later.pk]
        for params in ({"warehouse": "x"}, {"requested_by": "soon"}, {"state": "nope"}, {"q": "a\x00b"},
                       {"page": "-3"}, {"warehouse": "99999999999999999999999"}):
            assert keeper_client.get(url, params).status_code == 200, params

    def test_the_notes_being_worked_on_and_on_the_way_are_listed_to_continue(self, keeper_client, keeper, order,
                                                                            laptop, mouse, sf):
        working = make_note(keeper, order, {line_of(order, laptop): 2})
        gone = shipped(keeper, make_note(keeper, order, {line_of(order, mouse): 3}), carrier_id=sf.pk,
                       tracking_numbers=["SF100"])
        response = keeper_client.get(reverse("shipping_queue"))
        assert [n.pk for n in response.context["open_notes"]] == [working.pk]
        assert [n.pk for n in response.context["on_the_way"]] == [gone.pk]
        body = page(response)
        assert note_url("delivery_note_detail", working) in body and note_url("delivery_note_detail", gone) in body


class TestNoteList:
    def test_filters_by_status_carrier_and_tracking_number(self, keeper_client, keeper, order, laptop, mouse, sf,
                                                          admin):
        van = carriers.create_carrier(actor=admin, data={"code": "VAN", "name": "自送"})
        draft = make_note(keeper, order, {line_of(order, laptop): 1})
        gone = shipped(keeper, make_note(keeper, order, {line_of(order, mouse): 2}), carrier_id=sf.pk,
                       tracking_numbers=["SF778899"])
        url = reverse("delivery_note_list")

        def listed(**params):
            return [n.pk for n in keeper_client.get(url, params).context["page"]]

        assert sorted(listed()) == sorted([draft.pk, gone.pk])
        assert listed(status="open") == [draft.pk]
        assert listed(status="on_the_way") == [gone.pk]
        assert listed(status="shipped") == [gone.pk]
        assert listed(carrier=sf.pk) == [gone.pk] and listed(carrier=van.pk) == []
        assert listed(q="SF778899") == [gone.pk]
        assert listed(q=draft.number) == [draft.pk]
        response = keeper_client.get(url, {"q": "SF778899"}, **HTMX)
        body = page(response)
        assert "<html" not in body and "https://www.sf-express.com/we/ow/chn/sc/waybill/waybill-detail/SF778899" in body
        for params in ({"status": "nope"}, {"carrier": "x"}, {"date_from": "yesterday"}, {"page": "x"}):
            assert keeper_client.get(url, params).status_code == 200, params


class TestCreateNote:
    def test_the_form_offers_what_can_ship_now_and_makes_the_note(self, keeper_client, order, laptop, mouse,
                                                                   warehouse):
        url = reverse("delivery_note_create", args=[order.pk])
        response = keeper_client.get(url)
        body = page(response)
        laptop_line, mouse_line = line_of(order, laptop), line_of(order, mouse)
        assert f'name="qty-{laptop_line.pk}" value="5"' in body and f'name="qty-{mouse_line.pk}" value="10"' in body
        assert "14英寸 16G/512G" in body and "ThinkPad E14" in body  # spec and model
        response = keeper_client.post(url, {f"qty-{laptop_line.pk}": "2", f"qty-{mouse_line.pk}": "",
                                            "notes": "下午三点前送到"})
        note = DeliveryNote.objects.get()
        assert response.status_code == 302 and response["Location"] == note_url("delivery_note_detail", note)
        assert [(line.order_line_id, line.quantity) for line in note.lines.all()] == [(laptop_line.pk, 2)]
        assert note.notes == "下午三点前送到" and note.status == Status.DRAFT
        detail = page(keeper_client.get(response["Location"]))
        assert f"Delivery note {note.number} made for {order.number}: 1 line." in detail

    def test_a_draft_order_is_explained_not_refused(self, keeper_client, seller, customer, laptop):
        draft = make_order(seller, customer, lines=[(laptop, 1)])
        url = reverse("delivery_note_create", args=[draft.pk])
        response = keeper_client.get(url)
        assert response.status_code == 200
        assert f"Only a confirmed order can ship; {draft.number} is “Draft”." in page(response)
        assert 'id="new-note"' not in page(response)
        response = keeper_client.post(url, {})
        assert response.status_code == 409 and not DeliveryNote.objects.exists()

    def test_an_order_with_everything_on_notes_says_so(self, keeper_client, keeper, order):
        make_note(keeper, order)
        response = keeper_client.get(reverse("delivery_note_create", args=[order.pk]))
        assert response.status_code == 200 and "is on delivery notes already" in page(response)

    def test_more_than_is_left_names_the_line_and_makes_nothing(self, keeper_client, keeper, order, laptop, mouse):
        make_note(keeper, order, {line_of(order, laptop): 4})
        url = reverse("delivery_note_create", args=[order.pk])
        laptop_line = line_of(order, laptop)
        response = keeper_client.post(url, {f"qty-{laptop_line.pk}": "3"})
        assert response.status_code == 409
        body = page(response)
        assert f"Line 1 ({laptop.sku}): 3 asked but only 1 left to ship" in body
        assert "Only 1 left to ship." in body and f'id="new-line-{laptop_line.pk}" class="invalid"' in body
        assert DeliveryNote.objects.count() == 1

    def test_more_than_is_reserved_names_the_line(self, keeper_client, seller, customer, warehouse):
        scarce = make_product(name="限量显示器", list_price=Decimal("900.00"))
        receive_stock(scarce, 3, warehouse)
        partly = confirmed_order(seller, customer, [(scarce, 5)], stocked=False, warehouse_id=warehouse.pk,
                                 allow_partial_shipment=True)
        line = partly.lines.get()
        url = reverse("delivery_note_create", args=[partly.pk])
        assert f'name="qty-{line.pk}" value="3"' in page(keeper_client.get(url))
        response = keeper_client.post(url, {f"qty-{line.pk}": "5"})
        assert response.status_code == 409
        assert "Only 3 reserved and not on a note; the rest waits for stock." in page(response)
        assert not DeliveryNote.objects.exists()

    @pytest.mark.parametrize("typed", ["-1", "abc", "1.00001", "1e400"])
    def test_a_bad_quantity_is_shown_on_its_line(self, keeper_client, order, laptop, typed):
        line = line_of(order, laptop)
        response = keeper_client.post(reverse("delivery_note_create", args=[order.pk]), {f"qty-{line.pk}": typed})
        assert response.status_code == 422
        [row] = [r for r in response.context["rows"] if r["line"].pk == line.pk]
        assert row["errors"] and row["value"] == typed
        assert not DeliveryNote.objects.exists()

    def test_no_quantity_at_all_is_refused_on_top(self, keeper_client, order):
        response = keeper_client.post(reverse("delivery_note_create", args=[order.pk]), {"notes": "x"})
        assert response.status_code == 422 and response.context["form"].non_field_errors()
        assert not DeliveryNote.objects.exists()

    def test_salespeople_cannot_make_notes(self, seller_client, order):
        response = seller_client.post(reverse("delivery_note_create", args=[order.pk]), {})
        assert response.status_code == 403 and not DeliveryNote.objects.exists()


class TestActions:
    def test_pick_pack_in_two_parcels_and_ship_through_the_pages(self, keeper_client, keeper, order, laptop, mouse,
                                                                  sf, warehouse):
        note = make_note(keeper, order, {line_of(order, laptop): 2, line_of(order, mouse): 10})
        response = keeper_client.post(note_url("delivery_note_pick", note), {"version": note.version})
        assert response.status_code == 302 and fresh(note).status == Status.PICKING
        note = fresh(note)
        response = keeper_client.post(note_url("delivery_note_pack", note), {
            "version": note.version, "parcel_count": "2", "weight_kg": "6.5", "carrier": sf.pk, "service": "标快",
            "tracking_numbers": "SF1001\nSF1002", "freight_charge": "23.00"})
        assert response.status_code == 302
        note = fresh(note)
        assert (note.status, note.parcel_count, note.weight_kg, note.carrier_id, note.freight_charge) == (
            Status.PACKED, 2, Decimal("6.5"), sf.pk, Decimal("23.00"))
        assert list(note.tracking_numbers.values_list("number", flat=True)) == ["SF1001", "SF1002"]
        today = timezone.localdate().isoformat()
        response = keeper_client.post(note_url("delivery_note_ship", note), {"version": note.version,
                                                                             "ship_date": today})
        assert response.status_code == 302
        note = fresh(note)
        assert note.status == Status.SHIPPED and note.ship_date.isoformat() == today
        assert stock_of(laptop, warehouse) == (Decimal(98), Decimal(3))
        assert stock_of(mouse, warehouse) == (Decimal(90), Decimal(0))
        order.refresh_from_db()
        assert order.fulfilment_status == FulfilmentStatus.PARTLY_SHIPPED
        detail = page(keeper_client.get(note_url("delivery_note_detail", note)))
        assert "https://www.sf-express.com/we/ow/chn/sc/waybill/waybill-detail/SF1002" in detail
        assert "Handed to the carrier" in detail  # the timeline's first event
        assert "Add tracking event" in detail and note_url("delivery_note_ship", note) not in detail

    def test_an_htmx_action_answers_with_the_note_fragment(self, keeper_client, keeper, order):
        note = make_note(keeper, order)
        response = keeper_client.post(note_url("delivery_note_pick", note), {"version": note.version}, **HTMX)
        body = page(response)
        assert response.status_code == 200 and "<html" not in body and 'id="note"' in body
        assert f"{note.number}: picking started." in body
        assert note_url("delivery_note_pack", note) in body  # the next step is offered at once

    def test_bad_packing_shows_the_errors_beside_the_fields_and_changes_nothing(self, keeper_client, keeper, order,
                                                                               admin):
        note = services.start_picking(actor=keeper, note_id=make_note(keeper, order).pk)
        retired = carriers.create_carrier(actor=admin, data={"code": "OLD", "name": "停用快递", "active": False})
        response = keeper_client.post(note_url("delivery_note_pack", note), {
            "version": note.version, "parcel_count": "0", "weight_kg": "-2", "carrier": retired.pk,
            "tracking_numbers": "SF 1001", "freight_charge": "1.234"})
        assert response.status_code == 422
        for name in ("parcel_count", "weight_kg", "tracking_numbers", "freight_charge"):
            assert field_errors(response, name, "pack"), name
        assert field_errors(response, "carrier", "pack") == ["Choose an active carrier."]
        assert f'<option value="{retired.pk}"' not in page(response)  # an inactive carrier is not offered
        after = fresh(note)
        assert (after.status, after.version, after.parcel_count) == (Status.PICKING, note.version, 0)
        assert not after.tracking_numbers.exists()

    def test_the_service_names_the_field_it_refuses(self, keeper_client, keeper, order):
        note = services.start_picking(actor=keeper, note_id=make_note(keeper, order).pk)
        response = keeper_client.post(note_url("delivery_note_pack", note), {
            "version": note.version, "parcel_count": "abc", "tracking_numbers": "SF 1001"})
        assert response.status_code == 422
        assert field_errors(response, "parcel_count", "pack") == ["Enter a whole number."]
        assert field_errors(response, "tracking_numbers", "pack") == [
            "A tracking number has at most 60 characters, without spaces."]
        assert 'value="abc"' in page(response)  # what was typed stays
        assert fresh(note).status == Status.PICKING

    def test_a_stale_version_is_refused_with_a_message(self, keeper_client, keeper, keeper2, order):
        note = make_note(keeper, order)
        opened = note.version
        services.start_picking(actor=keeper2, note_id=note.pk)
        response = keeper_client.post(note_url("delivery_note_cancel", note), {"version": opened, "reason": "x"})
        assert response.status_code == 409
        assert f"Someone else changed {note.number} since you opened it: it is now “Picking”." in page(response)
        assert fresh(note).status == Status.PICKING
        for version in ({}, {"version": "abc"}):  # no version, or one that cannot be read
            response = keeper_client.post(note_url("delivery_note_cancel", note), {"reason": "x", **version})
            assert response.status_code == 409 and fresh(note).status == Status.PICKING
            assert "since you opened it" in page(response)

    def test_a_move_the_state_does_not_allow_is_a_message(self, keeper_client, keeper, order):
        note = make_note(keeper, order)
        response = keeper_client.post(note_url("delivery_note_ship", note), {"version": note.version})
        assert response.status_code == 409 and "Cannot change from “Draft” to “Shipped”." in page(response)
        assert fresh(note).status == Status.DRAFT and not StockMove.objects.filter(reference=note.number).exists()

    def test_a_ship_date_to_come_is_refused(self, keeper_client, keeper, order):
        note = packed(keeper, make_note(keeper, order))
        response = keeper_client.post(note_url("delivery_note_ship", note), {"version": note.version,
                                                                             "ship_date": "2099-01-01"})
        assert response.status_code == 422 and field_errors(response, "ship_date", "ship")
        assert fresh(note).status == Status.PACKED

    def test_reopen_and_cancel(self, keeper_client, keeper, order, laptop, warehouse):
        note = packed(keeper, make_note(keeper, order))
        response = keeper_client.post(note_url("delivery_note_reopen", note), {"version": note.version})
        assert response.status_code == 302 and fresh(note).status == Status.PICKING
        note = fresh(note)
        response = keeper_client.post(note_url("delivery_note_cancel", note), {"version": note.version,
                                                                               "reason": "客户改期"})
        assert response.status_code == 302
        note = fresh(note)
        assert (note.status, note.cancel_reason) == (Status.CANCELLED, "客户改期")
        assert stock_of(laptop, warehouse) == (Decimal(100), Decimal(5))  # still reserved for the order
        assert "客户改期" in page(keeper_client.get(note_url("delivery_note_detail", note)))

    def test_tracking_events_move_the_note_to_delivered(self, keeper_client, keeper, order, sf):
        note = shipped(keeper, make_note(keeper, order), carrier_id=sf.pk, tracking_numbers=["SF1"])
        url = note_url("delivery_note_event", note)
        response = keeper_client.post(url, {"version": note.version, "kind": "in_transit", "location": "深圳转运中心"})
        assert response.status_code == 302 and fresh(note).status == Status.IN_TRANSIT
        note = fresh(note)
        response = keeper_client.post(url, {"version": note.version, "kind": "delivered"})
        assert response.status_code == 422 and field_errors(response, "signed_by", "event")
        assert fresh(note).status == Status.IN_TRANSIT
        response = keeper_client.post(url, {"version": note.version, "kind": "exception"})
        assert response.status_code == 422 and field_errors(response, "exception_reason", "event")
        response = keeper_client.post(url, {"version": note.version, "kind": "delivered", "signed_by": "王芳",
                                            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
        assert response.status_code == 302
        note = fresh(note)
        assert (note.status, note.received_by) == (Status.DELIVERED, "王芳")
        detail = page(keeper_client.get(note_url("delivery_note_detail", note)))
        assert "深圳转运中心" in detail and "王芳" in detail
        assert note_url("delivery_note_event", note) not in detail  # delivered: nothing more to record

    def test_an_event_time_still_to_come_is_refused(self, keeper_client, keeper, order):
        note = shipped(keeper, make_note(keeper, order))
        response = keeper_client.post(note_url("delivery_note_event", note), {
            "version": note.version, "kind": "note", "occurred_at": "2099-01-01T10:00"})
        assert response.status_code == 422 and field_errors(response, "occurred_at", "event")
        assert TrackingEvent.objects.filter(note=note).count() == 1  # only "shipped"

    @pytest.mark.parametrize("action", ["pick", "pack", "reopen", "ship", "cancel", "event"])
    def test_salespeople_cannot_act(self, seller_client, keeper, order, action):
        note = make_note(keeper, order)
        response = seller_client.post(reverse(f"delivery_note_{action}", args=[note.pk]),
                                      {"version": note.version, "parcel_count": "1", "kind": "note"})
        assert response.status_code == 403
        assert fresh(note).status == Status.DRAFT and fresh(note).version == note.version


class TestOrderPage:
    def test_shows_shipped_and_remaining_per_line_and_the_notes(self, keeper_client, seller_client, keeper, order,
                                                                 laptop, sf):
        first = shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 2}), carrier_id=sf.pk,
                        tracking_numbers=["SF42"])
        second = make_note(keeper, order, {line_of(order, laptop): 1})
        url = reverse("order_detail", args=[order.pk])
        response = keeper_client.get(url)
        [laptop_state, mouse_state] = [row["state"] for row in response.context["shipping"]["lines"]]
        assert (laptop_state.line.shipped_quantity, laptop_state.on_notes, laptop_state.remaining) == (2, 1, 2)
        assert (mouse_state.line.shipped_quantity, mouse_state.remaining) == (0, 10)
        body = page(response)
        assert first.number in body and second.number in body and "Partly shipped" in body
        assert "https://www.sf-express.com/we/ow/chn/sc/waybill/waybill-detail/SF42" in body
        assert reverse("delivery_note_create", args=[order.pk]) in body
        seller_page = page(seller_client.get(url))
        assert first.number in seller_page and reverse("delivery_note_create", args=[order.pk]) not in seller_page

    def test_a_draft_order_has_no_shipping_panel(self, seller_client, seller, customer, laptop):
        draft = make_order(seller, customer, lines=[(laptop, 1)])
        response = seller_client.get(reverse("order_detail", args=[draft.pk]))
        assert response.status_code == 200 and 'id="order-shipping"' not in page(response)


class TestLargeNotes:
    def test_the_note_page_does_not_query_per_line(self, keeper_client, keeper, seller, customer, warehouse,
                                                   django_assert_max_num_queries):
        products = [make_product(name=f"零件{i}", list_price=Decimal("1.00")) for i in range(30)]
        for product in products:
            receive_stock(product, 10, warehouse)
        small = confirmed_order(seller, customer, [(products[0], 1)], warehouse_id=warehouse.pk)
        big = confirmed_order(seller, customer, [(p, 2) for p in products], warehouse_id=warehouse.pk)
        small_note, big_note = make_note(keeper, small), make_note(keeper, big)
        counts = []
        for note in (small_note, big_note):
            with django_assert_max_num_queries(40) as captured:
                response = keeper_client.get(note_url("delivery_note_detail", note))
            assert response.status_code == 200
            counts.append(len(captured))
        assert counts[0] == counts[1]
        with django_assert_max_num_queries(40) as captured:
            keeper_client.get(reverse("delivery_note_create", args=[big.pk]))
        with django_assert_max_num_queries(len(captured)):
            keeper_client.get(reverse("delivery_note_create", args=[small.pk]))
        with django_assert_max_num_queries(40) as captured:
            keeper_client.get(reverse("order_detail", args=[big.pk]))
        assert len(captured) < 40


def test_tracking_from_a_carrier_shows_on_the_page(keeper_client, keeper, order, sf):
    note = shipped(keeper, make_note(keeper, order), carrier_id=sf.pk, tracking_numbers=["SF9"])
    tracking.add_carrier_event(carrier=sf, data={"tracking_number": "SF9", "kind": "out_for_delivery",
                                                 "location": "南山营业部", "event_id": "e-1"})
    body = page(keeper_client.get(note_url("delivery_note_detail", note)))
    assert "南山营业部" in body and "Out for delivery" in body and sf.name in body
