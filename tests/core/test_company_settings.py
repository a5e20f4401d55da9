"""Company settings: edited by the admin through one service, from the UI and the API alike."""

import pytest

from kaidan.core import services
from kaidan.core.errors import StaleEdit, ValidationFailed
from kaidan.core.models import AuditEvent, CompanySettings
from kaidan.core.roles import Role
from kaidan.core.validators import uscc_check_character

pytestmark = pytest.mark.django_db

VALID_USCC = "91310115MA1K4A2B3A"


class TestUsccValidation:
    def test_the_check_character_of_a_known_code(self):
        assert uscc_check_character("91350100M000100Y4") == "3"  # 91350100M000100Y43 (published example)

    @pytest.mark.parametrize("bad", ["91310115MA1K4A2B3B", "91310115MA1K4A2B3", "91310115MA1K4A2BIA", ""])
    def test_rejects_wrong_codes(self, make_user, bad):
        admin = make_user(Role.ADMIN)
        if not bad:
            services.update_company_settings(actor=admin, version=0, data={"name": "A", "uscc": bad})
            return  # blank is allowed: the company may fill it in later
        with pytest.raises(ValidationFailed) as err:
            services.update_company_settings(actor=admin, version=0, data={"name": "A", "uscc": bad})
        assert list(err.value.fields) == ["uscc"]


class TestUpdateCompanySettings:
    def test_saves_bumps_the_version_and_records_history(self, make_user):
        admin = make_user(Role.ADMIN)
        company = services.update_company_settings(actor=admin, version=0,
                                                   data={"name": "开单贸易", "uscc": VALID_USCC.lower()})
        assert company.version == 1
        assert company.uscc == VALID_USCC
        assert AuditEvent.objects.filter(object_type="core.companysettings", actor=admin).count() == 1

    def test_a_stale_edit_is_refused_and_shows_the_current_values(self, make_user):
        admin = make_user(Role.ADMIN)
        services.update_company_settings(actor=admin, version=0, data={"name": "第一版"})
        with pytest.raises(StaleEdit) as err:
            services.update_company_settings(actor=admin, version=0, data={"name": "过时的修改"})
        assert err.value.detail["current"]["name"] == "第一版"
        assert CompanySettings.objects.get().name == "第一版"

    def test_bad_input_names_each_field_and_changes_nothing(self, make_user):
        admin = make_user(Role.ADMIN)
        with pytest.raises(ValidationFailed) as err:
            services.update_company_settings(actor=admin, version=0,
                                             data={"name": "", "base_currency": "rmb", "bank_account": "abc"})
        assert {"name", "base_currency", "bank_account"} <= set(err.value.fields)
        assert not CompanySettings.objects.exists()
        assert not AuditEvent.objects.exists()


class TestCompanyApi:
    def test_admin_updates_and_reads_back_decimal_strings(self, api_for):
        api = api_for(Role.ADMIN)
        response = api.put("/api/company", {"version": 0, "name": "开单", "default_vat_rate": "0.09"})
        assert response.status_code == 200
        assert response.json()["default_vat_rate"] == "0.09"
        assert api.get("/api/company").json()["name"] == "开单"

    def test_stale_version_is_409_with_the_envelope(self, api_for):
        api = api_for(Role.ADMIN)
        api.put("/api/company", {"version": 0, "name": "一"})
        response = api.put("/api/company", {"version": 0, "name": "二"})
        assert response.status_code == 409
        assert response.json()["code"] == "stale_edit"
        assert response.json()["detail"]["current_version"] == 1

    @pytest.mark.parametrize("body, field", [
        ({"version": 0, "name": "x", "default_vat_rate": "1.5"}, "default_vat_rate"),
        ({"version": 0, "name": "x", "default_vat_rate": "0.123456"}, "default_vat_rate"),
        ({"version": 0, "name": "x", "uscc": "123"}, "uscc"),
        ({"version": -1, "name": "x"}, "version"),
        ({"name": "x"}, "version"),
        ({"version": 0, "name": "x", "colour": "red"}, "colour"),
        ({"version": 0, "name": "x" * 201}, "name"),
    ])
    def test_bad_input_is_422_naming_the_field(self, api_for, body, field):
        response = api_for(Role.ADMIN).put("/api/company", body)
        assert response.status_code == 422, response.content
        assert field in response.json()["detail"]["fields"]
        assert not CompanySettings.objects.exists()

    def test_malformed_json_is_a_clean_400(self, api_for):
        api = api_for(Role.ADMIN)
        response = api.client.put("/api/company", "{not json", content_type="application/json",
                                  HTTP_AUTHORIZATION=f"Bearer {api.secret}")
        assert response.status_code in (400, 422)
        assert set(response.json()) == {"code", "message", "detail"}


class TestCompanyPage:
    def test_admin_edits_the_company_in_the_browser(self, client_for):
        client = client_for(Role.ADMIN)
        response = client.post("/settings/company/", {"version": 0, "name": "浏览器公司", "base_currency": "CNY",
                                                      "default_vat_rate": "0.13", "uscc": VALID_USCC})
        assert response.status_code == 302
        page = client.get("/settings/company/")
        assert "浏览器公司" in page.content.decode()
        assert "History" in page.content.decode() or "历史" in page.content.decode()

    def test_field_errors_are_shown_next_to_the_field(self, client_for):
        client = client_for(Role.ADMIN)
        response = client.post("/settings/company/", {"version": 0, "name": "X", "base_currency": "CNY",
                                                      "default_vat_rate": "0.13", "uscc": "91310115MA1K4A2B3B"},
                               HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert "check character" in response.content.decode()
        assert not CompanySettings.objects.exists()

    def test_a_stale_form_tells_the_user(self, client_for):
        client = client_for(Role.ADMIN)
        data = {"version": 0, "name": "A", "base_currency": "CNY", "default_vat_rate": "0.13"}
        client.post("/settings/company/", data)
        response = client.post("/settings/company/", {**data, "name": "B"}, HTTP_ACCEPT_LANGUAGE="en")
        assert "Someone else changed" in response.content.decode()
        assert CompanySettings.objects.get().name == "A"


class TestTranslatedApiErrors:
    def test_field_errors_come_in_the_request_language(self, api_for):
        api = api_for(Role.ADMIN)
        body = {"version": 0, "name": "", "default_vat_rate": "0.12345", "base_currency": "rmb"}
        zh = api.put("/api/company", body, headers={"Accept-Language": "zh-CN"}).json()["detail"]["fields"]
        en = api.put("/api/company", body, headers={"Accept-Language": "en"}).json()["detail"]["fields"]
        assert en["name"] == ["Enter at least 1 character."]
        assert en["default_vat_rate"] == ["Use at most 4 decimal places."]
        assert en["base_currency"] == ["The format is not valid."]
        assert zh["name"] != en["name"] and zh["default_vat_rate"] != en["default_vat_rate"]

    def test_a_missing_field_says_so(self, api_for):
        fields = api_for(Role.ADMIN).put("/api/company", {"name": "x"}, headers={"Accept-Language": "en"}).json()
        assert fields["detail"]["fields"]["version"] == ["This field is required."]


def test_saving_unchanged_settings_adds_no_version_or_history(make_user):
    admin = make_user(Role.ADMIN)
    services.update_company_settings(actor=admin, version=0, data={"name": "同一家"})
    again = services.update_company_settings(actor=admin, version=1, data={"name": "同一家"})
    assert again.version == 1
    assert AuditEvent.objects.filter(object_type="core.companysettings").count() == 1
