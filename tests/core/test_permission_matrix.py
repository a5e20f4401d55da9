"""Every role against every page and API operation that exists, read from the one matrix.

The URL tree and the API routers are walked, so a new page or endpoint that forgets to declare
who may use it fails here, and one that is declared is checked for every role automatically."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from kaidan.api import api
from kaidan.core import services
from kaidan.core.access import PUBLIC, SIGNED_IN, access_rule
from kaidan.core.roles import MATRIX, Capability, Role

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("admin/", "api/")  # Django admin guards itself (staff); the API is walked below
SAMPLE_KWARGS = {"doc_type": "sales_order", "token_id": "{token_id}"}
SAMPLE_BODIES = {
    ("PUT", "/company"): {"version": 0, "name": "矩阵测试公司"},
    ("PUT", "/series/{doc_type}"): {"name": "订单", "pattern": "SO{yyyy}{mm}-{seq:05}", "active": True},
    ("POST", "/tokens"): {"name": "matrix"},
}


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


def fill(route: str, token_id: int) -> str:
    for name, value in SAMPLE_KWARGS.items():
        route = route.replace(f"<slug:{name}>", value).replace(f"<int:{name}>", value).replace(f"{{{name}}}", value)
    return "/" + route.replace("{token_id}", str(token_id)).lstrip("/")


def test_every_page_and_operation_declares_who_may_use_it():
    undeclared = [route for route, p in pages() if access_rule(p.callback) is None]
    undeclared += [f"{m} /api{path}" for m, path, op in operations() if access_rule(op.view_func) is None]
    assert undeclared == []


def test_every_capability_of_the_matrix_is_a_real_permission():
    from django.contrib.auth.models import Permission

    names = {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")}
    assert {str(c) for c in Capability} <= names


@pytest.mark.parametrize("role", list(Role))
def test_pages_obey_the_matrix(role, client_for):
    client = client_for(role)
    token, _secret = services.create_api_token(user=client.user, name="mine")
    for route, pattern in pages():
        rule = access_rule(pattern.callback)
        if rule == PUBLIC or "logout" in route:
            continue
        response = client.get(fill(route, token.pk))
        if allowed(rule, role):
            assert response.status_code in (200, 405), (role, route, response.status_code)
        else:
            assert response.status_code == 403, (role, route, response.status_code)


@pytest.mark.parametrize("role", list(Role))
def test_api_operations_obey_the_matrix(role, api_for):
    api_client = api_for(role)
    token_id = services.create_api_token(user=api_client.user, name="to revoke")[0].pk
    for method, path, op in operations():
        rule = access_rule(op.view_func)
        url = "/api" + fill(path, token_id)
        body = SAMPLE_BODIES.get((method, path))
        if method == "GET":
            response = api_client.get(url)
        elif method == "PUT":
            response = api_client.put(url, body)
        else:
            response = api_client.post(url, body)
        if allowed(rule, role):
            assert response.status_code < 400, (role, method, url, response.status_code, response.content)
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

    for method, path, _op in operations():
        url = "/api" + fill(path, 1)
        response = Client().generic(method, url, "{}", content_type="application/json")
        assert response.status_code == 401, (method, url)
