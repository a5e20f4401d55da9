"""The orders API: create with Idempotency-Key, field errors naming line and field, the record rule,
stale edits, one-line edits, transitions, price preview and cost visibility."""

import json
from decimal import Decimal as D

import pytest

from kaidan.core.roles import Role
from kaidan.sales.models import SalesOrder
from kaidan.sales.validation import MAX_LINES
from tests.parties.factories import make_customer

pytestmark = pytest.mark.django_db
QUERIES_PER_LINE_EDIT = 24  # token auth, lock, lines, pricing facts, writes, audit, answer; not per line


@pytest.fixture
def api(api_for):
    return api_for(Role.SALES)


@pytest.fixture
def own_customer(api):
    return make_customer(api.user, name="广州南方贸易有限公司")


def new_order(api, customer, *lines, **header):
    body = {"customer_id": customer.pk, "lines": [{"product_id": p.pk, "quantity": str(q)} for p, q in lines],
            **header}
    response = api.post("/api/orders", body)
    assert response.status_code == 201, response.json()
    return response.json()


def delete(api, path):
    return api.client.delete(path, **api._headers(None))


class TestCreateAndRead:
    def test_creates_a_priced_order_with_breakdown_and_capitals(self, api, own_customer, laptop, mouse):
        body = new_order(api, own_customer, (laptop, 1), (mouse, 2), customer_po="PO-2026-118")
        assert body["status"] == "draft" and body["number"].startswith("SO")
        assert body["gross_amount"] == "5848.00" and body["customer_po"] == "PO-2026-118"
        assert body["amount_in_words"] == "伍仟捌佰肆拾捌元整"
        assert [r["rate"] for r in body["totals_by_rate"]] == ["0.1300"]
        line = body["lines"][1]
        assert (line["quantity"], line["unit_price"], line["gross_amount"]) == ("2.0000", "99.0000", "198.00")
        assert [step["code"] for step in line["breakdown"]] == ["list_price", "vat"]
        assert all(step["text"] for step in line["breakdown"])
        assert line["cost_amount"] is None and body["margin"] is None  # a salesperson does not see costs

    def test_a_sales_manager_sees_cost_and_margin(self, api_for, laptop):
        api = api_for(Role.SALES_MANAGER)
        body = new_order(api, make_customer(api.user), (laptop, 1))
        assert body["cost_amount"] == "4000.00" and body["margin"] == "1000.00" and body["margin_percent"] == "20.00"

    def test_a_retry_with_the_same_key_creates_one_order(self, api, own_customer, mouse):
        body = {"customer_id": own_customer.pk, "lines": [{"product_id": mouse.pk, "quantity": "1"}]}
        first = api.post("/api/orders", body, headers={"Idempotency-Key": "order-1"})
        again = api.post("/api/orders", body, headers={"Idempotency-Key": "order-1"})
        assert first.status_code == again.status_code == 201 and first.json() == again.json()
        assert SalesOrder.objects.count() == 1

    @pytest.mark.parametrize("line, field", [
        ({"product_id": 987654, "quantity": "1"}, "lines.0.product_id"),
        ({"quantity": "0"}, "lines.0.quantity"),
        ({"quantity": "-1"}, "lines.0.quantity"),
        ({"quantity": "1.5"}, "lines.0.quantity"),
        ({"quantity": "1", "unit_price": "1.23456"}, "lines.0.unit_price"),
        ({"quantity": "1", "discount_percent": "100.5"}, "lines.0.discount_percent"),
        ({"quantity": "1", "discount_percent": "15"}, "lines.0.discount_percent"),
        ({"quantity": "1", "price": "3"}, "lines.0.price"),
    ])
    def test_bad_lines_are_422_naming_line_and_field_and_save_nothing(self, api, own_customer, mouse, line, field):
        response = api.post("/api/orders", {"customer_id": own_customer.pk,
                                            "lines": [{"product_id": mouse.pk, **line}]})
        assert response.status_code == 422, response.json()
        assert response.json()["code"] == "validation_error"
        assert field in response.json()["detail"]["fields"]
        assert not SalesOrder.objects.exists()

    def test_more_lines_than_the_limit_are_refused(self, api, own_customer, mouse):
        lines = [{"product_id": mouse.pk, "quantity": "1"}] * (MAX_LINES + 1)
        response = api.post("/api/orders", {"customer_id": own_customer.pk, "lines": lines})
        assert response.status_code == 422 and "lines" in response.json()["detail"]["fields"]

    def test_malformed_json_is_a_400_envelope(self, api):
        response = api.post("/api/orders", raw="{not json")
        assert response.status_code in (400, 422) and "code" in response.json()

    def test_warehouse_staff_may_read_but_not_write(self, api_for, api, own_customer, mouse):
        body = new_order(api, own_customer, (mouse, 1))
        warehouse = api_for(Role.WAREHOUSE)
        assert warehouse.get(f"/api/orders/{body['id']}").status_code == 200
        assert warehouse.post("/api/orders", {"customer_id": own_customer.pk}).status_code == 403
        assert warehouse.post(f"/api/orders/{body['id']}/submit").status_code == 403

    def test_another_salesperson_gets_404_and_an_empty_list(self, api_for, api, own_customer, mouse):
        body = new_order(api, own_customer, (mouse, 1))
        other = api_for(Role.SALES)
        assert other.get(f"/api/orders/{body['id']}").status_code == 404
        assert other.get("/api/orders").json()["count"] == 0

    def test_the_list_filters_and_searches(self, api, own_customer, mouse):
        new_order(api, own_customer, (mouse, 1), customer_po="PO-AAA")
        new_order(api, own_customer, (mouse, 1), customer_po="PO-BBB")
        quotation = new_order(api, own_customer, (mouse, 1), kind="quotation")
        assert api.get("/api/orders", {"q": "PO-BBB"}).json()["count"] == 1
        assert api.get("/api/orders", {"kind": "quotation"}).json()["items"][0]["id"] == quotation["id"]
        assert api.get("/api/orders", {"status": "draft", "limit": 2}).json()["count"] == 3
        assert api.get("/api/orders", {"sort": "bogus"}).status_code == 422


class TestEditing:
    def test_a_stale_update_gets_409_with_what_changed(self, api, own_customer, mouse):
        body = new_order(api, own_customer, (mouse, 1))
        url = f"/api/orders/{body['id']}"
        assert api.put(url, {"version": body["version"], "notes": "加急"}).status_code == 200
        stale = api.put(url, {"version": body["version"], "notes": "不急"})
        assert stale.status_code == 409 and stale.json()["code"] == "stale_edit"
        assert stale.json()["detail"]["changes"][0]["after"]["notes"] == "加急"

    def test_one_line_is_added_changed_and_removed(self, api, own_customer, mouse, laptop):
        body = new_order(api, own_customer, (mouse, 1))
        url = f"/api/orders/{body['id']}/lines"
        added = api.post(url, {"version": body["version"], "product_id": laptop.pk, "quantity": "1"})
        assert added.status_code == 201, added.json()
        change = added.json()
        assert change["document"]["gross_amount"] == "5749.00" and len(change["lines"]) == 1
        line_id = change["lines"][0]["id"]
        changed = api.put(f"{url}/{line_id}", {"version": change["document"]["version"], "quantity": "2"})
        assert changed.status_code == 200 and changed.json()["document"]["gross_amount"] == "11399.00"
        removed = delete(api, f"{url}/{line_id}?version={changed.json()['document']['version']}")
        assert removed.status_code == 200 and removed.json()["removed_line_ids"] == [line_id]
        assert removed.json()["document"]["gross_amount"] == "99.00"

    def test_a_one_line_edit_answers_in_a_fixed_number_of_queries(self, api, own_customer, mouse,
                                                                  django_assert_max_num_queries):
        # given 40 lines that share a 满减 discount, so one edit moves many lines' shares
        from kaidan.pricing.models import Promotion

        Promotion.objects.create(code="MJ", name="满减", kind="order_threshold", threshold=D("100"), amount=D("99"))
        body = new_order(api, own_customer, *[(mouse, n % 7 + 1) for n in range(40)])
        line = body["lines"][0]
        # when one quantity changes, then the answer costs the same queries whatever moved
        with django_assert_max_num_queries(QUERIES_PER_LINE_EDIT):
            change = api.put(f"/api/orders/{body['id']}/lines/{line['id']}",
                             {"version": body["version"], "quantity": "30"}).json()
        assert len(change["lines"]) > 5

    def test_a_confirmed_order_cannot_be_edited(self, api, own_customer, mouse):
        body = new_order(api, own_customer, (mouse, 1))
        confirmed = api.post(f"/api/orders/{body['id']}/submit", {"version": body["version"]}).json()
        assert confirmed["status"] == "confirmed"
        response = api.put(f"/api/orders/{body['id']}/lines/{body['lines'][0]['id']}",
                           {"version": confirmed["version"], "quantity": "5"})
        assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


class TestTransitions:
    def test_submit_revise_cancel(self, api, own_customer, mouse):
        body = new_order(api, own_customer, (mouse, 1))
        url = f"/api/orders/{body['id']}"
        assert api.post(f"{url}/submit").json()["status"] == "confirmed"
        assert api.post(f"{url}/submit").status_code == 409
        revised = api.post(f"{url}/revise", {"reason": "改数量"}).json()
        assert revised["status"] == "draft" and revised["revision"] == 1
        assert api.post(f"{url}/cancel", {"reason": "客户取消"}).json()["status"] == "cancelled"
        assert api.post(f"{url}/revise").status_code == 409

    def test_a_quotation_is_sent_then_converted_and_copied(self, api, own_customer, mouse):
        quotation = new_order(api, own_customer, (mouse, 3), kind="quotation")
        url = f"/api/orders/{quotation['id']}"
        assert api.post(f"{url}/send").json()["status"] == "sent"
        order = api.post(f"{url}/convert", headers={"Idempotency-Key": "conv-1"})
        assert order.status_code == 201
        assert order.json()["quotation_id"] == quotation["id"] and order.json()["kind"] == "order"
        assert api.get(url).json()["order_ids"] == [order.json()["id"]]
        copy = api.post(f"/api/orders/{order.json()['id']}/copy", {"kind": "quotation"})
        assert copy.status_code == 201 and copy.json()["kind"] == "quotation"
        assert copy.json()["copied_from_id"] == order.json()["id"]


class TestPreview:
    def test_prices_lines_without_saving(self, api, own_customer, mouse, laptop):
        response = api.post("/api/pricing/preview", {
            "customer_id": own_customer.pk, "prices_include_tax": False,
            "lines": [{"product_id": mouse.pk, "quantity": "10", "discount_percent": "5"},
                      {"product_id": laptop.pk, "quantity": "1"}]})
        body = response.json()
        assert response.status_code == 200, body
        assert [line["gross_amount"] for line in body["lines"]] == ["940.50", "5650.00"]
        assert D(body["net_amount"]) + D(body["tax_amount"]) == D(body["gross_amount"])
        assert not SalesOrder.objects.exists()

    def test_a_preview_with_bad_lines_names_them(self, api, own_customer, mouse):
        response = api.post("/api/pricing/preview", {"customer_id": own_customer.pk,
                                                     "lines": [{"product_id": mouse.pk, "quantity": "0"}]})
        assert response.status_code == 422 and "lines.0.quantity" in response.json()["detail"]["fields"]


def test_the_schema_documents_the_line_limit(api):
    schema = json.loads(api.client.get("/api/openapi.json").content)
    assert schema["components"]["schemas"]["DocumentIn"]["properties"]["lines"]["maxItems"] == MAX_LINES
