"""The carriers' settings pages: create, edit, make an integration key; field errors, stale edits,
and that only the warehouse and administrators change carriers."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kaidan.shipping import carriers
from kaidan.shipping.models import Carrier

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def browser(user) -> Client:
    client = Client(**EN)
    client.force_login(user)
    return client


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def keeper_client(keeper):
    return browser(keeper)


@pytest.fixture
def seller_client(seller):
    return browser(seller)


class TestCarriers:
    def test_create_edit_and_make_a_key(self, keeper_client, keeper):
        response = keeper_client.post(reverse("carrier_create"), {
            "code": "ZTO", "name": "中通快递", "tracking_url": "https://www.zto.com/?num={number}", "active": "on"})
        assert response.status_code == 302
        carrier = Carrier.objects.get(code="ZTO")
        response = keeper_client.post(reverse("carrier_edit", args=[carrier.pk]), {
            "version": carrier.version, "code": "ZTO", "name": "中通", "tracking_url": ""})
        assert response.status_code == 302
        carrier.refresh_from_db()
        assert (carrier.name, carrier.active, carrier.tracking_url) == ("中通", False, "")
        response = keeper_client.post(reverse("carrier_key", args=[carrier.pk]))
        key = response.context["key"]
        assert response.status_code == 200 and key in page(response) and response["Cache-Control"] == "no-store"
        carrier.refresh_from_db()
        assert carrier.api_key_digest == Carrier.digest_of(key) and key not in page(
            keeper_client.get(reverse("carrier_list")))
        assert keeper_client.get(reverse("carrier_key", args=[carrier.pk])).status_code == 405

    def test_bad_input_is_shown_beside_the_field(self, keeper_client, sf):
        response = keeper_client.post(reverse("carrier_create"), {"code": sf.code, "name": "",
                                                                  "tracking_url": "ftp://x"})
        assert response.status_code == 422
        errors = response.context["form"].errors
        assert errors["name"] and errors["tracking_url"]
        response = keeper_client.post(reverse("carrier_create"), {"code": sf.code, "name": "又一个顺丰"})
        assert response.status_code == 422 and response.context["form"].errors["code"] == [
            "Another carrier has this code."]
        assert Carrier.objects.count() == 1

    def test_a_stale_edit_is_refused(self, keeper_client, sf, admin):
        opened = sf.version
        carriers.update_carrier(actor=admin, carrier_id=sf.pk, data={"name": "顺丰"}, version=opened)
        response = keeper_client.post(reverse("carrier_edit", args=[sf.pk]), {
            "version": opened, "code": "SF", "name": "顺丰速运（旧）"})
        assert response.status_code == 409 and "Someone else changed this carrier" in page(response)
        response = keeper_client.post(reverse("carrier_edit", args=[sf.pk]),
                                      {"version": "x", "code": "SF", "name": "Z"})
        assert response.status_code == 409
        sf.refresh_from_db()
        assert sf.name == "顺丰"

    def test_salespeople_cannot_change_carriers(self, seller_client, sf):
        assert seller_client.post(reverse("carrier_create"), {"code": "X", "name": "X"}).status_code == 403
        assert seller_client.post(reverse("carrier_key", args=[sf.pk])).status_code == 403
        assert seller_client.post(reverse("carrier_edit", args=[sf.pk]), {"name": "X"}).status_code == 403
        assert Carrier.objects.count() == 1 and not Carrier.objects.get().api_key_digest
