"""Schemathesis' generated multipart bodies against a product that exists (the general fuzz test in
tests/api only meets unknown product ids, so it never reaches the picture checks): whatever the
bytes, the answer is a documented 201 or 4xx, never a 500."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from kaidan.core.roles import Role
from kaidan.wsgi import application
from tests.catalog.factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_uploads_to_an_existing_product_never_fail_on_our_side(mode, api_for, admin):
    token = api_for(Role.ADMIN).secret
    product = make_product(admin)
    operation = schemathesis.openapi.from_wsgi("/api/openapi.json", application)[
        "/api/products/{product_id}/images"]["POST"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              derandomize=True)
    def check(case):
        case.path_parameters = {"product_id": product.pk}
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                               checks=[not_a_server_error, status_code_conformance, content_type_conformance])

    check()
