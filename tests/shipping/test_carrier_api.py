"""Carriers over the REST API (everyone reads them, the warehouse sets them up and makes their
integration keys) and the endpoint a carrier's integration posts tracking events to: authenticated by
the carrier's key in X-Carrier-Key, never by a user; only its own tracking numbers; a re-sent event
recorded once."""

import json

import pytest
from django.test import Client

from kaidan.core.roles import Role
from kaidan.shipping import carriers
from kaidan.shipping.models import Carrier, TrackingEvent
from tests.conftest import TokenClient
from tests.shipping.factories import confirmed_order, line_of, make_carrier, make_note, packed, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Messages are compared in English: a client that names no language gets the default one."""
    settings.LANGUAGE_CODE = "en"

EVENTS = "/api/carrier-events"


@pytest.fixture
def api(keeper):
    return TokenClient(keeper)


def fields_of(response) -> dict:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    return body["detail"]["fields"]


class TestCarriers:
    def test_everyone_reads_carriers_by_code(self, api_for, admin, sf):
        make_carrier(admin, "DBL", "德邦物流")
        carriers.update_carrier(actor=admin, carrier_id=make_carrier(admin, "ZTO", "中通快递").pk,
                                data={"active": False})
        for role in Role:
            response = api_for(role).get("/api/carriers")
            assert response.status_code == 200, role
            assert [c["code"] for c in response.json()["items"]] == ["DBL", "SF", "ZTO"], role
        body = api_for(Role.SALES).get("/api/carriers", {"active": "true"}).json()
        assert [c["code"] for c in body["items"]] == ["DBL", "SF"]
        assert body["items"][1] == {"id": sf.pk, "code": "SF", "name": "顺丰速运", "tracking_url": sf.tracking_url,
                                    "active": True, "has_api_key": False, "version": 1}

    def test_the_warehouse_creates_a_carrier_once_per_idempotency_key(self, api):
        body = {"code": "JD", "name": "京东物流", "tracking_url": "https://www.jdl.com/track/{number}"}
        first = api.post("/api/carriers", body, headers={"Idempotency-Key": "c-1"})
        again = api.post("/api/carriers", body, headers={"Idempotency-Key": "c-1"})
        assert first.status_code == again.status_code == 201 and first.json() == again.json()
        assert (first.json()["code"], first.json()["active"], first.json()["version"]) == ("JD", True, 1)
        assert Carrier.objects.filter(code="JD").count() == 1
        assert "code" in fields_of(api.post("/api/carriers", body))  # the code is taken

    @pytest.mark.parametrize("body, field", [
        ({"name": "无代码"}, "code"),
        ({"code": "A B", "name": "空格"}, "code"),
        ({"code": "X1", "name": ""}, "name"),
        ({"code": "X1", "name": "a\x00"}, "name"),
        ({"code": "X1", "name": "坏链接", "tracking_url": "ftp://x/{number}"}, "tracking_url"),
        ({"code": "X1", "name": "无占位", "tracking_url": "https://x.example.com/track"}, "tracking_url"),
        ({"code": "X1", "name": "多余", "api_key": "kdc_x"}, "api_key"),
        ({"code": "X1", "name": "布尔", "active": "maybe"}, "active"),
    ])
    def test_bad_carriers_are_422_naming_the_field(self, api, body, field):
        assert field in fields_of(api.post("/api/carriers", body))
        assert not Carrier.objects.exists()

    def test_update_by_version_keeps_what_is_left_out(self, api, sf):
        url = f"/api/carriers/{sf.pk}"
        body = api.put(url, {"version": 1, "name": "顺丰速运（华南）", "active": False}).json()
        assert (body["code"], body["name"], body["active"], body["version"]) == ("SF", "顺丰速运（华南）", False, 2)
        assert body["tracking_url"] == sf.tracking_url
        stale = api.put(url, {"version": 1, "name": "旧的"})
        assert stale.status_code == 409 and stale.json()["code"] == "stale_edit"
        assert "tracking_url" in fields_of(api.put(url, {"version": 2, "tracking_url": "https://x.example.com"}))
        assert "version" in fields_of(api.put(url, {"name": "无版本"}))
        assert api.put("/api/carriers/99999999", {"version": 1, "name": "无"}).status_code == 404
        sf.refresh_from_db()
        assert (sf.name, sf.version) == ("顺丰速运（华南）", 2)

    def test_an_integration_key_is_shown_once_and_replaces_the_last(self, api, sf):
        first = api.post(f"/api/carriers/{sf.pk}/api-key")
        assert first.status_code == 200, first.content
        key = first.json()["api_key"]
        assert key.startswith("kdc_") and first.json()["has_api_key"] is True
        assert "api_key" not in api.get("/api/carriers").json()["items"][0]
        sf.refresh_from_db()
        assert key not in sf.api_key_digest and carriers.carrier_for_key(key) == sf
        second = api.post(f"/api/carriers/{sf.pk}/api-key").json()["api_key"]
        assert second != key and carriers.carrier_for_key(key) is None and carriers.carrier_for_key(second) == sf
        assert api.post("/api/carriers/99999999/api-key").status_code == 404

    def test_only_the_warehouse_and_admins_set_carriers_up(self, api_for, sf):
        for role in set(Role) - {Role.WAREHOUSE, Role.ADMIN}:
            client = api_for(role)
            assert client.post("/api/carriers", {"code": "NO", "name": "不行"}).status_code == 403, role
            assert client.put(f"/api/carriers/{sf.pk}", {"version": 1, "name": "不行"}).status_code == 403, role
            assert client.post(f"/api/carriers/{sf.pk}/api-key").status_code == 403, role
        sf.refresh_from_db()
        assert (sf.name, sf.api_key_digest, Carrier.objects.count()) == ("顺丰速运", "", 1)


class CarrierClient:
    """A carrier's integration: JSON with its key in X-Carrier-Key, no user."""

    def __init__(self, key: str | None):
        self.key, self.client = key, Client()

    def post(self, body, key: str | None = None):
        headers = {"HTTP_X_CARRIER_KEY": key or self.key} if (key or self.key) else {}
        return self.client.post(EVENTS, json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def sf_client(admin, sf):
    _carrier, key = carriers.new_api_key(actor=admin, carrier_id=sf.pk)
    return CarrierClient(key)


@pytest.fixture
def sf_note(keeper, seller, customer, laptop, sf, warehouse):
    """A shipped note of 2 laptops, handed to SF with waybill SF1001."""
    order = confirmed_order(seller, customer, [(laptop, 5)], warehouse_id=warehouse.pk)
    return shipped(keeper, make_note(keeper, order, {line_of(order, laptop): 2}), carrier_id=sf.pk,
                   tracking_numbers=["SF1001"])


class TestCarrierEvents:
    def test_without_a_valid_key_it_is_401(self, admin, sf, sf_note, api):
        body = {"tracking_number": "SF1001", "kind": "in_transit"}
        for client, key in [(CarrierClient(None), None), (CarrierClient("kdc_not-a-key"), None),
                            (CarrierClient("wrong"), None), (CarrierClient(""), None)]:
            response = client.post(body, key)
            assert response.status_code == 401, response.content
            assert response.json()["code"] == "unauthenticated" and response.json()["message"]
        # a user's token is not a carrier's key
        assert api.post(EVENTS, body).status_code == 401
        # a carrier switched off loses its key's access
        _carrier, key = carriers.new_api_key(actor=admin, carrier_id=sf.pk)
        carriers.update_carrier(actor=admin, carrier_id=sf.pk, data={"active": False})
        assert CarrierClient(key).post(body).status_code == 401
        assert TrackingEvent.objects.filter(source="carrier").count() == 0

    def test_a_new_event_is_201_and_moves_the_note(self, sf_client, sf_note, sf):
        response = sf_client.post({"tracking_number": "SF1001", "event_id": "e-1", "kind": "in_transit",
                                   "location": "深圳转运中心", "occurred_at": "2026-01-05T08:30:00+08:00"})
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["note_id"], body["note_number"], body["note_status"]) == (sf_note.pk, sf_note.number,
                                                                               "in_transit")
        event = body["event"]
        assert (event["kind"], event["source"], event["carrier_code"], event["external_id"], event["location"]) == (
            "in_transit", "carrier", "SF", "e-1", "深圳转运中心")
        assert event["created_by"] is None and event["occurred_at"].startswith("2026-01-05T")
        sf_note.refresh_from_db()
        assert sf_note.status == "in_transit"

    def test_a_re_sent_event_id_is_200_with_the_first_answer_and_recorded_once(self, sf_client, sf_note):
        body = {"tracking_number": "SF1001", "event_id": "e-9", "kind": "delivered", "signed_by": "王芳"}
        first = sf_client.post(body)
        again = sf_client.post(body)
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json() == first.json()
        assert TrackingEvent.objects.filter(external_id="e-9").count() == 1
        sf_note.refresh_from_db()
        assert (sf_note.status, sf_note.received_by) == ("delivered", "王芳")
        # a late "in transit" is kept in the timeline but does not move a delivered note back
        late = sf_client.post({"tracking_number": "SF1001", "event_id": "e-8", "kind": "in_transit"})
        assert late.status_code == 201 and late.json()["note_status"] == "delivered"
        # without an event id every post is a new event
        assert sf_client.post({"tracking_number": "SF1001", "kind": "note"}).status_code == 201
        assert sf_client.post({"tracking_number": "SF1001", "kind": "note"}).status_code == 201
        assert TrackingEvent.objects.filter(note=sf_note, kind="note").count() == 2

    def test_only_its_own_tracking_numbers(self, admin, keeper, seller, customer, mouse, sf_client, sf_note,
                                           warehouse):
        other = make_carrier(admin, "DBL", "德邦物流")
        order = confirmed_order(seller, customer, [(mouse, 1)], warehouse_id=warehouse.pk)
        shipped(keeper, make_note(keeper, order), carrier_id=other.pk, tracking_numbers=["DB555"])
        response = sf_client.post({"tracking_number": "DB555", "kind": "in_transit"})
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert sf_client.post({"tracking_number": "NOPE", "kind": "in_transit"}).status_code == 404
        assert TrackingEvent.objects.filter(source="carrier").count() == 0

    def test_a_note_not_shipped_yet_is_409(self, keeper, seller, customer, mouse, sf, sf_client, warehouse):
        order = confirmed_order(seller, customer, [(mouse, 1)], warehouse_id=warehouse.pk)
        packed(keeper, make_note(keeper, order), carrier_id=sf.pk, tracking_numbers=["SF2002"])
        response = sf_client.post({"tracking_number": "SF2002", "kind": "in_transit"})
        assert response.status_code == 409 and response.json()["code"] == "not_shipped"

    @pytest.mark.parametrize("body, field", [
        ({"kind": "in_transit"}, "tracking_number"),
        ({"tracking_number": "SF1001"}, "kind"),
        ({"tracking_number": "SF1001", "kind": "teleported"}, "kind"),
        ({"tracking_number": "SF1001", "kind": "delivered"}, "signed_by"),
        ({"tracking_number": "SF1001", "kind": "exception"}, "exception_reason"),
        ({"tracking_number": "SF1001", "kind": "note", "occurred_at": "yesterday"}, "occurred_at"),
        ({"tracking_number": "SF1001", "kind": "note", "description": "\x00"}, "description"),
        ({"tracking_number": "SF1001", "kind": "note", "event_id": "x" * 81}, "event_id"),
        ({"tracking_number": "SF1001", "kind": "note", "weather": "rain"}, "weather"),
    ])
    def test_bad_events_are_422_naming_the_field(self, sf_client, sf_note, body, field):
        assert field in fields_of(sf_client.post(body))
        assert TrackingEvent.objects.filter(source="carrier").count() == 0
