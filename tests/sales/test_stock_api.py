"""Stock in the orders API: each line of GET /api/orders/{id} carries its stock (free now, badge,
promise date, substitutes; what a confirmed line holds), POST …/lines/{id}/replace swaps a line's
product, a submit refused for stock answers 409 with the short lines, and the partial-shipment flag
travels on orders and customers."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kaidan.catalog import services as catalog_services
from kaidan.core.roles import Role
from kaidan.inventory.models import ReplenishmentRequest
from tests.catalog.factories import make_product
from tests.inventory.factories import receive_stock
from tests.parties.factories import make_customer
from tests.sales.test_stock_views import ordered_supply

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_for):
    return api_for(Role.SALES)


@pytest.fixture
def buyer(api):
    return make_customer(api.user, name="杭州西湖科技有限公司")


@pytest.fixture
def printer():
    return make_product(sku="PR-M404", name="激光打印机 M404", list_price=Decimal("1800.00"))


@pytest.fixture
def spare():
    return make_product(sku="PR-M405", name="激光打印机 M405", list_price=Decimal("1900.00"))


def new_order(api, customer, *lines, **header):
    body = {"customer_id": customer.pk, "lines": [{"product_id": p.pk, "quantity": str(q)} for p, q in lines],
            **header}
    response = api.post("/api/orders", body)
    assert response.status_code == 201, response.json()
    return response.json()


class TestLineStock:
    def test_a_draft_line_says_what_is_free_when_it_can_ship_and_what_can_replace_it(self, api, buyer, warehouse,
                                                                                   printer, spare):
        # given 2 free of 5 wanted, 5 more expected in 3 days, the M405 in stock
        receive_stock(printer, 2, warehouse)
        receive_stock(spare, 9, warehouse)
        expected = timezone.localdate() + datetime.timedelta(days=3)
        ordered_supply(printer, 5, expected, warehouse)
        catalog_services.set_substitutes(actor=None, product_id=printer.pk, substitute_ids=[spare.pk])
        created = new_order(api, buyer, (printer, 5), (spare, 1))
        # when
        body = api.get(f"/api/orders/{created['id']}").json()
        # then
        short, fine = body["lines"]
        assert short["stock"] == {
            "available": "2.0000", "available_total": "2.0000", "badge": "partial", "reserved": None,
            "backordered": None, "promise_date": expected.isoformat(),
            "substitutes": [{"product_id": spare.pk, "sku": "PR-M405", "name": "激光打印机 M405",
                             "available": "9.0000"}]}
        assert fine["stock"]["badge"] == "in_stock" and fine["stock"]["substitutes"] == []
        assert fine["stock"]["promise_date"] == timezone.localdate().isoformat()

    def test_a_line_without_any_supply_has_no_promise_date(self, api, buyer, printer):
        body = new_order(api, buyer, (printer, 1))
        stock = api.get(f"/api/orders/{body['id']}").json()["lines"][0]["stock"]
        assert stock["badge"] == "short" and stock["available"] == "0" and stock["promise_date"] is None

    def test_a_confirmed_partial_order_says_what_each_line_holds(self, api, buyer, warehouse, printer):
        receive_stock(printer, 3, warehouse)
        expected = timezone.localdate() + datetime.timedelta(days=5)
        ordered_supply(printer, 4, expected, warehouse)
        created = new_order(api, buyer, (printer, 7), allow_partial_shipment=True)
        assert created["allow_partial_shipment"] is True
        confirmed = api.post(f"/api/orders/{created['id']}/submit", {"version": created["version"]})
        assert confirmed.status_code == 200, confirmed.json()
        stock = confirmed.json()["lines"][0]["stock"]
        assert stock["badge"] == "partial" and stock["reserved"] == "3.0000" and stock["backordered"] == "4.0000"
        assert stock["promise_date"] == expected.isoformat() and stock["available"] == "0.0000"

    def test_one_line_edits_leave_stock_out(self, api, buyer, printer):
        created = new_order(api, buyer, (printer, 1))
        line = created["lines"][0]
        changed = api.put(f"/api/orders/{created['id']}/lines/{line['id']}",
                          {"version": created["version"], "quantity": "2"}).json()
        assert changed["lines"][0]["stock"] is None


class TestReplace:
    def test_the_product_is_swapped_and_priced_again(self, api, buyer, warehouse, printer, spare):
        receive_stock(spare, 5, warehouse)
        created = new_order(api, buyer, (printer, 2))
        line = created["lines"][0]
        response = api.post(f"/api/orders/{created['id']}/lines/{line['id']}/replace",
                            {"version": created["version"], "product_id": spare.pk})
        assert response.status_code == 200, response.json()
        change = response.json()
        replaced = change["lines"][0]
        assert replaced["id"] == line["id"] and replaced["product_id"] == spare.pk and replaced["sku"] == "PR-M405"
        assert replaced["quantity"] == "2.0000" and replaced["unit_price"] == "1900.0000"
        assert replaced["description"].startswith("激光打印机 M405")
        assert change["document"]["gross_amount"] == "3800.00"
        assert change["document"]["version"] == created["version"] + 1
        assert replaced["stock"]["badge"] == "in_stock" and replaced["stock"]["available"] == "5.0000"

    def test_refusals(self, api, api_for, buyer, printer, spare):
        created = new_order(api, buyer, (printer, 1))
        url = f"/api/orders/{created['id']}/lines/{created['lines'][0]['id']}/replace"
        stale = api.post(url, {"version": created["version"] + 1, "product_id": spare.pk})
        assert stale.status_code == 409 and stale.json()["code"] == "stale_edit"
        catalog_services.deactivate_product(actor=None, product_id=spare.pk)
        gone = api.post(url, {"version": created["version"], "product_id": spare.pk})
        assert gone.status_code == 422 and "product_id" in gone.json()["detail"]["fields"]
        unknown = api.post(f"/api/orders/{created['id']}/lines/999999/replace",
                           {"version": created["version"], "product_id": printer.pk})
        assert unknown.status_code == 404
        assert api.post(url, {"version": created["version"]}).status_code == 422
        reader = api_for(Role.WAREHOUSE).post(url, {"version": created["version"], "product_id": printer.pk})
        assert reader.status_code == 403


class TestRefusedForStock:
    def test_submit_answers_409_with_the_short_lines_and_asks_purchasing(self, api, buyer, warehouse, printer,
                                                                         spare):
        receive_stock(printer, 1, warehouse)
        receive_stock(spare, 1, warehouse)
        created = new_order(api, buyer, (spare, 1), (printer, 3))
        response = api.post(f"/api/orders/{created['id']}/submit", {"version": created["version"]})
        assert response.status_code == 409
        error = response.json()
        assert error["code"] == "insufficient_stock"
        [short] = error["detail"]["lines"]
        assert short["line_id"] == created["lines"][1]["id"] and short["sku"] == "PR-M404"
        assert (short["wanted"], short["available"], short["missing"]) == ("3.0000", "1.0000", "2.0000")
        assert ReplenishmentRequest.objects.get(product=printer).quantity >= 2
        assert api.get(f"/api/orders/{created['id']}").json()["status"] == "draft"


class TestPartialShipmentFlag:
    def test_an_order_takes_the_customers_setting_unless_told(self, api, printer):
        partial = make_customer(api.user, name="苏州工业园区贸易公司", allow_partial_shipment=True)
        assert new_order(api, partial, (printer, 1))["allow_partial_shipment"] is True
        told = new_order(api, partial, (printer, 1), allow_partial_shipment=False)
        assert told["allow_partial_shipment"] is False
        changed = api.put(f"/api/orders/{told['id']}", {"version": told["version"], "allow_partial_shipment": True})
        assert changed.status_code == 200 and changed.json()["allow_partial_shipment"] is True
        listed = api.get("/api/orders").json()
        assert all("allow_partial_shipment" in row for row in listed["items"])
        bad = api.put(f"/api/orders/{told['id']}", {"version": changed.json()["version"],
                                                     "allow_partial_shipment": "maybe"})
        assert bad.status_code == 422

    def test_the_customer_api_reads_and_writes_it(self, api):
        created = api.post("/api/customers", {"name": "无锡新区电子有限公司", "allow_partial_shipment": True})
        assert created.status_code == 201, created.json()
        customer = created.json()
        assert customer["allow_partial_shipment"] is True
        plain = api.post("/api/customers", {"name": "常州武进机电有限公司"}).json()
        assert plain["allow_partial_shipment"] is False
        updated = api.put(f"/api/customers/{customer['id']}", {"version": customer["version"],
                                                               "code": customer["code"], "name": customer["name"],
                                                               "allow_partial_shipment": False})
        assert updated.status_code == 200 and updated.json()["allow_partial_shipment"] is False
        kept = api.put(f"/api/customers/{plain['id']}", {"version": plain["version"], "code": plain["code"],
                                                         "name": "常州武进机电"})
        assert kept.json()["allow_partial_shipment"] is False
        assert api.get(f"/api/customers/{customer['id']}").json()["allow_partial_shipment"] is False
