"""Every role against every page and API operation that exists, read from the one matrix.

The URL tree and the API routers are walked, so a new page or endpoint that forgets to declare
who may use it fails here, and one that is declared is checked for every role automatically."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from kaidan.api import api
from kaidan.core import services
from kaidan.core.access import INTEGRATION, PUBLIC, SIGNED_IN, access_rule
from kaidan.core.models import Notification
from kaidan.core.roles import MATRIX, Capability, Role
from kaidan.shipping.models import DeliveryNote
from tests.inventory.factories import make_warehouse

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("admin/", "api/")  # Django admin guards itself (staff); the API is walked below
SAMPLE_BODIES = {
    ("PUT", "/company"): {"version": 0, "name": "矩阵测试公司"},
    ("PUT", "/series/{doc_type}"): {"name": "订单", "pattern": "SO{yyyy}{mm}-{seq:05}", "active": True},
    ("POST", "/tokens"): {"name": "matrix"},
    ("POST", "/customers"): {"name": "矩阵新客户"},
    ("PUT", "/customers/{customer_id}"): {"version": 1, "code": "M-1", "name": "矩阵客户"},
    ("POST", "/customers/{customer_id}/block"): {"reason": "矩阵测试"},
    ("POST", "/customers/{customer_id}/addresses"): {"province": "上海市", "city": "上海市", "street": "一号"},
    ("PUT", "/customers/{customer_id}/addresses/{address_id}"): {"province": "上海市", "city": "上海市",
                                                                  "street": "二号"},
    ("POST", "/customers/{customer_id}/contacts"): {"name": "王", "mobile": "13800138000"},
    ("PUT", "/customers/{customer_id}/contacts/{contact_id}"): {"name": "王", "email": "wang@example.com"},
    ("POST", "/products"): {"sku": "MATRIX-1", "name": "矩阵商品", "unit": "pcs"},
    ("PUT", "/products/{product_id}"): {"version": 1, "sku": "MATRIX-2", "name": "矩阵商品", "unit": "pcs"},
    ("PUT", "/products/{product_id}/substitutes"): {"substitute_ids": []},
    ("POST", "/categories"): {"name": "矩阵分类", "code": "matrix-1"},
    ("PUT", "/categories/{category_id}"): {"name": "矩阵分类", "code": "matrix-2"},
    ("POST", "/price-lists"): {"code": "MATRIX-PL", "name": "矩阵价目表"},
    ("PUT", "/price-lists/{price_list_id}"): {"version": 1, "code": "MATRIX-PL2", "name": "矩阵价目表"},
    ("PUT", "/price-lists/{price_list_id}/items"): {"items": []},
    ("POST", "/promotions"): {"code": "MATRIX-PR", "name": "矩阵促销", "kind": "percent_off", "percent": "5"},
    ("PUT", "/promotions/{promotion_id}"): {"version": 1, "code": "MATRIX-PR2", "name": "矩阵促销",
                                            "kind": "percent_off", "percent": "5"},
    ("PUT", "/discount-limits/{role}"): {"max_percent": "12.5"},
    # bodies that name sample objects are built from the sample values
    ("POST", "/orders"): lambda v: {"customer_id": int(v["customer_id"])},
    ("PUT", "/orders/{order_id}"): {"version": 1, "notes": "矩阵"},
    ("POST", "/orders/{order_id}/lines"): lambda v: {"version": 1, "product_id": int(v["product_id"]), "quantity": "1"},
    ("PUT", "/orders/{order_id}/lines/{line_id}"): {"version": 1, "quantity": "2"},
    ("POST", "/orders/{order_id}/lines/{line_id}/replace"): lambda v: {"version": 1,
                                                                       "product_id": int(v["product_id"])},
    ("POST", "/pricing/preview"): lambda v: {"customer_id": int(v["customer_id"]),
                                             "lines": [{"product_id": int(v["product_id"]), "quantity": "1"}]},
    # stock: the sample product has 10 on hand in the sample warehouse, an open request and a reorder rule
    ("POST", "/stock/receipts"): lambda v: {"warehouse_id": int(v["warehouse_id"]),
                                            "lines": [{"product_id": int(v["product_id"]), "quantity": "1"}]},
    ("POST", "/stock/adjustments"): lambda v: {"warehouse_id": int(v["warehouse_id"]), "reason": "矩阵盘点",
                                               "lines": [{"product_id": int(v["product_id"]), "quantity": "-1"}]},
    ("POST", "/stock/transfers"): lambda v: {"warehouse_id": int(v["warehouse_id"]),
                                             "to_warehouse_id": make_warehouse().pk,
                                             "lines": [{"product_id": int(v["product_id"]), "quantity": "1"}]},
    ("POST", "/stock/availability"): lambda v: {"warehouse_id": int(v["warehouse_id"]),
                                                "lines": [{"product_id": int(v["product_id"]), "quantity": "1"}]},
    ("POST", "/replenishment-requests"): lambda v: {"product_id": int(v["product_id"]),
                                                    "warehouse_id": int(v["warehouse_id"]), "quantity": "1"},
    ("POST", "/replenishment-requests/{request_id}/order"): {"version": 1, "expected_date": "2099-12-31"},
    ("POST", "/replenishment-requests/{request_id}/receive"): {"version": 1},
    ("POST", "/replenishment-requests/{request_id}/cancel"): {"version": 1},
    ("POST", "/reorder-rules"): lambda v: {"product_id": int(v["product_id"]), "warehouse_id": make_warehouse().pk,
                                           "min_level": "1", "max_level": "5"},
    ("PUT", "/reorder-rules/{rule_id}"): {"version": 1, "max_level": "6"},
    # approvals: the sample request waits for the caller's own approval; the sample rule never holds
    ("POST", "/approval-rules"): {"name": "矩阵规则", "kind": "customer_blocked", "steps": [{"role": "sales_manager"}]},
    ("PUT", "/approval-rules/{approval_rule_id}"): {"version": 1, "name": "矩阵规则", "kind": "customer_blocked",
                                                    "steps": [{"role": "general_manager"}]},
    ("POST", "/approval-rules/preview"): lambda v: {"name": "矩阵", "kind": "amount", "min_amount": "0",
                                                    "steps": [{"role": "sales_manager"}],
                                                    "order_id": int(v["order_id"])},
    ("POST", "/approvals/{approval_id}/reject"): {"comment": "矩阵"},
    ("POST", "/delegations"): lambda v: {"delegate_id": int(v["delegate_id"]),
                                         "starts_on": timezone.localdate().isoformat(),
                                         "ends_on": timezone.localdate().isoformat()},
    ("POST", "/customers/{customer_id}/credit-overrides"): lambda v: {
        "expires_on": timezone.localdate().isoformat(), "reason": "矩阵"},
    # shipping: the sample note is a draft of 1 of the 2 reserved on its confirmed order, so a second note
    # takes the other; a draft cannot be packed, shipped or tracked (409)
    ("POST", "/delivery-notes"): lambda v: {"order_id": DeliveryNote.objects.get(pk=v["note_id"]).order_id},
    ("POST", "/delivery-notes/{note_id}/pack"): {"parcel_count": 1},
    ("POST", "/delivery-notes/{note_id}/cancel"): {"reason": "矩阵"},
    ("POST", "/delivery-notes/{note_id}/events"): {"kind": "note", "description": "矩阵"},
    ("POST", "/carriers"): {"code": "MATRIX-C", "name": "矩阵物流"},
    ("PUT", "/carriers/{carrier_id}"): {"version": 1, "name": "矩阵物流二"},
}
BODY_NAMES = {("POST", "/orders"): ("customer_id",), ("POST", "/orders/{order_id}/lines"): ("product_id",),
              ("POST", "/orders/{order_id}/lines/{line_id}/replace"): ("product_id",),
              ("POST", "/pricing/preview"): ("customer_id", "product_id"),
              **dict.fromkeys([("POST", "/stock/receipts"), ("POST", "/stock/adjustments"),
                               ("POST", "/stock/transfers"), ("POST", "/stock/availability"),
                               ("POST", "/replenishment-requests"), ("POST", "/reorder-rules")],
                              ("warehouse_id",)),  # the stock sample brings its own stocked product
              ("POST", "/approval-rules/preview"): ("order_id",), ("POST", "/delegations"): ("delegate_id",),
              ("POST", "/delivery-notes"): ("note_id",)}
SAMPLE_QUERIES = {("DELETE", "/orders/{order_id}/lines/{line_id}"): "?version=1"}
SAMPLE_FILES = {("POST", "/products/{product_id}/images"): "file"}  # multipart: the field a small picture goes in
SAMPLE_WORKBOOKS = {("POST", "/imports/customers"), ("POST", "/imports/products")}  # multipart: a one-row .xlsx


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # sample pictures never land in var/


PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")


def sample_values(user, admin, route: str = "", *also: str) -> dict[str, str]:
    """Fresh objects the user may see, to fill the parameters of ``route`` (and the names in ``also``,
    for bodies). One set per request, since some requests delete; only what the route names is made,
    which keeps this test fast as apps add URLs."""
    from kaidan.parties import services as parties
    from kaidan.parties import services_people as people

    wanted = {a or b for a, b in PARAMETER.findall(route)} | set(also)
    values: dict = {"doc_type": "sales_order", "status": "inactive", "role": "sales"}
    if wanted & {"customer_id", "address_id", "contact_id"}:
        customer = parties.create_customer(actor=admin, data={"name": "矩阵客户", "owner_id": user.pk})
        address = people.save_address(actor=admin, customer_id=customer.pk,
                                      data={"province": "上海市", "city": "上海市", "street": "一号"})
        contact = people.save_contact(actor=admin, customer_id=customer.pk,
                                      data={"name": "李", "mobile": "13900139000"})
        values.update(customer_id=customer.pk, address_id=address.pk, contact_id=contact.pk)
    if "token_id" in wanted:
        values["token_id"] = services.create_api_token(user=user, name="to revoke")[0].pk
    if "notification_id" in wanted:
        values["notification_id"] = Notification.objects.create(user=user, key="approval_needed").pk
    from tests.approvals.factories import approvals_sample_ids
    from tests.catalog.factories import catalog_sample_ids
    from tests.inventory.factories import inventory_sample_ids
    from tests.pricing.factories import pricing_sample_ids
    from tests.sales.factories import sales_sample_ids
    from tests.shipping.factories import shipping_sample_ids
    from tests.transfer.factories import transfer_sample_ids
    makers = [({"category_id", "product_id", "image_id"}, lambda: catalog_sample_ids(admin)),
              ({"job_id"}, lambda: transfer_sample_ids(user)),
              ({"price_list_id", "item_id", "promotion_id"}, pricing_sample_ids),
              ({"order_id", "line_id"}, lambda: sales_sample_ids(user, admin)),
              ({"operation_id", "request_id", "rule_id", "warehouse_id"}, lambda: inventory_sample_ids(admin)),
              ({"approval_rule_id", "approval_id", "delegation_id", "delegate_id", "override_id"},
               lambda: approvals_sample_ids(user, admin)),
              ({"note_id", "carrier_id"}, lambda: shipping_sample_ids(user, admin))]
    for names, make in makers:
        if wanted & names:
            values.update({k: v for k, v in make().items() if k not in values or k in names})
    return {name: str(value) for name, value in values.items()}


def walk(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith(SKIPPED_PREFIXES):
                yield from walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and not route.startswith(SKIPPED_PREFIXES):
            yield route, entry


def pages():
    return list(walk(get_resolver().url_patterns))


def operations():
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                for method in op.methods:
                    yield method, path, op


def allowed(rule, role) -> bool:
    if rule in (PUBLIC, SIGNED_IN):
        return True
    return role in MATRIX[Capability(rule)]


def fill(route: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        route = route.replace(f"<slug:{name}>", value).replace(f"<int:{name}>", value).replace(f"{{{name}}}", value)
    assert "<" not in route and "{" not in route, f"no sample value for a parameter of {route}"
    return "/" + route.lstrip("/")


def test_every_page_and_operation_declares_who_may_use_it():
    undeclared = [route for route, p in pages() if access_rule(p.callback) is None]
    undeclared += [f"{m} /api{path}" for m, path, op in operations() if access_rule(op.view_func) is None]
    assert undeclared == []


def test_every_capability_of_the_matrix_is_a_real_permission():
    from django.contrib.auth.models import Permission

    names = {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")}
    assert {str(c) for c in Capability} <= names


@pytest.mark.parametrize("role", list(Role))
def test_pages_obey_the_matrix(role, client_for, make_user):
    client, admin = client_for(role), make_user(Role.ADMIN)
    for route, pattern in pages():
        rule = access_rule(pattern.callback)
        if rule == PUBLIC or "logout" in route:
            continue
        response = client.get(fill(route, sample_values(client.user, admin, route)))
        if allowed(rule, role):
            assert response.status_code in (200, 405), (role, route, response.status_code)
        else:
            assert response.status_code == 403, (role, route, response.status_code)


@pytest.mark.parametrize("role", list(Role))
def test_api_operations_obey_the_matrix(role, api_for, make_user):
    api_client, admin = api_for(role), make_user(Role.ADMIN)
    for method, path, op in operations():
        rule = access_rule(op.view_func)
        if rule == INTEGRATION:
            # The one exception to the matrix: a carrier's integration authenticates with its own key
            # (X-Carrier-Key), not as a user, so no role may call it and a user's token is refused (401).
            # Its authentication is tested in tests/shipping/test_carrier_api.py.
            response = api_client.post("/api" + path, {"tracking_number": "SF1", "kind": "in_transit"})
            assert response.status_code == 401, (role, method, path, response.status_code)
            continue
        values = sample_values(api_client.user, admin, path, *BODY_NAMES.get((method, path), ()))
        url = "/api" + fill(path, values) + SAMPLE_QUERIES.get((method, path), "")
        body = SAMPLE_BODIES.get((method, path))
        body = body(values) if callable(body) else body
        if method == "GET":
            response = api_client.get(url)
        elif method == "PUT":
            response = api_client.put(url, body)
        elif (method, path) in SAMPLE_WORKBOOKS:
            from tests.transfer.factories import sample_workbook

            response = api_client.client.post(url, {"file": sample_workbook(path), "dry_run": "true"},
                                              HTTP_AUTHORIZATION=f"Bearer {api_client.secret}")
        elif (method, path) in SAMPLE_FILES:
            from tests.catalog.factories import upload

            response = api_client.client.post(url, {SAMPLE_FILES[(method, path)]: upload()},
                                              HTTP_AUTHORIZATION=f"Bearer {api_client.secret}")
        elif method == "POST":
            response = api_client.post(url, body)
        else:
            response = api_client.client.generic(method, url, HTTP_AUTHORIZATION=f"Bearer {api_client.secret}")
        if allowed(rule, role):  # let in; a state the operation refuses (409) still proves access
            assert response.status_code < 400 or response.status_code == 409, (
                role, method, url, response.status_code, response.content)
        else:
            assert response.status_code == 403, (role, method, url, response.status_code)
            assert response.json()["code"] == "forbidden"


def test_anonymous_visitors_get_only_public_pages(client):
    for route, pattern in pages():
        if access_rule(pattern.callback) == PUBLIC or "<" in route:
            continue
        response = client.get("/" + route)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], route


def test_anonymous_api_calls_are_401():
    from django.test import Client

    values = dict.fromkeys(["doc_type", "status", "customer_id", "address_id", "contact_id", "token_id",
                            "category_id", "product_id", "image_id", "job_id", "price_list_id",
                            "promotion_id", "role", "order_id", "line_id", "operation_id", "request_id",
                            "rule_id", "approval_rule_id", "approval_id", "delegation_id", "override_id",
                            "notification_id", "note_id", "carrier_id"], "1")
    for method, path, _op in operations():
        url = "/api" + fill(path, values)
        response = Client().generic(method, url, "{}", content_type="application/json")
        assert response.status_code == 401, (method, url)
