"""Carriers (master data) and the key a carrier's integration posts tracking events with: made once,
shown once, stored hashed; a new key replaces the old one; an inactive carrier is refused."""

import pytest
from django.utils import translation

from kaidan.core.errors import Forbidden, NotFound, StaleEdit, ValidationFailed
from kaidan.core.models import AuditEvent
from kaidan.core.roles import Role
from kaidan.shipping import carriers, selectors
from kaidan.shipping.models import Carrier

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def create(actor, **data):
    return carriers.create_carrier(actor=actor, data={"code": "DBL", "name": "德邦物流", **data})


class TestMasterData:
    def test_a_carrier_is_created_and_audited(self, keeper):
        carrier = create(keeper, tracking_url="https://www.deppon.com/track?no={number}")
        assert (carrier.code, carrier.name, carrier.active, carrier.version, carrier.api_key_digest) == (
            "DBL", "德邦物流", True, 1, "")
        assert carrier.tracking_link("DP123") == "https://www.deppon.com/track?no=DP123"
        event = AuditEvent.objects.get(object_type="shipping.carrier", object_id=str(carrier.pk))
        assert (event.action, event.actor, event.after["code"]) == ("created", keeper, "DBL")

    @pytest.mark.parametrize(("data", "field"), [
        ({"code": ""}, "code"), ({"name": ""}, "name"), ({"name": "x" * 101}, "name"),
        ({"code": "有 空格"}, "code"), ({"code": "X" * 21}, "code"),
        ({"tracking_url": "https://t.example.com/"}, "tracking_url"),
        ({"tracking_url": "ftp://t.example.com/{number}"}, "tracking_url"),
        ({"tracking_url": "javascript:alert(1)//{number}"}, "tracking_url"),
        ({"active": "yes"}, "active"), ({"api_key_digest": "abc"}, "api_key_digest"),
    ])
    def test_bad_input_is_refused_by_field_and_nothing_is_written(self, keeper, data, field):
        with pytest.raises(ValidationFailed) as err:
            create(keeper, **data)
        assert field in err.value.fields
        assert not Carrier.objects.exists()

    def test_the_code_is_unique(self, keeper):
        create(keeper)
        with pytest.raises(ValidationFailed) as err:
            create(keeper, name="另一个")
        assert err.value.fields == {"code": ["Another carrier has this code."]}
        assert Carrier.objects.count() == 1

    def test_an_edit_changes_what_is_given_and_is_audited(self, keeper, sf):
        carrier = carriers.update_carrier(actor=keeper, carrier_id=sf.pk, version=sf.version,
                                          data={"name": "顺丰速运（华南）"})
        assert (carrier.name, carrier.code, carrier.version) == ("顺丰速运（华南）", "SF", 2)
        assert "{number}" in carrier.tracking_url
        event = AuditEvent.objects.filter(object_type="shipping.carrier", object_id=str(sf.pk),
                                          action="updated").get()
        assert (event.before, event.after) == ({"name": "顺丰速运"}, {"name": "顺丰速运（华南）"})

    def test_a_stale_edit_is_refused(self, keeper, sf):
        carriers.update_carrier(actor=keeper, carrier_id=sf.pk, version=1, data={"name": "顺丰"})
        with pytest.raises(StaleEdit):
            carriers.update_carrier(actor=keeper, carrier_id=sf.pk, version=1, data={"name": "顺丰二"})
        sf.refresh_from_db()
        assert sf.name == "顺丰"

    def test_renaming_to_another_carriers_code_is_refused(self, keeper, sf):
        other = create(keeper)
        with pytest.raises(ValidationFailed) as err:
            carriers.update_carrier(actor=keeper, carrier_id=other.pk, data={"code": "SF"})
        assert list(err.value.fields) == ["code"]
        other.refresh_from_db()
        assert other.code == "DBL"

    def test_an_unknown_carrier_is_not_found(self, keeper):
        with pytest.raises(NotFound):
            carriers.update_carrier(actor=keeper, carrier_id=987654, data={"name": "x"})
        with pytest.raises(NotFound):
            carriers.new_api_key(actor=keeper, carrier_id=987654)

    def test_only_active_carriers_are_offered(self, keeper, sf):
        other = create(keeper)
        carriers.update_carrier(actor=keeper, carrier_id=other.pk, data={"active": False})
        assert list(selectors.active_carriers()) == [sf]


class TestIntegrationKeys:
    def test_a_key_is_shown_once_and_stored_hashed(self, keeper, sf):
        carrier, key = carriers.new_api_key(actor=keeper, carrier_id=sf.pk)
        assert key.startswith("kdc_") and len(key) > 40
        stored = Carrier.objects.get(pk=sf.pk)
        assert stored.api_key_digest == Carrier.digest_of(key) and key not in stored.api_key_digest
        assert carrier.version == 2
        assert carriers.carrier_for_key(key) == sf
        assert AuditEvent.objects.filter(object_type="shipping.carrier", object_id=str(sf.pk),
                                         action="api_key_created").count() == 1
        assert key not in str(list(AuditEvent.objects.values_list("before", "after")))

    def test_a_new_key_replaces_the_old_one(self, keeper, sf):
        _carrier, old = carriers.new_api_key(actor=keeper, carrier_id=sf.pk)
        _carrier, new = carriers.new_api_key(actor=keeper, carrier_id=sf.pk)
        assert old != new
        assert carriers.carrier_for_key(old) is None
        assert carriers.carrier_for_key(new) == sf

    def test_keys_of_two_carriers_find_each_their_own(self, keeper, sf):
        other = create(keeper)
        _c, sf_key = carriers.new_api_key(actor=keeper, carrier_id=sf.pk)
        _c, other_key = carriers.new_api_key(actor=keeper, carrier_id=other.pk)
        assert (carriers.carrier_for_key(sf_key), carriers.carrier_for_key(other_key)) == (sf, other)

    def test_an_inactive_carriers_key_stops_working_until_it_is_active_again(self, keeper, sf):
        _carrier, key = carriers.new_api_key(actor=keeper, carrier_id=sf.pk)
        carriers.update_carrier(actor=keeper, carrier_id=sf.pk, data={"active": False})
        assert carriers.carrier_for_key(key) is None
        carriers.update_carrier(actor=keeper, carrier_id=sf.pk, data={"active": True})
        assert carriers.carrier_for_key(key) == sf

    @pytest.mark.parametrize("key", ["", "kdc_", "kdc_wrong", "sk_live_123", "kdc_" + "x" * 200, None])
    def test_anything_else_is_no_carrier(self, keeper, sf, key):
        carriers.new_api_key(actor=keeper, carrier_id=sf.pk)
        assert carriers.carrier_for_key(key) is None

    def test_a_carrier_without_a_key_is_not_found_by_an_empty_digest(self, sf):
        assert sf.api_key_digest == ""
        assert carriers.carrier_for_key("kdc_") is None


class TestPermissions:
    @pytest.mark.parametrize("role", [Role.SALES, Role.SALES_MANAGER, Role.GENERAL_MANAGER, Role.FINANCE,
                                      Role.AFTERSALES, None])
    def test_only_the_warehouse_and_admins_manage_carriers(self, make_user, sf, role):
        outsider = make_user(role)
        for call in (lambda: create(outsider),
                     lambda: carriers.update_carrier(actor=outsider, carrier_id=sf.pk, data={"name": "x"}),
                     lambda: carriers.new_api_key(actor=outsider, carrier_id=sf.pk)):
            with pytest.raises(Forbidden):
                call()
        sf.refresh_from_db()
        assert (Carrier.objects.count(), sf.name, sf.api_key_digest) == (1, "顺丰速运", "")

    @pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.ADMIN])
    def test_warehouse_and_admin_may(self, make_user, role):
        actor = make_user(role)
        carrier = create(actor)
        carriers.update_carrier(actor=actor, carrier_id=carrier.pk, data={"active": False})
        assert carriers.new_api_key(actor=actor, carrier_id=carrier.pk)[1].startswith("kdc_")
