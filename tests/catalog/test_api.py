"""The catalog's REST API: lists with filters, sort and pagination, the picker, create (idempotent),
edit with optimistic locking, deactivate, delete, substitutes, categories and units."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaidan.catalog.models import Product
from kaidan.core.roles import Role
from tests.catalog.factories import add_picture, make_category, make_product

pytestmark = pytest.mark.django_db

NEW = {"sku": "NB-NEW-1", "name": "新笔记本电脑", "unit": "unit", "list_price": "5999.00", "standard_cost": "4800",
       "barcode": "6901234567892", "weight_kg": "1.25", "volume_m3": "0.006"}


def delete(api, path):
    return api.client.delete(path, **api._headers(None))


@pytest.fixture
def api(api_for):
    return api_for(Role.SALES_MANAGER)


class TestListAndDetail:
    def test_lists_page_by_page_with_decimal_strings(self, api, admin):
        for i in range(3):
            make_product(admin, sku=f"L-{i}", list_price="12.5")
        body = api.get("/api/products", {"limit": 2}).json()
        assert body["count"] == 3 and len(body["items"]) == 2 and body["limit"] == 2
        item = body["items"][0]
        assert item["sku"] == "L-0" and item["list_price"] == "12.5000" and item["vat_rate"] == "0.1300"
        assert item["unit"] == "pcs" and item["unit_name"] == "个" and item["thumbnail_url"] is None

    def test_filters_by_words_category_brand_and_state(self, api, admin):
        top = make_category(admin, code="computers", name="电脑整机")
        laptops = make_category(admin, code="laptops", name="笔记本电脑", parent=top)
        make_product(admin, sku="NB-1", brand="联想", category_id=laptops.pk)
        make_product(admin, sku="NB-2", brand="华为", category_id=laptops.pk, active=False)
        make_product(admin, sku="PRN-1", brand="惠普")

        def skus(**params):
            return [i["sku"] for i in api.get("/api/products", params).json()["items"]]

        assert skus(q="bjbdn") == ["NB-1", "NB-2"]
        assert skus(category=top.pk, active="true") == ["NB-1"]
        assert skus(brand="华为") == ["NB-2"]
        assert skus(sort="-sku") == ["PRN-1", "NB-2", "NB-1"]

    def test_an_unknown_sort_field_is_a_422_naming_sort(self, api):
        response = api.get("/api/products", {"sort": "standard_cost"})
        assert response.status_code == 422 and "sort" in response.json()["detail"]["fields"]

    def test_detail_has_pictures_and_substitutes(self, api, admin):
        product, other = make_product(admin, sku="D-1"), make_product(admin, sku="D-2")
        image = add_picture(product, admin)
        api.put(f"/api/products/{product.pk}/substitutes", {"substitute_ids": [other.pk]})
        body = api.get(f"/api/products/{product.pk}").json()
        assert body["images"][0]["id"] == image.pk and body["images"][0]["is_primary"] is True
        assert body["images"][0]["url"] == f"/products/images/{image.pk}/"
        assert body["thumbnail_url"] == f"/products/images/{image.pk}/thumb/"
        assert body["substitutes"] == [{"id": other.pk, "sku": "D-2", "name": other.name, "spec": "", "model": "",
                                        "active": True, "position": 1}]
        assert body["standard_cost"] == "80.0000" and body["version"] == 1

    def test_an_unknown_product_is_a_404_envelope(self, api):
        response = api.get("/api/products/999999")
        assert response.status_code == 404 and response.json()["code"] == "not_found"

    def test_every_role_may_read_but_only_managers_write(self, api_for):
        sales = api_for(Role.SALES)
        assert sales.get("/api/products").status_code == 200
        response = sales.post("/api/products", NEW)
        assert response.status_code == 403 and response.json()["code"] == "forbidden"


class TestCreate:
    def test_creates_and_answers_201_with_the_product(self, api):
        response = api.post("/api/products", NEW)
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["sku"] == "NB-NEW-1" and body["list_price"] == "5999.0000" and body["weight_kg"] == "1.250"
        assert body["price_includes_tax"] is True and body["vat_rate"] == "0.1300"

    def test_a_retry_with_the_same_idempotency_key_creates_nothing_more(self, api):
        first = api.post("/api/products", NEW, headers={"Idempotency-Key": "create-nb-1"})
        again = api.post("/api/products", NEW, headers={"Idempotency-Key": "create-nb-1"})
        assert first.status_code == again.status_code == 201
        assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
        assert Product.objects.count() == 1
        other = api.post("/api/products", {**NEW, "sku": "NB-NEW-2"}, headers={"Idempotency-Key": "create-nb-1"})
        assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]["fields"]

    @pytest.mark.parametrize("change, field", [
        ({"barcode": "6901234567890"}, "barcode"),        # wrong check digit
        ({"barcode": "69012345"}, "barcode"),              # EAN-8 with a wrong check digit
        ({"barcode": "12345"}, "barcode"),                 # wrong length (schema)
        ({"list_price": "-1"}, "list_price"),
        ({"list_price": "1.23456"}, "list_price"),
        ({"standard_cost": "abc"}, "standard_cost"),
        ({"vat_rate": "0.17"}, "vat_rate"),
        ({"vat_rate": "1.5"}, "vat_rate"),
        ({"weight_kg": "-0.5"}, "weight_kg"),
        ({"unit": "parsec"}, "unit"),
        ({"category_id": 999999}, "category_id"),
        ({"sku": "has space"}, "sku"),
        ({"name": ""}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"colour": "red"}, "colour"),
    ])
    def test_bad_input_is_a_422_naming_the_field_and_creates_nothing(self, api, change, field):
        response = api.post("/api/products", {**NEW, **change})
        assert response.status_code == 422, response.content
        assert field in response.json()["detail"]["fields"]
        assert not Product.objects.exists()

    def test_a_duplicate_sku_is_a_422_on_sku(self, api):
        api.post("/api/products", NEW)
        response = api.post("/api/products", {**NEW, "barcode": ""}, headers={"Accept-Language": "en"})
        assert response.status_code == 422
        assert response.json()["detail"]["fields"] == {"sku": ["Another product already has this SKU."]}


class TestEdit:
    def test_saves_with_the_version_read(self, api):
        product = api.post("/api/products", NEW).json()
        response = api.put(f"/api/products/{product['id']}", {**NEW, "name": "改名", "version": 1})
        assert response.status_code == 200 and response.json()["name"] == "改名" and response.json()["version"] == 2

    def test_a_stale_version_is_a_409_stale_edit(self, api):
        product = api.post("/api/products", NEW).json()
        api.put(f"/api/products/{product['id']}", {**NEW, "name": "第一", "version": 1})
        response = api.put(f"/api/products/{product['id']}", {**NEW, "name": "第二", "version": 1})
        assert response.status_code == 409
        assert response.json()["code"] == "stale_edit" and response.json()["detail"]["current_version"] == 2
        assert Product.objects.get().name == "第一"

    def test_the_version_is_required(self, api):
        product = api.post("/api/products", NEW).json()
        response = api.put(f"/api/products/{product['id']}", NEW)
        assert response.status_code == 422 and "version" in response.json()["detail"]["fields"]


class TestDeactivateAndDelete:
    def test_deactivates(self, api, admin):
        product = make_product(admin)
        body = api.post(f"/api/products/{product.pk}/deactivate").json()
        assert body["active"] is False and body["version"] == 2

    def test_deletes_an_unused_product(self, api, admin):
        product = make_product(admin)
        assert delete(api, f"/api/products/{product.pk}").status_code == 204
        assert delete(api, f"/api/products/{product.pk}").status_code == 404

    def test_a_product_in_use_is_a_409_naming_the_references(self, api, admin):
        product, substitute = make_product(admin, sku="KEEP-1"), make_product(admin, sku="KEEP-2")
        api.put(f"/api/products/{product.pk}/substitutes", {"substitute_ids": [substitute.pk]})
        response = delete(api, f"/api/products/{substitute.pk}")
        assert response.status_code == 409 and response.json()["code"] == "conflict"
        assert response.json()["detail"]["references"][0]["products"] == ["KEEP-1"]


class TestSubstitutes:
    def test_sets_the_ordered_list(self, api, admin):
        product, a, b = make_product(admin), make_product(admin), make_product(admin)
        body = api.put(f"/api/products/{product.pk}/substitutes", {"substitute_ids": [b.pk, a.pk]}).json()
        assert [s["id"] for s in body["substitutes"]] == [b.pk, a.pk]

    @pytest.mark.parametrize("ids", ["self", "duplicate", "unknown", "zero"])
    def test_bad_lists_are_a_422_on_substitute_ids(self, api, admin, ids):
        product, a = make_product(admin), make_product(admin)
        substitute_ids = {"self": [product.pk], "duplicate": [a.pk, a.pk], "unknown": [999999], "zero": [0]}[ids]
        response = api.put(f"/api/products/{product.pk}/substitutes", {"substitute_ids": substitute_ids})
        assert response.status_code == 422
        assert any(f.startswith("substitute_ids") for f in response.json()["detail"]["fields"])


class TestCategoriesAndUnits:
    def test_creates_lists_in_tree_order_and_moves(self, api):
        top = api.post("/api/categories", {"name": "电脑整机", "code": "computers"}).json()
        child = api.post("/api/categories", {"name": "笔记本电脑", "code": "laptops", "parent_id": top["id"]})
        assert child.status_code == 201 and child.json()["path"] == "电脑整机 / 笔记本电脑"
        api.post("/api/categories", {"name": "耗材", "code": "a-supplies"})
        items = api.get("/api/categories").json()["items"]
        assert [c["code"] for c in items] == ["a-supplies", "computers", "laptops"]
        assert [c["depth"] for c in items] == [0, 0, 1]

    def test_a_cycle_is_a_422_on_parent_id(self, api):
        top = api.post("/api/categories", {"name": "电脑整机", "code": "computers"}).json()
        child = api.post("/api/categories", {"name": "笔记本电脑", "code": "laptops", "parent_id": top["id"]}).json()
        response = api.put(f"/api/categories/{top['id']}", {"name": "电脑整机", "code": "computers",
                                                            "parent_id": child["id"]})
        assert response.status_code == 422 and "parent_id" in response.json()["detail"]["fields"]

    def test_units_say_whether_fractions_are_allowed(self, api):
        units = {u["code"]: u for u in api.get("/api/units", {"limit": 200}).json()["items"]}
        assert units["kg"]["allow_fraction"] is True and units["unit"] == {"code": "unit", "name": "台",
                                                                           "allow_fraction": False}


class TestQueryCounts:
    """Lists and the picker take the same number of queries for 5 or 50 products."""

    def queries_for(self, api, path, params):
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(path, params).status_code == 200
        return len(ctx.captured_queries)

    @pytest.mark.parametrize("path, params", [
        ("/api/products", {"limit": 100}),
        ("/api/products", {"limit": 100, "q": "sp", "category": 1}),
        ("/api/products/picker", {"q": "sp", "limit": 50}),
    ])
    def test_does_not_grow_with_the_rows(self, api, admin, path, params):
        api.get("/api/me")  # the token's last use is fresh: no write inside the measured calls
        category = make_category(admin, name="商品")

        def add(n):
            for _ in range(n):
                product = make_product(admin, category_id=category.pk)
                if product.pk % 3 == 0:
                    add_picture(product, admin)

        add(5)
        few = self.queries_for(api, path, params)
        add(45)
        assert self.queries_for(api, path, params) == few

    def test_the_picker_answers_in_one_query_after_authentication(self, api, admin):
        make_product(admin)
        api.get("/api/me")
        baseline = self.queries_for(api, "/api/units", {"limit": 1})  # auth + the count and the page
        assert self.queries_for(api, "/api/products/picker", {"q": "t"}) == baseline - 1
