"""The pricing REST API: status codes, the error envelope naming fields, optimistic locking,
idempotent creation, pagination, and who may call each operation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaidan.core.roles import Role
from kaidan.parties.models import CustomerGroup
from kaidan.pricing.models import PriceList, PriceListItem, Promotion
from tests.catalog.factories import make_category, make_product
from tests.parties.factories import make_customer
from tests.pricing.factories import price_list, price_list_item, promotion

pytestmark = pytest.mark.django_db

NEW_LIST = {"code": "DEALER-2026", "name": "经销商价", "currency": "CNY", "valid_from": "2026-01-01",
            "valid_to": "2026-12-31", "priority": 10}
NEW_PROMOTION = {"code": "SPRING-10", "name": "春季九折", "kind": "percent_off", "percent": "10"}
READERS = list(Role)
WRITERS = [Role.SALES_MANAGER, Role.ADMIN]


@pytest.fixture
def api(api_for):
    return api_for(Role.SALES_MANAGER)


def fields_of(response) -> set[str]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error" and body["message"]
    return set(body["detail"]["fields"])


class TestPriceLists:
    def test_creates_and_answers_201_with_the_list(self, api):
        response = api.post("/api/price-lists", NEW_LIST)
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["code"] == "DEALER-2026" and body["valid_to"] == "2026-12-31" and body["version"] == 1
        assert body["customer_id"] is None and body["group_name"] is None and body["item_count"] == 0

    def test_a_retry_with_the_same_idempotency_key_creates_nothing_more(self, api):
        first = api.post("/api/price-lists", NEW_LIST, headers={"Idempotency-Key": "pl-1"})
        again = api.post("/api/price-lists", NEW_LIST, headers={"Idempotency-Key": "pl-1"})
        assert first.status_code == again.status_code == 201
        assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
        assert PriceList.objects.count() == 1
        other = api.post("/api/price-lists", {**NEW_LIST, "code": "OTHER"}, headers={"Idempotency-Key": "pl-1"})
        assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]["fields"]

    def test_names_each_bad_field_in_the_envelope(self, api):
        customer = make_customer(api.user)
        group = CustomerGroup.objects.create(code="vip", name="大客户")
        both = api.post("/api/price-lists", {**NEW_LIST, "customer_id": customer.pk, "group_id": group.pk})
        assert fields_of(both) == {"customer_id", "group_id"}
        assert fields_of(api.post("/api/price-lists", {**NEW_LIST, "valid_to": "2025-12-31"})) == {"valid_to"}
        assert fields_of(api.post("/api/price-lists", {**NEW_LIST, "currency": "rmb"})) == {"currency"}
        assert fields_of(api.post("/api/price-lists", {**NEW_LIST, "customer_id": 999999})) == {"customer_id"}
        assert fields_of(api.post("/api/price-lists", {**NEW_LIST, "colour": "red"})) == {"colour"}
        assert not PriceList.objects.exists()

    def test_lists_page_by_page(self, api):
        for i in range(3):
            price_list(code=f"L-{i}", priority=i)
        body = api.get("/api/price-lists", {"limit": 2, "offset": 1}).json()
        assert body["count"] == 3 and body["limit"] == 2 and body["offset"] == 1
        assert [item["code"] for item in body["items"]] == ["L-1", "L-2"]
        assert [i["code"] for i in api.get("/api/price-lists", {"q": "l-2"}).json()["items"]] == ["L-2"]

    def test_an_edit_needs_the_current_version(self, api):
        existing = price_list(name="旧")
        ok = api.put(f"/api/price-lists/{existing.pk}", {"version": 1, "code": existing.code, "name": "新"})
        assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.json()["name"] == "新"
        stale = api.put(f"/api/price-lists/{existing.pk}", {"version": 1, "code": existing.code, "name": "冲突"})
        assert stale.status_code == 409 and stale.json()["code"] == "stale_edit"
        assert stale.json()["detail"]["current_version"] == 2

    def test_deactivates(self, api):
        existing = price_list()
        response = api.post(f"/api/price-lists/{existing.pk}/deactivate")
        assert response.status_code == 200 and response.json()["active"] is False

    def test_a_salesperson_sees_only_the_customer_lists_of_their_own_customers(self, api_for, make_user):
        # given a general list, a list for the salesperson's customer and one for someone else's
        sales, manager = api_for(Role.SALES), make_user(Role.SALES_MANAGER)
        price_list(code="ALL")
        price_list(code="MINE", customer=make_customer(manager, owner_id=sales.user.pk))
        theirs = price_list(code="THEIRS", customer=make_customer(manager))
        # when they read the lists, then the other customer's list is not found, as the customer is not
        assert [i["code"] for i in sales.get("/api/price-lists").json()["items"]] == ["ALL", "MINE"]
        assert sales.get(f"/api/price-lists/{theirs.pk}").status_code == 404
        assert sales.get(f"/api/price-lists/{theirs.pk}/items").status_code == 404
        assert api_for(Role.FINANCE).get(f"/api/price-lists/{theirs.pk}").status_code == 200

    def test_an_unknown_list_is_a_404_envelope(self, api):
        for response in (api.get("/api/price-lists/999999"), api.get("/api/price-lists/999999/items"),
                         api.put("/api/price-lists/999999/items", {"items": []})):
            assert response.status_code == 404 and response.json()["code"] == "not_found"


class TestPriceListItems:
    def test_replaces_the_items_and_lists_them_page_by_page(self, api):
        target = price_list()
        products = [make_product(sku=f"IT-{i}") for i in range(3)]
        response = api.put(f"/api/price-lists/{target.pk}/items", {"version": 1, "items": [
            {"product_id": products[0].pk, "price": "99.5"},
            {"product_id": products[0].pk, "min_quantity": "10", "price": "95"},
            {"product_id": products[1].pk, "method": "percent_off", "percent": "5"},
            {"product_id": products[2].pk, "price": "0"}]})
        assert response.status_code == 200, response.content
        assert response.json()["item_count"] == 4 and response.json()["version"] == 2
        page = api.get(f"/api/price-lists/{target.pk}/items", {"limit": 2, "offset": 1}).json()
        assert page["count"] == 4
        assert page["items"] == [
            {"id": page["items"][0]["id"], "product_id": products[0].pk, "sku": "IT-0", "product_name": "测试商品",
             "min_quantity": "10.0000", "method": "fixed", "price": "95.0000", "percent": None},
            {"id": page["items"][1]["id"], "product_id": products[1].pk, "sku": "IT-1", "product_name": "测试商品",
             "min_quantity": "0.0000", "method": "percent_off", "price": None, "percent": "5.00"}]

    def test_names_the_bad_item_and_its_field(self, api):
        target = price_list()
        product = make_product()
        response = api.put(f"/api/price-lists/{target.pk}/items", {"items": [
            {"product_id": product.pk, "price": "1"},
            {"product_id": product.pk, "min_quantity": "1", "method": "percent_off"},
            {"product_id": product.pk, "min_quantity": "2", "price": "1.00001"},
            {"product_id": product.pk, "price": "2"}]})
        assert fields_of(response) == {"items.1.percent", "items.2.price", "items.3.min_quantity"}
        assert not PriceListItem.objects.exists()

    def test_a_replacement_on_an_old_version_is_a_409(self, api):
        target = price_list(version=3)
        response = api.put(f"/api/price-lists/{target.pk}/items", {"version": 2, "items": []})
        assert response.status_code == 409 and response.json()["code"] == "stale_edit"


class TestPromotions:
    def test_creates_reads_edits_and_deactivates(self, api):
        product = make_product()
        created = api.post("/api/promotions", {**NEW_PROMOTION, "product_ids": [product.pk]})
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["percent"] == "10.00" and body["product_ids"] == [product.pk] and body["amount"] is None
        pk = body["id"]
        assert api.get(f"/api/promotions/{pk}").json()["code"] == "SPRING-10"
        edited = api.put(f"/api/promotions/{pk}", {"version": 1, "code": "SPRING-10", "name": "春季满减",
                                                    "kind": "order_threshold", "threshold": "500", "amount": "50"})
        assert edited.status_code == 200, edited.content
        assert edited.json()["percent"] is None and edited.json()["threshold"] == "500.00"
        assert edited.json()["product_ids"] == [product.pk] and edited.json()["version"] == 2
        deactivated = api.post(f"/api/promotions/{pk}/deactivate")
        assert deactivated.status_code == 200 and deactivated.json()["active"] is False

    def test_a_retry_with_the_same_idempotency_key_creates_nothing_more(self, api):
        first = api.post("/api/promotions", NEW_PROMOTION, headers={"Idempotency-Key": "promo-1"})
        again = api.post("/api/promotions", NEW_PROMOTION, headers={"Idempotency-Key": "promo-1"})
        assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
        assert Promotion.objects.count() == 1

    @pytest.mark.parametrize("change, fields", [
        ({"percent": None}, {"percent"}),
        ({"percent": "101"}, {"percent"}),
        ({"kind": "amount_off"}, {"amount"}),
        ({"kind": "order_threshold", "threshold": "100", "amount": "150"}, {"amount"}),
        ({"kind": "buy_x_get_y"}, {"buy_quantity", "free_quantity"}),
        ({"kind": "half_off"}, {"kind"}),
        ({"product_ids": [999999]}, {"product_ids"}),
        ({"valid_from": "2026-02-01", "valid_to": "2026-01-31"}, {"valid_to"}),
        ({"code": "has space"}, {"code"}),
    ])
    def test_names_each_bad_field_in_the_envelope(self, api, change, fields):
        assert fields_of(api.post("/api/promotions", {**NEW_PROMOTION, **change})) == fields
        assert not Promotion.objects.exists()

    def test_an_edit_on_an_old_version_is_a_409(self, api):
        existing = promotion()
        response = api.put(f"/api/promotions/{existing.pk}", {"version": 2, "code": existing.code, "name": "x",
                                                              "kind": "percent_off"})
        assert response.status_code == 409 and response.json()["code"] == "stale_edit"

    def test_lists_page_by_page_with_filters(self, api):
        promotion("percent_off", code="A-1")
        promotion("amount_off", code="A-2")
        promotion("amount_off", code="A-3", active=False)
        body = api.get("/api/promotions", {"limit": 1}).json()
        assert body["count"] == 3 and len(body["items"]) == 1
        filtered = api.get("/api/promotions", {"kind": "amount_off", "active": "true"}).json()
        assert [p["code"] for p in filtered["items"]] == ["A-2"]


class TestDiscountLimits:
    def test_lists_one_row_per_role(self, api):
        body = api.get("/api/discount-limits").json()
        assert body["count"] == len(Role)
        assert {row["role"]: row["max_percent"] for row in body["items"]}["sales"] == "10.00"
        assert {row["role"]: row["max_percent"] for row in body["items"]}["warehouse"] == "0.00"

    def test_sets_a_limit(self, api):
        response = api.put("/api/discount-limits/sales", {"max_percent": "15"})
        assert response.status_code == 200
        # the label is in the user's language (zh-Hans by default)
        assert response.json() == {"role": "sales", "label": "销售", "max_percent": "15.00"}

    def test_names_a_bad_percentage_or_role(self, api):
        assert fields_of(api.put("/api/discount-limits/sales", {"max_percent": "100.5"})) == {"max_percent"}
        assert fields_of(api.put("/api/discount-limits/boss", {"max_percent": "5"})) == {"role"}


def endpoints(ids):
    """(method, url, body) for every pricing operation, on fresh objects."""
    pl, promo = ids["price_list"], ids["promotion"]
    return [
        ("GET", "/api/price-lists", None),
        ("POST", "/api/price-lists", {"code": "PERM-PL", "name": "权限"}),
        ("GET", f"/api/price-lists/{pl.pk}", None),
        ("PUT", f"/api/price-lists/{pl.pk}", {"version": 1, "code": pl.code, "name": "权限"}),
        ("POST", f"/api/price-lists/{pl.pk}/deactivate", None),
        ("GET", f"/api/price-lists/{pl.pk}/items", None),
        ("PUT", f"/api/price-lists/{pl.pk}/items", {"items": []}),
        ("GET", "/api/promotions", None),
        ("POST", "/api/promotions", {**NEW_PROMOTION, "code": "PERM-PR"}),
        ("GET", f"/api/promotions/{promo.pk}", None),
        ("PUT", f"/api/promotions/{promo.pk}", {"version": 1, "code": promo.code, "name": "权限",
                                                "kind": "percent_off", "percent": "1"}),
        ("POST", f"/api/promotions/{promo.pk}/deactivate", None),
        ("GET", "/api/discount-limits", None),
        ("PUT", "/api/discount-limits/sales", {"max_percent": "11"}),
    ]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_and_only_managers_and_admins_write(api_for, role):
    client = api_for(role)
    for method, url, body in endpoints({"price_list": price_list(), "promotion": promotion()}):
        if method == "GET":
            response = client.get(url)
        elif method == "PUT":
            response = client.put(url, body)
        else:
            response = client.post(url, body)
        if method == "GET" or role in WRITERS:
            assert response.status_code in (200, 201), (role, method, url, response.content)
        else:
            assert response.status_code == 403 and response.json()["code"] == "forbidden", (role, method, url)
    assert len(endpoints({"price_list": price_list(), "promotion": promotion()})) == 14


def test_anonymous_calls_are_401(client):
    response = client.get("/api/price-lists")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_lists_take_the_same_queries_for_few_or_many_rows(api):
    # given one list with an item and one promotion with its scope
    group = CustomerGroup.objects.create(code="few", name="少")
    urls = ["/api/price-lists", "/api/promotions", f"/api/price-lists/{price_list(group=group).pk}/items"]
    price_list_item(make_product(), on=PriceList.objects.get())
    promotion(products=[make_product()], categories=[make_category()], customer_groups=[group])
    [queries_of(api, url) for url in urls]  # warm up: the first request loads caches
    few = [queries_of(api, url) for url in urls]
    # when there are many of each
    for i in range(5):
        price_list(customer=make_customer(api.user))
        price_list_item(make_product(), on=PriceList.objects.get(group=group), min_quantity=str(i + 1))
        promotion(products=[make_product(), make_product()], categories=[make_category()], customer_groups=[group])
    # then reading them costs the same
    assert [queries_of(api, url) for url in urls] == few
