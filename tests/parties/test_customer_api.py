"""The customer API: nested create, record rule, stale edits, status, addresses and contacts."""

import pytest

from kaidan.core.roles import Role
from kaidan.parties.models import Customer
from tests.parties.factories import VALID_USCC, make_customer

pytestmark = pytest.mark.django_db

NEW_CUSTOMER = {
    "name": "杭州西湖电子有限公司", "short_name": "西湖电子", "uscc": VALID_USCC,
    "addresses": [
        {"kind": "shipping", "province": "浙江省", "city": "杭州市", "district": "西湖区", "street": "文三路 90 号",
         "postcode": "310012", "recipient": "陈静", "phone": "0571-8888 6666"},
        {"kind": "billing", "province": "浙江省", "city": "杭州市", "street": "文三路 90 号 5 楼"},
    ],
    "contacts": [{"name": "陈静", "title": "采购经理", "mobile": "13912345678", "email": "Chen@Example.com"}],
}


class TestCreate:
    def test_creates_a_customer_with_addresses_and_contacts(self, api_for):
        api = api_for(Role.SALES)
        response = api.post("/api/customers", NEW_CUSTOMER, headers={"Idempotency-Key": "new-1"})
        body = response.json()
        assert response.status_code == 201, body
        assert body["code"].startswith("C") and body["owner_id"] == api.user.pk
        assert [a["is_default"] for a in body["addresses"]] == [True, True]
        assert body["contacts"][0]["is_primary"] and body["contacts"][0]["email"] == "chen@example.com"
        assert body["credit_limit"] == "0.00"
        assert body["missing_special_invoice_details"] == ["tax_address", "tax_phone", "bank_name", "bank_account"]

    def test_a_retry_with_the_same_key_creates_nothing_more(self, api_for):
        api = api_for(Role.SALES)
        first = api.post("/api/customers", NEW_CUSTOMER, headers={"Idempotency-Key": "same"})
        again = api.post("/api/customers", NEW_CUSTOMER, headers={"Idempotency-Key": "same"})
        assert again.json() == first.json()
        assert Customer.objects.count() == 1

    def test_a_bad_nested_address_names_its_position_and_creates_nothing(self, api_for):
        api = api_for(Role.SALES)
        body = {**NEW_CUSTOMER, "addresses": [NEW_CUSTOMER["addresses"][0], {"province": "浙江省", "city": "杭州",
                                                                                "street": ""}]}
        response = api.post("/api/customers", body)
        assert response.status_code == 422
        assert "addresses.1.street" in response.json()["detail"]["fields"]
        assert not Customer.objects.exists()

    def test_a_contact_needs_a_way_to_reach_them(self, api_for):
        response = api_for(Role.SALES).post("/api/customers", {**NEW_CUSTOMER, "contacts": [{"name": "无联系方式"}]})
        assert response.status_code == 422
        assert "contacts.0.mobile" in response.json()["detail"]["fields"]

    @pytest.mark.parametrize("field, value", [
        ("uscc", "91310115MA1K4A2B3B"), ("credit_limit", "12.345"), ("currency", "cny"), ("kind", "x"),
        ("name", ""), ("tax_phone", "abc"),
    ])
    def test_bad_fields_are_422_naming_them(self, api_for, field, value):
        response = api_for(Role.SALES_MANAGER).post("/api/customers", {**NEW_CUSTOMER, field: value})
        assert response.status_code == 422
        assert field in response.json()["detail"]["fields"]


class TestRecordRule:
    def test_a_salesperson_lists_searches_and_reads_only_their_own(self, api_for, make_user):
        wang_api, li = api_for(Role.SALES), make_user(Role.SALES)
        mine = make_customer(wang_api.user, name="北京朝阳科技有限公司")
        theirs = make_customer(li, name="北京海淀科技有限公司")
        listed = wang_api.get("/api/customers").json()
        assert [c["id"] for c in listed["items"]] == [mine.pk] and listed["count"] == 1
        assert [c["id"] for c in wang_api.get("/api/customers", {"q": "北京"}).json()["items"]] == [mine.pk]
        assert [c["id"] for c in wang_api.get("/api/customers/picker", {"q": "bjzy"}).json()] == [mine.pk]
        assert wang_api.get(f"/api/customers/{theirs.pk}").status_code == 404
        assert wang_api.put(f"/api/customers/{theirs.pk}", {"version": 1, "code": "X", "name": "x"}).status_code == 404

    def test_managers_and_finance_see_everyone(self, api_for, make_user):
        make_customer(make_user(Role.SALES))
        make_customer(make_user(Role.SALES), name="另一家")
        for role in (Role.SALES_MANAGER, Role.FINANCE, Role.ADMIN):
            assert api_for(role).get("/api/customers").json()["count"] == 2


class TestUpdate:
    def test_a_stale_edit_is_409(self, api_for):
        api = api_for(Role.SALES)
        customer = make_customer(api.user)
        body = {"version": 1, "code": customer.code, "name": "新名称"}
        assert api.put(f"/api/customers/{customer.pk}", body).json()["version"] == 2
        stale = api.put(f"/api/customers/{customer.pk}", {**body, "name": "过时"})
        assert stale.status_code == 409 and stale.json()["code"] == "stale_edit"

    def test_a_salesperson_cannot_raise_their_own_credit_limit(self, api_for):
        api = api_for(Role.SALES)
        customer = make_customer(api.user)
        response = api.put(f"/api/customers/{customer.pk}",
                           {"version": 1, "code": customer.code, "name": customer.name, "credit_limit": "999999"})
        assert response.status_code == 422
        assert "credit_limit" in response.json()["detail"]["fields"]


class TestStatusAndDelete:
    def test_block_unblock_deactivate(self, api_for, make_user):
        customer = make_customer(make_user(Role.SALES))
        manager = api_for(Role.SALES_MANAGER)
        assert manager.post(f"/api/customers/{customer.pk}/block", {"reason": ""}).status_code == 422
        blocked = manager.post(f"/api/customers/{customer.pk}/block", {"reason": "超期未付款"}).json()
        assert blocked["status"] == "blocked" and blocked["blocked_reason"] == "超期未付款"
        assert manager.post(f"/api/customers/{customer.pk}/unblock").json()["status"] == "active"
        assert manager.post(f"/api/customers/{customer.pk}/deactivate").json()["status"] == "inactive"
        illegal = manager.post(f"/api/customers/{customer.pk}/block", {"reason": "x"})
        assert illegal.status_code == 409 and illegal.json()["code"] == "invalid_transition"

    def test_delete(self, api_for):
        api = api_for(Role.ADMIN)
        customer = make_customer(api.user)
        assert api.client.delete(f"/api/customers/{customer.pk}",
                                 HTTP_AUTHORIZATION=f"Bearer {api.secret}").status_code == 204
        assert not Customer.objects.exists()


class TestAddressesAndContacts:
    def test_one_default_address_per_kind_and_promotion_on_delete(self, api_for):
        api = api_for(Role.SALES)
        customer = make_customer(api.user)
        url = f"/api/customers/{customer.pk}/addresses"
        first = api.post(url, {"province": "上海市", "city": "上海市", "street": "一号"}).json()
        second = api.post(url, {"province": "上海市", "city": "上海市", "street": "二号", "is_default": True}).json()
        detail = api.get(f"/api/customers/{customer.pk}").json()
        defaults = {a["id"]: a["is_default"] for a in detail["addresses"]}
        assert defaults == {first["id"]: False, second["id"]: True}
        api.client.delete(f"{url}/{second['id']}", HTTP_AUTHORIZATION=f"Bearer {api.secret}")
        remaining = api.get(f"/api/customers/{customer.pk}").json()["addresses"]
        assert [(a["id"], a["is_default"]) for a in remaining] == [(first["id"], True)]

    def test_bad_postcode_mobile_and_email_are_named(self, api_for):
        api = api_for(Role.SALES)
        customer = make_customer(api.user)
        address = api.post(f"/api/customers/{customer.pk}/addresses",
                           {"province": "上海市", "city": "上海市", "street": "一号", "postcode": "12345"})
        assert "postcode" in address.json()["detail"]["fields"]
        contact = api.post(f"/api/customers/{customer.pk}/contacts",
                           {"name": "李", "mobile": "1234", "email": "not-an-email"})
        assert {"mobile"} <= set(contact.json()["detail"]["fields"])
        contact = api.post(f"/api/customers/{customer.pk}/contacts", {"name": "李", "email": "not-an-email"})
        assert "email" in contact.json()["detail"]["fields"]

    def test_lists_of_groups_and_terms(self, api_for):
        api = api_for(Role.SALES)
        assert {t["code"] for t in api.get("/api/payment-terms").json()} >= {"prepaid", "month30"}
        assert {g["code"] for g in api.get("/api/customer-groups").json()} >= {"dealer"}


def test_the_list_takes_the_same_queries_for_few_or_many_customers(api_for, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.parties.factories import month_end_term

    api, manager = api_for(Role.SALES_MANAGER), make_user(Role.SALES_MANAGER)
    api.get("/api/me")  # the token's last-used time is fresh: no write inside the measured calls

    def queries(path):
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(path, {"limit": 100}).status_code == 200
        return len(ctx.captured_queries)

    def add(count):
        for i in range(count):
            make_customer(manager, name=f"客户{i}", payment_term_id=month_end_term().pk)

    add(3)
    few = (queries("/api/customers"), queries("/api/customers/picker"))
    add(30)
    assert (queries("/api/customers"), queries("/api/customers/picker")) == few


def test_the_list_page_takes_the_same_queries_for_few_or_many_customers(client_for, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, manager = client_for(Role.SALES_MANAGER), make_user(Role.SALES_MANAGER)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/customers/").status_code == 200
        return len(ctx.captured_queries)

    make_customer(manager, name="甲")
    few = queries()
    for i in range(20):
        make_customer(manager, name=f"乙{i}")
    assert queries() == few
