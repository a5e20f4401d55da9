"""The shipping REST API: delivery notes made from orders (whole or chosen lines, idempotent retries,
over-shipment and unreserved quantities refused by line, bad input 422 by field with nothing written),
the warehouse's pick → pack → ship → tracking → delivered walk with its stock moves, illegal and stale
changes (409), an order's shipping state, the work queue, and who may see and do what."""

import datetime
from decimal import Decimal as D

import pytest

from kaidan.core.roles import Role
from kaidan.sales.states import FulfilmentStatus
from kaidan.shipping.models import DeliveryNote, TrackingEvent
from tests.catalog.factories import make_product
from tests.conftest import TokenClient
from tests.inventory.factories import in_stock, stock_of
from tests.parties.factories import make_customer
from tests.shipping.factories import confirmed_order, line_of, make_note, packed, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Messages are compared in English: a client that names no language gets the default one."""
    settings.LANGUAGE_CODE = "en"

NOTES = "/api/delivery-notes"
TODAY = datetime.date.today()


@pytest.fixture
def api(keeper):
    """The warehouse keeper: creates, picks, packs and ships notes."""
    return TokenClient(keeper)


@pytest.fixture
def order(seller, customer, laptop, mouse, warehouse):
    """A confirmed order of the seller's: 5 laptops and 10 mice, all reserved."""
    return confirmed_order(seller, customer, [(laptop, 5), (mouse, 10)], warehouse_id=warehouse.pk)


def fields_of(response) -> dict:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error" and body["message"]
    return body["detail"]["fields"]


def conflict(response, code: str) -> dict:
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == code and body["message"]
    return body


def choose(order, **quantities) -> list[dict]:
    """[{order_line_id, quantity}] by product name in the fixtures: choose(order, laptop=(laptop, "2"))."""
    return [{"order_line_id": line_of(order, product).pk, "quantity": quantity}
            for product, quantity in quantities.values()]


class TestCreate:
    def test_a_note_of_everything_reserved_answers_201_with_its_detail(self, api, order, laptop, mouse, customer,
                                                                       warehouse):
        response = api.post(NOTES, {"order_id": order.pk, "notes": "前台签收"})
        assert response.status_code == 201, response.content
        body = response.json()
        note = DeliveryNote.objects.get()
        assert body["id"] == note.pk and body["number"] == note.number and body["number"].startswith("DN")
        assert (body["status"], body["order_id"], body["order_number"]) == ("draft", order.pk, order.number)
        assert (body["customer_id"], body["customer_name"], body["warehouse_code"]) == (
            customer.pk, "深圳恒达电子有限公司", warehouse.code)
        assert body["notes"] == "前台签收" and body["shipping_address_text"] and body["line_count"] == 2
        assert body["version"] == 1 and body["created_by"] == api.user.username
        assert body["actions"] == ["pick", "cancel"]
        first = body["lines"][0]
        assert {k: first[k] for k in ("position", "order_line_id", "order_line_position", "product_id", "sku",
                                      "name", "spec", "model", "unit", "quantity")} == {
            "position": 1, "order_line_id": line_of(order, laptop).pk, "order_line_position": 1,
            "product_id": laptop.pk, "sku": laptop.sku, "name": "笔记本电脑", "spec": "14英寸 16G/512G",
            "model": "ThinkPad E14", "unit": "pcs", "quantity": "5.0000"}
        assert [(line["sku"], line["quantity"]) for line in body["lines"]] == [(laptop.sku, "5.0000"),
                                                                              (mouse.sku, "10.0000")]
        # the warehouse does not see costs; nothing has shipped, nothing has a tracking number yet
        assert body["cost_amount"] is None and first["unit_cost"] is None and first["cost_amount"] is None
        assert body["tracking"] == [] and body["timeline"] == [] and body["tracking_numbers"] == []
        assert api.get(f"{NOTES}/{note.pk}").json() == body

    def test_a_partial_note_of_chosen_lines_as_strings_or_numbers(self, api, order, laptop, mouse):
        response = api.post(NOTES, {"order_id": order.pk, "lines": choose(order, a=(laptop, "2"), b=(mouse, 3))})
        assert response.status_code == 201, response.content
        assert [(line["sku"], line["quantity"]) for line in response.json()["lines"]] == [
            (laptop.sku, "2.0000"), (mouse.sku, "3.0000")]
        # a second note takes what is left (3 laptops and 7 mice), the order can have several
        second = api.post(NOTES, {"order_id": order.pk})
        assert [(line["sku"], line["quantity"]) for line in second.json()["lines"]] == [
            (laptop.sku, "3.0000"), (mouse.sku, "7.0000")]
        assert conflict(api.post(NOTES, {"order_id": order.pk}), "nothing_to_ship")
        assert DeliveryNote.objects.filter(order=order).count() == 2

    def test_the_same_idempotency_key_makes_one_note_and_another_body_is_refused(self, api, order, laptop):
        body, key = {"order_id": order.pk, "lines": choose(order, a=(laptop, "1"))}, {"Idempotency-Key": "dn-1"}
        first = api.post(NOTES, body, headers=key)
        again = api.post(NOTES, body, headers=key)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
        assert DeliveryNote.objects.count() == 1
        other = api.post(NOTES, {"order_id": order.pk, "lines": choose(order, a=(laptop, "2"))}, headers=key)
        assert "Idempotency-Key" in fields_of(other) and DeliveryNote.objects.count() == 1

    def test_more_than_left_to_ship_is_409_naming_the_line(self, api, keeper, order, laptop, mouse):
        make_note(keeper, order, {line_of(order, laptop): 2})
        response = api.post(NOTES, {"order_id": order.pk, "lines": choose(order, a=(laptop, "4"), b=(mouse, "1"))})
        body = conflict(response, "over_shipment")
        assert f"Line 1 ({laptop.sku})" in body["message"]
        assert [(line["order_line_id"], line["position"], line["asked"], line["remaining"])
                for line in body["detail"]["lines"]] == [(line_of(order, laptop).pk, 1, "4", "3.0000")]
        assert DeliveryNote.objects.count() == 1

    def test_more_than_reserved_is_409_not_reserved(self, api, seller, customer, warehouse):
        scarce = in_stock(make_product(name="显示器"), warehouse, 3)
        order = confirmed_order(seller, customer, [(scarce, 5)], stocked=False, allow_partial_shipment=True,
                                warehouse_id=warehouse.pk)
        response = api.post(NOTES, {"order_id": order.pk, "lines": choose(order, a=(scarce, "4"))})
        body = conflict(response, "not_reserved")
        assert f"Line 1 ({scarce.sku})" in body["message"]
        assert body["detail"]["lines"][0]["reserved"] == "3.0000" and not DeliveryNote.objects.exists()
        # without lines: what is reserved ships, the rest waits
        whole = api.post(NOTES, {"order_id": order.pk}).json()
        assert [line["quantity"] for line in whole["lines"]] == ["3.0000"]

    def test_an_order_not_confirmed_cannot_ship(self, api, seller, customer, laptop, warehouse):
        from tests.sales.factories import make_order

        draft = make_order(seller, customer, lines=[(laptop, 1)], warehouse_id=warehouse.pk)
        assert conflict(api.post(NOTES, {"order_id": draft.pk}), "order_not_confirmed")
        assert api.post(NOTES, {"order_id": 99999999}).status_code == 404

    @pytest.mark.parametrize("lines, field", [
        ([{"quantity": "abc"}], "lines.0.quantity"),
        ([{"quantity": "-1"}], "lines.0.quantity"),
        ([{"quantity": "0"}], "lines.0.quantity"),
        ([{"quantity": "1.23456"}], "lines.0.quantity"),
        ([{"quantity": "1", "colour": "red"}], "lines.0.colour"),
        ([{"order_line_id": 99999999, "quantity": "1"}], "lines.0.order_line_id"),
        ([{"order_line_id": "x", "quantity": "1"}], "lines.0.order_line_id"),
        ([], "lines"),
    ])
    def test_bad_lines_are_422_naming_the_field_and_nothing_is_written(self, api, order, laptop, lines, field):
        body_lines = [{"order_line_id": line_of(order, laptop).pk, **line} for line in lines]
        fields = fields_of(api.post(NOTES, {"order_id": order.pk, "lines": body_lines}))
        assert field in fields, fields
        assert not DeliveryNote.objects.exists()

    def test_unknown_fields_nul_characters_and_bad_ids_are_422(self, api, order):
        assert "carrier" in fields_of(api.post(NOTES, {"order_id": order.pk, "carrier": "SF"}))
        assert "notes" in fields_of(api.post(NOTES, {"order_id": order.pk, "notes": "a\x00b"}))
        assert "order_id" in fields_of(api.post(NOTES, {"order_id": 0}))
        assert "order_id" in fields_of(api.post(NOTES, {}))
        assert "notes" in fields_of(api.post(NOTES, {"order_id": order.pk, "notes": "长" * 2001}))
        bad_json = api.post(NOTES, raw="{not json")
        assert bad_json.status_code in (400, 422) and bad_json.json()["code"] in ("bad_request", "validation_error")
        assert not DeliveryNote.objects.exists()


class TestTheWarehouseWalk:
    def test_pick_pack_ship_track_and_deliver_with_the_stock_moving_once(self, api, seller, order, laptop, mouse,
                                                                         sf, warehouse):
        note = api.post(NOTES, {"order_id": order.pk, "lines": choose(order, a=(laptop, "2"))}).json()
        url = f"{NOTES}/{note['id']}"

        picked = api.post(f"{url}/pick", {"version": 1})
        assert picked.status_code == 200, picked.content
        assert (picked.json()["status"], picked.json()["version"]) == ("picking", 2)
        assert picked.json()["picked_by"] == api.user.username and picked.json()["actions"] == ["pack", "cancel"]

        packing = {"version": 2, "parcel_count": 2, "weight_kg": "5.2", "carrier_id": sf.pk, "service": "标快",
                   "tracking_numbers": ["SF1234567890", "SF1234567891"], "freight_charge": "23"}
        body = api.post(f"{url}/pack", packing).json()
        assert (body["status"], body["parcel_count"], body["weight_kg"], body["service"]) == (
            "packed", 2, "5.200", "标快")
        assert (body["carrier_id"], body["carrier_code"], body["freight_charge"]) == (sf.pk, "SF", "23.00")
        assert body["tracking"] == [
            {"number": "SF1234567890", "url": "https://www.sf-express.com/we/ow/chn/sc/waybill/waybill-detail/"
                                              "SF1234567890"},
            {"number": "SF1234567891", "url": "https://www.sf-express.com/we/ow/chn/sc/waybill/waybill-detail/"
                                              "SF1234567891"}]
        assert body["actions"] == ["reopen", "ship", "cancel"]
        assert stock_of(laptop, warehouse) == (D(100), D(5))  # nothing has left yet

        shipped_note = api.post(f"{url}/ship", {"version": 3, "ship_date": TODAY.isoformat()})
        assert shipped_note.status_code == 200, shipped_note.content
        body = shipped_note.json()
        assert (body["status"], body["ship_date"], body["shipped_by"]) == ("shipped", TODAY.isoformat(),
                                                                           api.user.username)
        assert body["shipped_at"] and body["actions"] == ["add_event"]
        assert [(e["kind"], e["source"], e["location"]) for e in body["timeline"]] == [
            ("shipped", "system", warehouse.name)]
        assert stock_of(laptop, warehouse) == (D(98), D(3)) and stock_of(mouse, warehouse) == (D(100), D(10))

        # the order shows it: 2 of 5 laptops shipped, partly shipped
        order_body = TokenClient(seller).get(f"/api/orders/{order.pk}").json()
        assert order_body["fulfilment_status"] == FulfilmentStatus.PARTLY_SHIPPED
        assert [(line["sku"], line["shipped_quantity"]) for line in order_body["lines"]] == [
            (laptop.sku, "2.0000"), (mouse.sku, "0.0000")]

        # shipping again is refused and moves nothing
        assert conflict(api.post(f"{url}/ship", {}), "invalid_transition")
        assert stock_of(laptop, warehouse) == (D(98), D(3))

        moved = api.post(f"{url}/events", {"kind": "in_transit", "location": "深圳转运中心", "version": 4})
        assert moved.status_code == 201, moved.content
        assert moved.json()["status"] == "in_transit"
        assert "signed_by" in fields_of(api.post(f"{url}/events", {"kind": "delivered"}))
        key = {"Idempotency-Key": "deliver-1"}
        delivered = api.post(f"{url}/events", {"kind": "delivered", "signed_by": "王芳", "location": "客户前台"},
                             headers=key)
        again = api.post(f"{url}/events", {"kind": "delivered", "signed_by": "王芳", "location": "客户前台"},
                         headers=key)
        assert delivered.status_code == again.status_code == 201 and again.json() == delivered.json()
        body = delivered.json()
        assert (body["status"], body["received_by"]) == ("delivered", "王芳") and body["delivered_at"]
        assert [(e["kind"], e["kind_label"], e["signed_by"]) for e in body["timeline"]] == [
            ("shipped", "Handed to the carrier", ""), ("in_transit", "In transit", ""),
            ("delivered", "Delivered", "王芳")]
        assert body["timeline"][1]["created_by"] == api.user.username
        assert TrackingEvent.objects.filter(kind="delivered").count() == 1
        # delivered is the end: it cannot go back in transit, but a note can still be added
        assert conflict(api.post(f"{url}/events", {"kind": "in_transit"}), "invalid_transition")
        assert api.post(f"{url}/events", {"kind": "note", "description": "客户来电确认"}).status_code == 201

    def test_an_exception_needs_its_reason_and_a_draft_has_no_tracking(self, api, keeper, order, laptop):
        draft = make_note(keeper, order, {line_of(order, laptop): 1})
        assert conflict(api.post(f"{NOTES}/{draft.pk}/events", {"kind": "in_transit"}), "not_shipped")
        note = shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 1}))
        url = f"{NOTES}/{note.pk}/events"
        assert "exception_reason" in fields_of(api.post(url, {"kind": "exception"}))
        assert "exception_reason" in fields_of(api.post(url, {"kind": "exception", "exception_reason": "stolen"}))
        assert "kind" in fields_of(api.post(url, {"kind": "shipped"}))
        assert "occurred_at" in fields_of(api.post(url, {"kind": "note", "occurred_at": "2999-01-01T00:00:00"}))
        assert "location" in fields_of(api.post(url, {"kind": "note", "location": "\x00"}))
        body = api.post(url, {"kind": "exception", "exception_reason": "damaged", "description": "外箱破损"}).json()
        assert (body["status"], body["exception_reason"], body["exception_reason_label"]) == (
            "exception", "damaged", "Damaged")

    def test_shipping_a_draft_is_409_and_nothing_moves(self, api, keeper, order, laptop, warehouse):
        note = make_note(keeper, order, {line_of(order, laptop): 2})
        body = conflict(api.post(f"{NOTES}/{note.pk}/ship", {}), "invalid_transition")
        assert body["detail"] == {"current": "Draft", "target": "Shipped"}
        assert conflict(api.post(f"{NOTES}/{note.pk}/pack", {"parcel_count": 1}), "invalid_transition")
        assert conflict(api.post(f"{NOTES}/{note.pk}/reopen"), "invalid_transition")
        note.refresh_from_db()
        assert note.status == "draft" and stock_of(laptop, warehouse) == (D(100), D(5))

    def test_a_stale_version_is_409_and_changes_nothing(self, api, keeper, order, laptop):
        note = make_note(keeper, order, {line_of(order, laptop): 2})
        url = f"{NOTES}/{note.pk}"
        assert api.post(f"{url}/pick", {"version": 1}).status_code == 200
        body = conflict(api.post(f"{url}/pack", {"version": 1, "parcel_count": 1}), "stale_edit")
        assert body["detail"]["current_version"] == 2
        assert conflict(api.post(f"{url}/cancel", {"version": 1, "reason": "x"}), "stale_edit")
        note.refresh_from_db()
        assert (note.status, note.version) == ("picking", 2)

    def test_bad_packing_is_422_by_field_and_the_note_stays_as_it_was(self, api, keeper, order, laptop, sf):
        note = services_picking(keeper, make_note(keeper, order, {line_of(order, laptop): 2}))
        url = f"{NOTES}/{note.pk}/pack"
        assert "freight_charge" in fields_of(api.post(url, {"parcel_count": 1, "freight_charge": "-5"}))
        assert "freight_charge" in fields_of(api.post(url, {"parcel_count": 1, "freight_charge": "1.234"}))
        assert "weight_kg" in fields_of(api.post(url, {"parcel_count": 1, "weight_kg": "0"}))
        assert "parcel_count" in fields_of(api.post(url, {"parcel_count": 0}))
        assert "parcel_count" in fields_of(api.post(url, {}))
        assert "tracking_numbers.1" in fields_of(api.post(url, {"parcel_count": 1,
                                                                "tracking_numbers": ["SF1", "SF 2"]}))
        assert "carrier_id" in fields_of(api.post(url, {"parcel_count": 1, "carrier_id": 99999999}))
        assert "service" in fields_of(api.post(url, {"parcel_count": 1, "service": "a\x00"}))
        assert "colour" in fields_of(api.post(url, {"parcel_count": 1, "colour": "red"}))
        sf.active = False
        sf.save()
        assert "carrier_id" in fields_of(api.post(url, {"parcel_count": 1, "carrier_id": sf.pk}))
        note.refresh_from_db()
        assert (note.status, note.version, note.tracking_numbers.count()) == ("picking", 2, 0)

    def test_a_ship_date_in_the_future_is_422(self, api, keeper, order, laptop):
        note = packed(keeper, make_note(keeper, order, {line_of(order, laptop): 1}))
        tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
        assert "ship_date" in fields_of(api.post(f"{NOTES}/{note.pk}/ship", {"ship_date": tomorrow}))
        assert "ship_date" in fields_of(api.post(f"{NOTES}/{note.pk}/ship", {"ship_date": "yesterday"}))
        note.refresh_from_db()
        assert note.status == "packed"

    def test_reopen_and_cancel_give_the_quantities_back_to_the_order(self, api, keeper, order, laptop, warehouse):
        note = packed(keeper, make_note(keeper, order, {line_of(order, laptop): 5}))
        url = f"{NOTES}/{note.pk}"
        reopened = api.post(f"{url}/reopen", {"version": note.version}).json()
        assert reopened["status"] == "picking" and reopened["packed_at"] is None
        cancelled = api.post(f"{url}/cancel", {"reason": "客户改期"}).json()
        assert (cancelled["status"], cancelled["cancel_reason"], cancelled["actions"]) == (
            "cancelled", "客户改期", [])
        assert stock_of(laptop, warehouse) == (D(100), D(5))  # still reserved for the order
        line = next(line for line in api.get(f"/api/orders/{order.pk}/shipping").json()["lines"]
                    if line["sku"] == laptop.sku)
        assert (line["on_notes"], line["remaining"], line["shippable_now"]) == ("0.0000", "5.0000", "5.0000")
        assert "reason" in fields_of(api.post(f"{url}/cancel", {"reason": "x" * 201}))

    def test_unknown_notes_are_404(self, api):
        assert api.get(f"{NOTES}/99999999").status_code == 404
        for action in ("pick", "reopen", "ship", "cancel"):
            response = api.post(f"{NOTES}/99999999/{action}", {})
            assert response.status_code == 404 and response.json()["code"] == "not_found", action
        assert api.post(f"{NOTES}/99999999/events", {"kind": "note"}).status_code == 404


def services_picking(actor, note):
    from kaidan.shipping import services

    return services.start_picking(actor=actor, note_id=note.pk)


class TestReads:
    def test_the_list_with_its_filters(self, api, keeper, seller, customer, order, laptop, mouse, sf, warehouse):
        first = shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 2}), carrier_id=sf.pk,
                        tracking_numbers=["SF0001"])
        second = make_note(keeper, order, {line_of(order, mouse): 4})
        other_customer = make_customer(seller, name="广州新锐贸易")
        other = make_note(keeper, confirmed_order(seller, other_customer, [(mouse, 1)], warehouse_id=warehouse.pk))

        def numbers(**params):
            response = api.get(NOTES, params)
            assert response.status_code == 200, response.content
            return [item["number"] for item in response.json()["items"]]

        body = api.get(NOTES).json()
        assert body["count"] == 3 and body["limit"] == 50 and body["offset"] == 0
        assert numbers() == [other.number, second.number, first.number]  # newest first
        item = body["items"][2]
        assert (item["status"], item["status_label"], item["carrier_name"], item["tracking_numbers"]) == (
            "shipped", "Shipped", "顺丰速运", ["SF0001"])
        assert (item["order_number"], item["customer_name"], item["ship_date"]) == (
            order.number, "深圳恒达电子有限公司", TODAY.isoformat())
        assert numbers(status="open") == [other.number, second.number]
        assert numbers(status="on_the_way") == [first.number]
        assert numbers(status="shipped") == [first.number]
        assert numbers(order_id=order.pk) == [second.number, first.number]
        assert numbers(customer_id=other_customer.pk) == [other.number]
        assert numbers(carrier_id=sf.pk) == [first.number]
        assert numbers(warehouse_id=warehouse.pk, limit=1, offset=2) == [first.number]
        assert numbers(q="SF0001") == [first.number]
        assert numbers(q=other.number) == [other.number]
        assert numbers(q="新锐") == [other.number]
        assert numbers(sort="number") == sorted([first.number, second.number, other.number])
        assert numbers(date_from=TODAY.isoformat(), date_to=TODAY.isoformat()) == numbers()
        assert numbers(date_to=(TODAY - datetime.timedelta(days=1)).isoformat()) == []
        assert "sort" in fields_of(api.get(NOTES, {"sort": "cost_amount"}))
        assert "status" in fields_of(api.get(NOTES, {"status": "lost"}))
        assert "date_from" in fields_of(api.get(NOTES, {"date_from": "soon"}))

    def test_the_list_takes_a_fixed_number_of_queries(self, api, keeper, order, laptop, mouse, sf,
                                                      django_assert_max_num_queries):
        for product in (laptop, mouse):
            shipped(keeper, make_note(keeper, order, {line_of(order, product): 1}), carrier_id=sf.pk,
                    tracking_numbers=[f"SF-{product.pk}"])
        with django_assert_max_num_queries(12):
            assert api.get(NOTES).json()["count"] == 2
        for _ in range(3):
            make_note(keeper, order, {line_of(order, laptop): 1})
        with django_assert_max_num_queries(12):
            assert api.get(NOTES).json()["count"] == 5

    def test_an_orders_shipping_state_line_by_line(self, api, keeper, seller, customer, laptop, installation, sf,
                                                   warehouse):
        order = confirmed_order(seller, customer, [(laptop, 5), (installation, 1)], warehouse_id=warehouse.pk)
        first = shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 2}), carrier_id=sf.pk,
                        tracking_numbers=["SF777"])
        make_note(keeper, order, {line_of(order, laptop): 1})
        response = api.get(f"/api/orders/{order.pk}/shipping")
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["order_number"], body["status"], body["fulfilment_status"], body["can_create_note"]) == (
            order.number, "confirmed", "partly_shipped", True)
        assert [(line["sku"], line["ordered"], line["shipped"], line["on_notes"], line["reserved"],
                 line["remaining"], line["shippable_now"], line["tracked"]) for line in body["lines"]] == [
            (laptop.sku, "5.0000", "2.0000", "1.0000", "3.0000", "2.0000", "2.0000", True),
            (installation.sku, "1.0000", "0.0000", "0.0000", "0.0000", "1.0000", "1.0000", False)]
        assert body["lines"][0]["order_line_id"] == line_of(order, laptop).pk and body["lines"][0]["unit"] == "pcs"
        assert [(n["number"], n["status"], n["carrier_name"]) for n in body["notes"]][0] == (
            first.number, "shipped", "顺丰速运")
        assert body["notes"][0]["tracking"][0]["number"] == "SF777"
        assert body["notes"][0]["tracking"][0]["url"].endswith("/SF777")
        assert body["notes"][1]["status"] == "draft" and body["notes"][1]["tracking"] == []
        assert api.get("/api/orders/99999999/shipping").status_code == 404

    def test_the_work_queue_with_counts_per_state(self, api, keeper, seller, customer, laptop, mouse, warehouse):
        ready = confirmed_order(seller, customer, [(laptop, 1)], warehouse_id=warehouse.pk,
                                requested_date=TODAY + datetime.timedelta(days=1))
        scarce = in_stock(make_product(name="投影仪"), warehouse, 1)
        partly = confirmed_order(seller, customer, [(scarce, 3)], stocked=False, allow_partial_shipment=True,
                                 warehouse_id=warehouse.pk, requested_date=TODAY + datetime.timedelta(days=2))
        on_notes = confirmed_order(seller, customer, [(mouse, 2)], warehouse_id=warehouse.pk,
                                   requested_date=TODAY + datetime.timedelta(days=3))
        make_note(keeper, on_notes)
        body = api.get("/api/shipping/queue").json()
        assert body["counts"] == {"ready": 1, "partly": 1, "waiting": 0, "on_notes": 1} and body["count"] == 3
        assert [(row["order_number"], row["state"]) for row in body["items"]] == [
            (ready.number, "ready"), (partly.number, "partly"), (on_notes.number, "on_notes")]
        row = body["items"][1]
        assert (row["lines_left"], row["quantity_left"], row["shippable_now"], row["customer_name"]) == (
            1, "3.0000", "1.0000", "深圳恒达电子有限公司")
        assert body["items"][2]["open_notes"] == [DeliveryNote.objects.get(order=on_notes).number]
        only = api.get("/api/shipping/queue", {"state": "partly"}).json()
        assert only["counts"] == body["counts"] and [r["order_id"] for r in only["items"]] == [partly.pk]
        soon = api.get("/api/shipping/queue", {"requested_by": (TODAY + datetime.timedelta(days=1)).isoformat()})
        assert [r["order_id"] for r in soon.json()["items"]] == [ready.pk]
        assert api.get("/api/shipping/queue", {"q": partly.number}).json()["count"] == 1
        assert "state" in fields_of(api.get("/api/shipping/queue", {"state": "lost"}))


class TestWhoMaySeeAndDoWhat:
    def test_sales_sees_the_notes_of_its_orders_and_changes_nothing(self, keeper, seller, order, laptop, make_user,
                                                                    warehouse):
        note = make_note(keeper, order, {line_of(order, laptop): 2})
        sales = TokenClient(seller)
        assert [item["id"] for item in sales.get(NOTES).json()["items"]] == [note.pk]
        body = sales.get(f"{NOTES}/{note.pk}").json()
        assert body["number"] == note.number and body["actions"] == [] and body["cost_amount"] is None
        assert sales.get(f"/api/orders/{order.pk}/shipping").status_code == 200
        for action, payload in [("pick", {}), ("pack", {"parcel_count": 1}), ("ship", {}), ("cancel", {}),
                                ("events", {"kind": "note"})]:
            response = sales.post(f"{NOTES}/{note.pk}/{action}", payload)
            assert response.status_code == 403 and response.json()["code"] == "forbidden", action
        assert sales.post(NOTES, {"order_id": order.pk}).status_code == 403
        note.refresh_from_db()
        assert (note.status, DeliveryNote.objects.count()) == ("draft", 1)

        # another salesperson does not see this order's notes at all
        other = TokenClient(make_user(Role.SALES))
        assert other.get(NOTES).json()["count"] == 0
        assert other.get(f"{NOTES}/{note.pk}").status_code == 404
        assert other.get(f"/api/orders/{order.pk}/shipping").status_code == 404
        assert other.get("/api/shipping/queue").json()["count"] == 0
        assert sales.get("/api/shipping/queue").json()["count"] == 1

    def test_finance_reads_with_costs_and_cannot_ship(self, keeper, order, laptop, make_user):
        note = shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 2}))
        finance = TokenClient(make_user(Role.FINANCE))
        body = finance.get(f"{NOTES}/{note.pk}").json()
        assert body["cost_amount"] == "8000.00" and body["actions"] == []
        assert (body["lines"][0]["unit_cost"], body["lines"][0]["cost_amount"]) == ("4000.0000", "8000.00")
        assert finance.get(NOTES).json()["count"] == 1
        assert finance.post(f"{NOTES}/{note.pk}/events", {"kind": "note"}).status_code == 403

    def test_the_admin_does_everything_and_sees_costs(self, admin, order, laptop):
        client = TokenClient(admin)
        note = client.post(NOTES, {"order_id": order.pk, "lines": choose(order, a=(laptop, "1"))}).json()
        assert note["actions"] == ["pick", "cancel"] and note["lines"][0]["unit_cost"] == "0.0000"
        assert client.post(f"{NOTES}/{note['id']}/pick").json()["status"] == "picking"

    def test_anonymous_calls_are_401(self, client, order):
        response = client.get(NOTES)
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
        assert client.post(NOTES, {"order_id": order.pk}, content_type="application/json").status_code == 401
