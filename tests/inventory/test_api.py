"""The stock REST API: reads with filters and pages, receipts/adjustments/transfers (201 with their
moves, 422 naming the field with nothing written, idempotent retries), the availability check with
substitutes and promise dates, the replenishment board's transitions and reorder rules, and who may
call what."""

import datetime
from decimal import Decimal as D

import pytest

from kaidan.catalog import services as catalog
from kaidan.core.roles import Role
from kaidan.inventory import replenishment_services
from kaidan.inventory.models import ReorderRule, ReplenishmentRequest, StockMove, StockOperation
from kaidan.sales import transitions
from tests.catalog.factories import make_category, make_product
from tests.inventory.factories import make_warehouse, receive_stock, stock_of
from tests.sales.factories import make_order, submit

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture
def api(api_for):
    """A warehouse user: may post stock and work the replenishment board."""
    return api_for(Role.WAREHOUSE)


def fields_of(response) -> set[str]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error" and body["message"]
    return set(body["detail"]["fields"])


def receipt_body(warehouse, *lines, **extra) -> dict:
    return {"warehouse_id": warehouse.pk, "supplier": "联想华南分销", "reference": "DN-001",
            "lines": [{"product_id": product.pk, "quantity": str(quantity)} for product, quantity in lines], **extra}


def nothing_posted():
    return not StockOperation.objects.exists() and not StockMove.objects.exists()


def backorder(seller, customer, warehouse, product, quantity, **header):
    """A confirmed order allowing partial shipment that waits for what ``warehouse`` lacks."""
    order = make_order(seller, customer, lines=[(product, quantity)], warehouse_id=warehouse.pk,
                       allow_partial_shipment=True, **header)
    return submit(seller, order, stocked=False)


class TestReads:
    def test_lists_the_active_warehouses(self, api_for, shenzhen, shanghai):
        make_warehouse("WH-OLD", name="旧仓", active=False)
        shenzhen.address = "深圳市南山区科技园"
        shenzhen.save()
        body = api_for(Role.FINANCE).get("/api/warehouses").json()
        assert [w["code"] for w in body] == ["WH-SH1", "WH-SZ1"]
        assert body[1] == {"id": shenzhen.pk, "code": "WH-SZ1", "name": "深圳仓", "address": "深圳市南山区科技园"}

    def test_stock_levels_with_their_figures_as_decimal_strings(self, api, seller, keeper, customer, shenzhen,
                                                                 shanghai, printer, toner):
        receive_stock(printer, 5, shenzhen, actor=keeper)
        receive_stock(toner, 3, shanghai, actor=keeper)
        backorder(seller, customer, shenzhen, printer, 7)  # holds 5, waits for 2
        request = ReplenishmentRequest.objects.get(product=printer)
        replenishment_services.mark_ordered(actor=keeper, request_id=request.pk, version=request.version,
                                            data={"expected_date": TODAY + datetime.timedelta(days=5)})
        replenishment_services.save_rule(actor=keeper, data={"product_id": toner.pk, "warehouse_id": shanghai.pk,
                                                              "min_level": "10", "max_level": "20"})
        body = api.get("/api/stock").json()
        assert body["count"] == 2 and body["limit"] == 50 and body["offset"] == 0
        row = body["items"][[i["warehouse_code"] for i in body["items"]].index("WH-SZ1")]
        assert row == {"product_id": printer.pk, "sku": printer.sku, "name": "激光打印机", "unit": "pcs",
                       "warehouse_id": shenzhen.pk, "warehouse_code": "WH-SZ1", "on_hand": "5.0000",
                       "reserved": "5.0000", "available": "0.0000", "incoming": "2.0000", "backordered": "2.0000",
                       "min_level": None}

        def skus(**params):
            return [(i["sku"], i["warehouse_code"]) for i in api.get("/api/stock", params).json()["items"]]

        assert skus(warehouse_id=shanghai.pk) == [(toner.sku, "WH-SH1")]
        assert skus(product_id=printer.pk) == [(printer.sku, "WH-SZ1")]
        assert skus(q="硒鼓") == [(toner.sku, "WH-SH1")]
        assert skus(status="short") == [(printer.sku, "WH-SZ1")]
        assert skus(status="available") == [(toner.sku, "WH-SH1")]
        assert skus(status="reserved") == [(printer.sku, "WH-SZ1")]
        assert skus(status="below_min") == [(toner.sku, "WH-SH1")]
        assert api.get("/api/stock", {"status": "below_min"}).json()["items"][0]["min_level"] == "10.0000"

    def test_stock_by_category_and_page_by_page(self, api, keeper, shenzhen):
        category = make_category(name="打印耗材")
        products = [make_product(category_id=category.pk) for _ in range(3)]
        for product in [*products, make_product()]:
            receive_stock(product, 1, shenzhen, actor=keeper)
        body = api.get("/api/stock", {"category_id": category.pk, "limit": 2, "offset": 1}).json()
        assert body["count"] == 3 and [i["sku"] for i in body["items"]] == sorted(p.sku for p in products)[1:]

    def test_the_move_ledger_newest_first_with_filters(self, api, keeper, shenzhen, printer, toner):
        receipt = receive_stock(printer, 5, shenzhen, actor=keeper)
        receive_stock(toner, 2, shenzhen, actor=keeper)
        api.post("/api/stock/adjustments", {"warehouse_id": shenzhen.pk, "reason": "盘点",
                                            "lines": [{"product_id": printer.pk, "quantity": "-1"}]})
        moves = api.get("/api/stock/moves").json()
        assert moves["count"] == 3 and [m["kind"] for m in moves["items"]] == ["adjustment", "receipt", "receipt"]
        first = moves["items"][2]
        assert {k: first[k] for k in ("kind", "product_id", "sku", "warehouse_code", "quantity", "on_hand_after",
                                      "reference", "reason", "operation_id", "operation_number", "by")} == {
            "kind": "receipt", "product_id": printer.pk, "sku": printer.sku, "warehouse_code": "WH-SZ1",
            "quantity": "5.0000", "on_hand_after": "5.0000", "reference": receipt.number, "reason": "",
            "operation_id": receipt.pk, "operation_number": receipt.number, "by": keeper.username}
        assert first["time"] and first["unit"] == "pcs"
        adjusted = api.get("/api/stock/moves", {"product_id": printer.pk, "kind": "adjustment"}).json()["items"]
        assert [(m["quantity"], m["on_hand_after"], m["reason"]) for m in adjusted] == [("-1.0000", "4.0000", "盘点")]
        assert api.get("/api/stock/moves", {"warehouse_id": make_warehouse().pk}).json()["count"] == 0

    def test_reservations_with_backorders_and_closed_ones(self, api, seller, keeper, customer, shenzhen, printer,
                                                          toner):
        receive_stock(printer, 3, shenzhen, actor=keeper)
        receive_stock(toner, 10, shenzhen, actor=keeper)
        waiting = backorder(seller, customer, shenzhen, printer, 5)
        full = submit(seller, make_order(seller, customer, lines=[(toner, 2)], warehouse_id=shenzhen.pk),
                      stocked=False)
        rows = api.get("/api/stock/reservations").json()["items"]
        assert [(r["order_number"], r["quantity"], r["reserved"], r["backordered"], r["status"]) for r in rows] == [
            (waiting.number, "5.0000", "3.0000", "2.0000", "open"), (full.number, "2.0000", "2.0000", "0.0000", "open")]
        assert rows[0]["order_id"] == waiting.pk and rows[0]["order_line_id"] == waiting.lines.get().pk
        assert rows[0]["sku"] == printer.sku and rows[0]["warehouse_code"] == "WH-SZ1"
        waiting_only = api.get("/api/stock/reservations", {"backordered_only": "true"}).json()["items"]
        assert [r["order_id"] for r in waiting_only] == [waiting.pk]
        assert api.get("/api/stock/reservations", {"product_id": toner.pk}).json()["count"] == 1
        transitions.cancel_document(actor=seller, order_id=full.pk, reason="客户取消")
        assert [r["order_id"] for r in api.get("/api/stock/reservations").json()["items"]] == [waiting.pk]
        closed = api.get("/api/stock/reservations", {"order_id": full.pk, "include_closed": "true"}).json()["items"]
        assert [(r["status"], r["reserved"], r["backordered"]) for r in closed] == [("closed", "0.0000", "0.0000")]


class TestReceipts:
    def test_posts_a_receipt_and_answers_201_with_its_moves(self, api, shenzhen, printer, copper):
        response = api.post("/api/stock/receipts", receipt_body(shenzhen, (printer, 5), (copper, "2.5")))
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["kind"] == "receipt" and body["number"] and body["warehouse_code"] == "WH-SZ1"
        assert (body["supplier"], body["reference"], body["by"]) == ("联想华南分销", "DN-001", api.user.username)
        assert [(m["sku"], m["quantity"], m["on_hand_after"]) for m in body["moves"]] == [
            (printer.sku, "5.0000", "5.0000"), (copper.sku, "2.5000", "2.5000")]
        assert stock_of(printer, shenzhen) == (D(5), D(0)) and stock_of(copper, shenzhen) == (D("2.5"), D(0))
        assert api.get(f"/api/stock/operations/{body['id']}").json() == body

    def test_a_retry_with_the_same_idempotency_key_posts_once(self, api, shenzhen, printer):
        key = {"Idempotency-Key": "r-1"}
        first = api.post("/api/stock/receipts", receipt_body(shenzhen, (printer, 5)), headers=key)
        again = api.post("/api/stock/receipts", receipt_body(shenzhen, (printer, 5)), headers=key)
        assert first.status_code == again.status_code == 201
        assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
        assert StockOperation.objects.count() == 1 and StockMove.objects.count() == 1
        assert stock_of(printer, shenzhen) == (D(5), D(0))
        other = api.post("/api/stock/receipts", receipt_body(shenzhen, (printer, 6)), headers=key)
        assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]["fields"]

    def test_bad_input_names_the_field_and_writes_nothing(self, api, shenzhen, printer, copper):
        old = make_warehouse("WH-OLD", active=False)
        assert fields_of(api.post("/api/stock/receipts", receipt_body(shenzhen, (printer, -2)))) == {"lines.0.quantity"}
        assert fields_of(api.post("/api/stock/receipts", receipt_body(shenzhen, (copper, 1), (printer, "1.5")))) == {
            "lines.1.quantity"}
        assert fields_of(api.post("/api/stock/receipts", receipt_body(shenzhen, (printer, "1.00001")))) == {
            "lines.0.quantity"}
        assert fields_of(api.post("/api/stock/receipts", receipt_body(shenzhen, (printer, "abc")))) == {
            "lines.0.quantity"}
        assert fields_of(api.post("/api/stock/receipts", {**receipt_body(shenzhen, (printer, 1)),
                                                          "warehouse_id": 999999})) == {"warehouse_id"}
        assert fields_of(api.post("/api/stock/receipts", receipt_body(old, (printer, 1)))) == {"warehouse_id"}
        unknown = receipt_body(shenzhen, (printer, 1))
        unknown["lines"].append({"product_id": 999999, "quantity": "1"})
        assert fields_of(api.post("/api/stock/receipts", unknown)) == {"lines.1.product_id"}
        assert fields_of(api.post("/api/stock/receipts", receipt_body(shenzhen))) == {"lines"}
        assert fields_of(api.post("/api/stock/receipts", receipt_body(shenzhen, (printer, 1), colour="red"))) == {
            "colour"}
        assert fields_of(api.post("/api/stock/receipts", {"lines": []})) == {"warehouse_id"}
        assert nothing_posted()

    def test_only_warehouse_and_admin_may_post_stock(self, api_for, shenzhen, printer):
        for role in (Role.SALES, Role.SALES_MANAGER, Role.FINANCE, Role.AFTERSALES):
            client = api_for(role)
            response = client.post("/api/stock/receipts", receipt_body(shenzhen, (printer, 1)))
            assert response.status_code == 403 and response.json()["code"] == "forbidden", role
            adjustment = {"warehouse_id": shenzhen.pk, "reason": "盘点", "lines": [{"product_id": printer.pk,
                                                                                 "quantity": "1"}]}
            assert client.post("/api/stock/adjustments", adjustment).status_code == 403
            assert client.get("/api/stock").status_code == 200
        assert nothing_posted()
        assert api_for(Role.ADMIN).post("/api/stock/receipts", receipt_body(shenzhen, (printer, 1))).status_code == 201


class TestAdjustmentsAndTransfers:
    def test_an_adjustment_by_quantity_or_by_count(self, api, keeper, shenzhen, printer, toner):
        receive_stock(printer, 10, shenzhen, actor=keeper)
        receive_stock(toner, 4, shenzhen, actor=keeper)
        response = api.post("/api/stock/adjustments", {
            "warehouse_id": shenzhen.pk, "reason": "年度盘点", "notes": "A 区",
            "lines": [{"product_id": printer.pk, "counted": "8"}, {"product_id": toner.pk, "quantity": "-1"}]})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["kind"] == "adjustment" and body["reason"] == "年度盘点" and body["notes"] == "A 区"
        assert [(m["sku"], m["quantity"], m["on_hand_after"], m["reason"]) for m in body["moves"]] == [
            (printer.sku, "-2.0000", "8.0000", "年度盘点"), (toner.sku, "-1.0000", "3.0000", "年度盘点")]
        assert stock_of(printer, shenzhen) == (D(8), D(0)) and stock_of(toner, shenzhen) == (D(3), D(0))

    def test_an_adjustment_needs_a_reason_and_valid_lines(self, api, shenzhen, printer):
        line = [{"product_id": printer.pk, "quantity": "1"}]
        assert fields_of(api.post("/api/stock/adjustments", {"warehouse_id": shenzhen.pk, "lines": line})) == {"reason"}
        assert fields_of(api.post("/api/stock/adjustments", {"warehouse_id": shenzhen.pk, "reason": "  ",
                                                             "lines": line})) == {"reason"}
        assert fields_of(api.post("/api/stock/adjustments", {
            "warehouse_id": shenzhen.pk, "reason": "盘点",
            "lines": [{"product_id": printer.pk, "quantity": "0"}, {"product_id": printer.pk, "counted": "-1"},
                      {"product_id": printer.pk, "quantity": "1", "counted": "2"}]})) == {
            "lines.0.quantity", "lines.1.counted", "lines.2.quantity"}
        taking_too_much = {"warehouse_id": shenzhen.pk, "reason": "损坏",
                           "lines": [{"product_id": printer.pk, "quantity": "-1"}]}
        assert fields_of(api.post("/api/stock/adjustments", taking_too_much)) == {"lines.0.quantity"}
        assert nothing_posted()

    def test_a_transfer_moves_stock_between_warehouses(self, api, keeper, shenzhen, shanghai, printer):
        receive_stock(printer, 5, shenzhen, actor=keeper)
        response = api.post("/api/stock/transfers", {"warehouse_id": shenzhen.pk, "to_warehouse_id": shanghai.pk,
                                                     "reference": "调拨-1",
                                                     "lines": [{"product_id": printer.pk, "quantity": "2"}]})
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["kind"], body["warehouse_code"], body["to_warehouse_code"]) == ("transfer", "WH-SZ1", "WH-SH1")
        assert [(m["kind"], m["warehouse_code"], m["quantity"]) for m in body["moves"]] == [
            ("transfer_out", "WH-SZ1", "-2.0000"), ("transfer_in", "WH-SH1", "2.0000")]
        assert stock_of(printer, shenzhen) == (D(3), D(0)) and stock_of(printer, shanghai) == (D(2), D(0))
        same = api.post("/api/stock/transfers", {"warehouse_id": shenzhen.pk, "to_warehouse_id": shenzhen.pk,
                                                 "lines": [{"product_id": printer.pk, "quantity": "1"}]})
        too_much = api.post("/api/stock/transfers", {"warehouse_id": shenzhen.pk, "to_warehouse_id": shanghai.pk,
                                                     "lines": [{"product_id": printer.pk, "quantity": "4"}]})
        assert fields_of(same) == {"to_warehouse_id"} and fields_of(too_much) == {"lines.0.quantity"}
        assert StockOperation.objects.filter(kind="transfer").count() == 1

    def test_operations_list_with_filters_and_unknown_is_404(self, api, keeper, shenzhen, shanghai, printer):
        receipt = receive_stock(printer, 5, shenzhen, actor=keeper)
        transfer = api.post("/api/stock/transfers", {"warehouse_id": shenzhen.pk, "to_warehouse_id": shanghai.pk,
                                                     "lines": [{"product_id": printer.pk, "quantity": "1"}]}).json()
        listed = api.get("/api/stock/operations").json()
        assert [o["id"] for o in listed["items"]] == [transfer["id"], receipt.pk] and "moves" not in listed["items"][0]
        assert [o["id"] for o in api.get("/api/stock/operations", {"kind": "receipt"}).json()["items"]] == [receipt.pk]
        assert [o["id"] for o in api.get("/api/stock/operations", {"warehouse_id": shanghai.pk}).json()["items"]] == [
            transfer["id"]]
        missing = api.get("/api/stock/operations/999999")
        assert missing.status_code == 404 and missing.json()["code"] == "not_found"


class TestAvailability:
    def test_answers_each_line_with_a_substitute_and_a_promise_date(self, api_for, keeper, shenzhen, shanghai,
                                                                     printer, toner):
        alternative = make_product(name="激光打印机（新款）")
        catalog.set_substitutes(actor=None, product_id=printer.pk, substitute_ids=[alternative.pk])
        receive_stock(printer, 2, shenzhen, actor=keeper)
        receive_stock(printer, 4, shanghai, actor=keeper)
        receive_stock(alternative, 10, shenzhen, actor=keeper)
        receive_stock(toner, 10, shenzhen, actor=keeper)
        arrives = TODAY + datetime.timedelta(days=10)
        request = replenishment_services.create_request(actor=keeper, data={
            "product_id": printer.pk, "warehouse_id": shenzhen.pk, "quantity": "5"})
        replenishment_services.mark_ordered(actor=keeper, request_id=request.pk, version=request.version,
                                            data={"expected_date": arrives.isoformat(), "supplier": "联想"})
        seller = api_for(Role.SALES)
        response = seller.post("/api/stock/availability", {
            "warehouse_id": shenzhen.pk,
            "lines": [{"product_id": printer.pk, "quantity": "6"}, {"product_id": toner.pk, "quantity": "3"}]})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["warehouse_id"] == shenzhen.pk
        short, stocked = body["lines"]
        assert short == {
            "product_id": printer.pk, "quantity": "6.0000", "available": "2.0000", "available_total": "6.0000",
            "can_ship_now": "2.0000", "short": "4.0000", "badge": "partial", "promise_date": arrives.isoformat(),
            "incoming": "5.0000",
            "substitutes": [{"product_id": alternative.pk, "sku": alternative.sku, "name": "激光打印机（新款）",
                             "available": "10.0000"}]}
        assert (stocked["badge"], stocked["can_ship_now"], stocked["short"], stocked["promise_date"]) == (
            "in_stock", "3.0000", "0.0000", TODAY.isoformat())
        assert stocked["substitutes"] == []
        beyond = seller.post("/api/stock/availability", {"warehouse_id": shenzhen.pk,
                                                         "lines": [{"product_id": printer.pk, "quantity": "8"}]})
        assert beyond.json()["lines"][0]["promise_date"] is None  # 2 free + 5 incoming cannot cover 8

    def test_lines_are_checked_like_the_services_check_them(self, api_for, shenzhen, printer, copper):
        api = api_for(Role.AFTERSALES)
        old = make_warehouse("WH-OLD", active=False)

        def check(warehouse_id, *lines):
            return api.post("/api/stock/availability", {"warehouse_id": warehouse_id, "lines": list(lines)})

        assert check(shenzhen.pk, {"product_id": copper.pk, "quantity": "0.5"}).status_code == 200
        assert fields_of(check(shenzhen.pk, {"product_id": printer.pk, "quantity": "1.5"},
                               {"product_id": 999999, "quantity": "1"},
                               {"product_id": printer.pk, "quantity": "0"},
                               {"product_id": copper.pk, "quantity": "1.00001"},
                               {"product_id": copper.pk, "quantity": "-3"})) == {
            "lines.0.quantity", "lines.1.product_id", "lines.2.quantity", "lines.3.quantity", "lines.4.quantity"}
        assert fields_of(check(999999, {"product_id": printer.pk, "quantity": "1"})) == {"warehouse_id"}
        assert fields_of(check(old.pk, {"product_id": printer.pk, "quantity": "1"})) == {"warehouse_id"}
        assert fields_of(check(shenzhen.pk)) == {"lines"}
        too_many = [{"product_id": printer.pk, "quantity": "1"}] * 2001
        assert fields_of(check(shenzhen.pk, *too_many)) == {"lines"}
        assert fields_of(check(shenzhen.pk, {"product_id": "abc", "quantity": "1"})) == {"lines.0.product_id"}


class TestReplenishment:
    def ordered(self, keeper, warehouse, product, quantity="5", days=7):
        request = replenishment_services.create_request(actor=keeper, data={
            "product_id": product.pk, "warehouse_id": warehouse.pk, "quantity": quantity})
        return replenishment_services.mark_ordered(
            actor=keeper, request_id=request.pk, version=request.version,
            data={"expected_date": (TODAY + datetime.timedelta(days=days)).isoformat()})

    def test_a_salesperson_asks_and_it_adds_to_the_open_request(self, api_for, shenzhen, printer):
        seller = api_for(Role.SALES)
        ask = {"product_id": printer.pk, "warehouse_id": shenzhen.pk, "quantity": "3", "notes": "客户急需"}
        first = seller.post("/api/replenishment-requests", ask, headers={"Idempotency-Key": "ask-1"})
        assert first.status_code == 201, first.content
        body = first.json()
        assert (body["status"], body["source"], body["quantity"], body["created_by"], body["version"]) == (
            "open", "manual", "3.0000", seller.user.username, 1)
        assert (body["sku"], body["warehouse_code"], body["notes"], body["receipt_id"]) == (
            printer.sku, "WH-SZ1", "客户急需", None)
        replay = seller.post("/api/replenishment-requests", ask, headers={"Idempotency-Key": "ask-1"})
        assert replay.json() == body
        more = seller.post("/api/replenishment-requests", {**ask, "quantity": "2"})
        assert more.status_code == 201 and more.json()["id"] == body["id"] and more.json()["quantity"] == "5.0000"
        assert ReplenishmentRequest.objects.count() == 1
        assert fields_of(seller.post("/api/replenishment-requests", {**ask, "quantity": "0.5"})) == {"quantity"}
        refused = api_for(Role.FINANCE).post("/api/replenishment-requests", ask)
        assert refused.status_code == 403 and ReplenishmentRequest.objects.get().quantity == D(5)

    def test_order_then_receive_posts_the_receipt(self, api, shenzhen, printer):
        request = replenishment_services.create_request(actor=api.user, data={
            "product_id": printer.pk, "warehouse_id": shenzhen.pk, "quantity": "5"})
        url = f"/api/replenishment-requests/{request.pk}"
        expected = (TODAY + datetime.timedelta(days=3)).isoformat()
        assert fields_of(api.post(f"{url}/order", {"version": 1})) == {"expected_date"}
        assert fields_of(api.post(f"{url}/order", {"version": 1, "expected_date": "2000-01-01"})) == {"expected_date"}
        assert fields_of(api.post(f"{url}/order", {"version": 1, "expected_date": expected, "quantity": "-1"})) == {
            "quantity"}
        ordered = api.post(f"{url}/order", {"version": 1, "expected_date": expected, "supplier": "联想",
                                            "purchase_reference": "PO-77", "quantity": "6"})
        assert ordered.status_code == 200, ordered.content
        assert {k: ordered.json()[k] for k in ("status", "expected_date", "supplier", "purchase_reference",
                                               "quantity", "version")} == {
            "status": "ordered", "expected_date": expected, "supplier": "联想", "purchase_reference": "PO-77",
            "quantity": "6.0000", "version": 2}
        assert ordered.json()["ordered_at"]
        stale = api.post(f"{url}/receive", {"version": 1})
        assert stale.status_code == 409 and stale.json()["code"] == "stale_edit"
        received = api.post(f"{url}/receive", {"version": 2, "quantity": "4", "reference": "DN-9"},
                            headers={"Idempotency-Key": "recv-1"})
        assert received.status_code == 200, received.content
        body = received.json()
        assert (body["status"], body["received_quantity"], body["version"]) == ("received", "4.0000", 3)
        receipt = StockOperation.objects.get(pk=body["receipt_id"])
        assert body["receipt_number"] == receipt.number and receipt.reference == "DN-9" and receipt.supplier == "联想"
        assert stock_of(printer, shenzhen) == (D(4), D(0))
        replay = api.post(f"{url}/receive", {"version": 2, "quantity": "4", "reference": "DN-9"},
                          headers={"Idempotency-Key": "recv-1"})
        assert replay.json() == body and StockMove.objects.count() == 1
        assert api.get(url).json() == body
        listed = api.get("/api/replenishment-requests", {"status": "received", "product_id": printer.pk}).json()
        assert [r["id"] for r in listed["items"]] == [request.pk]
        assert api.get("/api/replenishment-requests", {"warehouse_id": make_warehouse().pk}).json()["count"] == 0

    def test_receiving_a_cancelled_request_is_a_409(self, api, shenzhen, printer):
        request = self.ordered(api.user, shenzhen, printer)
        url = f"/api/replenishment-requests/{request.pk}"
        cancelled = api.post(f"{url}/cancel", {"version": request.version})
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        response = api.post(f"{url}/receive", {"version": cancelled.json()["version"]})
        assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
        again = api.post(f"{url}/cancel", {"version": cancelled.json()["version"]})
        assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
        assert nothing_posted() and stock_of(printer, shenzhen) == (D(0), D(0))

    def test_who_may_work_the_board(self, api_for, keeper, shenzhen, printer):
        request = self.ordered(keeper, shenzhen, printer)
        url = f"/api/replenishment-requests/{request.pk}"
        for role in (Role.SALES, Role.SALES_MANAGER, Role.FINANCE, Role.AFTERSALES):
            client = api_for(role)
            assert client.get(url).status_code == 200
            assert client.post(f"{url}/cancel", {"version": request.version}).status_code == 403
            assert client.post(f"{url}/receive", {"version": request.version}).status_code == 403
            assert client.post(f"{url}/order", {"version": request.version,
                                                "expected_date": TODAY.isoformat()}).status_code == 403
        request.refresh_from_db()
        assert request.status == "ordered" and nothing_posted()

    def test_unknown_and_junk_ids(self, api):
        assert api.get("/api/replenishment-requests/999999").status_code == 404
        assert api.post("/api/replenishment-requests/999999/cancel", {"version": 1}).status_code == 404
        assert fields_of(api.get("/api/replenishment-requests/abc")) == {"request_id"}
        assert fields_of(api.get(f"/api/replenishment-requests/{2**70}")) == {"request_id"}
        assert fields_of(api.post("/api/replenishment-requests/1/cancel", raw="")) == {"payload"}
        assert fields_of(api.get("/api/stock", {"warehouse_id": "x", "status": "lots"})) == {"warehouse_id", "status"}


class TestReorderRules:
    def test_create_edit_list_and_delete(self, api, keeper, shenzhen, shanghai, printer, toner):
        receive_stock(printer, 3, shenzhen, actor=keeper)
        rule = {"product_id": printer.pk, "warehouse_id": shenzhen.pk, "min_level": "5", "max_level": "20"}
        created = api.post("/api/reorder-rules", rule, headers={"Idempotency-Key": "rule-1"})
        assert created.status_code == 201, created.content
        body = created.json()
        assert {k: body[k] for k in ("sku", "warehouse_code", "min_level", "max_level", "active", "version")} == {
            "sku": printer.sku, "warehouse_code": "WH-SZ1", "min_level": "5.0000", "max_level": "20.0000",
            "active": True, "version": 1}
        raised = ReplenishmentRequest.objects.get()  # 3 on hand is below 5: topped up to 20 at once
        assert (raised.source, raised.quantity) == ("reorder", D(17))
        assert fields_of(api.post("/api/reorder-rules", rule)) == {"product_id"}
        assert fields_of(api.post("/api/reorder-rules", {**rule, "warehouse_id": shanghai.pk, "min_level": "9",
                                                         "max_level": "4"})) == {"max_level"}
        assert fields_of(api.post("/api/reorder-rules", {**rule, "product_id": toner.pk, "min_level": "1.5"})) == {
            "min_level"}
        url = f"/api/reorder-rules/{body['id']}"
        edited = api.put(url, {"version": 1, "max_level": "30", "active": False})
        assert edited.status_code == 200, edited.content
        assert (edited.json()["min_level"], edited.json()["max_level"], edited.json()["active"],
                edited.json()["version"]) == ("5.0000", "30.0000", False, 2)
        stale = api.put(url, {"version": 1, "max_level": "40"})
        assert stale.status_code == 409 and stale.json()["code"] == "stale_edit"
        assert fields_of(api.put(url, {"version": 2, "min_level": "50"})) == {"max_level"}
        assert fields_of(api.put(url, {"version": 2, "product_id": toner.pk})) == {"product_id"}
        other = replenishment_services.save_rule(actor=keeper, data={
            "product_id": toner.pk, "warehouse_id": shanghai.pk, "min_level": "0", "max_level": "1"})
        assert [r["id"] for r in api.get("/api/reorder-rules").json()["items"]] == [other.pk, body["id"]]
        assert [r["id"] for r in api.get("/api/reorder-rules", {"warehouse_id": shenzhen.pk}).json()["items"]] == [
            body["id"]]
        assert [r["id"] for r in api.get("/api/reorder-rules", {"product_id": toner.pk}).json()["items"]] == [other.pk]
        assert api.client.delete(url, HTTP_AUTHORIZATION=f"Bearer {api.secret}").status_code == 204
        assert api.put(url, {"version": 2, "max_level": "40"}).status_code == 404
        assert list(ReorderRule.objects.values_list("pk", flat=True)) == [other.pk]

    def test_only_warehouse_and_admin_manage_rules(self, api_for, keeper, shenzhen, printer):
        rule = replenishment_services.save_rule(actor=keeper, data={
            "product_id": printer.pk, "warehouse_id": shenzhen.pk, "min_level": "0", "max_level": "5"})
        for role in (Role.SALES, Role.SALES_MANAGER, Role.FINANCE, Role.AFTERSALES):
            client = api_for(role)
            assert client.get("/api/reorder-rules").json()["count"] == 1
            assert client.put(f"/api/reorder-rules/{rule.pk}", {"version": 1, "max_level": "9"}).status_code == 403
            deleted = client.client.delete(f"/api/reorder-rules/{rule.pk}",
                                           HTTP_AUTHORIZATION=f"Bearer {client.secret}")
            assert deleted.status_code == 403
        rule.refresh_from_db()
        assert (rule.max_level, rule.version) == (D(5), 1)
