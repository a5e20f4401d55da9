"""The audit log is append-only through every interface: ORM, SQL, admin, UI and API."""

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.db.utils import DatabaseError

from kaidan.core import audit, services
from kaidan.core.models import AuditEvent, CompanySettings
from kaidan.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(make_user):
    user = make_user(Role.ADMIN)
    company = services.update_company_settings(actor=user, version=0, data={"name": "甲公司"})
    return AuditEvent.objects.get(object_type="core.companysettings", object_id=str(company.pk))


class TestRecording:
    def test_records_actor_object_action_and_only_the_changed_fields(self, make_user):
        user = make_user(Role.ADMIN)
        services.update_company_settings(actor=user, version=0, data={"name": "甲公司", "phone": "010-1"})
        services.update_company_settings(actor=user, version=1, data={"name": "乙公司", "phone": "010-1"})
        latest = AuditEvent.objects.filter(object_type="core.companysettings").first()
        assert latest.actor == user
        assert latest.action == "updated"
        assert latest.before == {"name": "甲公司"}
        assert latest.after == {"name": "乙公司"}

    def test_carries_the_request_id_of_the_request_that_caused_it(self, api_for):
        api = api_for(Role.SALES)
        response = api.post("/api/tokens", {"name": "traced"}, headers={"X-Request-ID": "req-abc-123"})
        assert response["X-Request-ID"] == "req-abc-123"
        created = AuditEvent.objects.filter(action="created", object_type="core.apitoken").first()
        assert created.after["name"] == "traced"
        assert created.request_id == "req-abc-123"

    def test_history_of_an_object_is_newest_first(self, make_user):
        from kaidan.core.selectors import history_of

        user = make_user(Role.ADMIN)
        company = services.update_company_settings(actor=user, version=0, data={"name": "A"})
        company = services.update_company_settings(actor=user, version=1, data={"name": "B"})
        assert [e.after["name"] for e in history_of(company)] == ["B", "A"]

    def test_snapshot_is_json_safe(self):
        company = CompanySettings(pk=1, name="x")
        data = audit.snapshot(company, ["name", "default_vat_rate"])
        assert data == {"name": "x", "default_vat_rate": "0.13"}


class TestAppendOnly:
    def test_the_orm_refuses_to_save_an_existing_event(self, event):
        event.action = "forged"
        with pytest.raises(PermissionError):
            event.save()

    def test_the_orm_refuses_to_delete(self, event):
        with pytest.raises(PermissionError):
            event.delete()
        with pytest.raises(PermissionError):
            AuditEvent.objects.all().delete()
        with pytest.raises(PermissionError):
            AuditEvent.objects.filter(pk=event.pk).update(action="forged")

    def test_the_database_refuses_a_raw_update(self, event):
        table = AuditEvent._meta.db_table
        with pytest.raises((IntegrityError, InternalError, ProgrammingError, DatabaseError)), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET action = 'forged' WHERE id = %s", [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).action == "updated"

    @pytest.mark.postgres
    def test_the_database_refuses_a_raw_delete(self, event):
        table = AuditEvent._meta.db_table
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_the_admin_offers_no_add_change_or_delete(self, event, client_for):
        admin = client_for(Role.ADMIN, is_staff=True, is_superuser=True)
        assert admin.get("/admin/core/auditevent/").status_code == 200
        assert admin.get("/admin/core/auditevent/add/").status_code == 403
        response = admin.post(f"/admin/core/auditevent/{event.pk}/change/", {"action": "forged"})
        assert response.status_code in (302, 403) or b"forged" not in response.content
        assert admin.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
        event.refresh_from_db()
        assert event.action == "updated"

    def test_the_api_has_no_way_to_write_events(self, event, api_for):
        api = api_for(Role.ADMIN)
        assert api.get("/api/audit-events").status_code == 200
        assert api.post("/api/audit-events", {"action": "forged"}).status_code == 405
        assert api.client.delete(f"/api/audit-events/{event.pk}",
                                 HTTP_AUTHORIZATION=f"Bearer {api.secret}").status_code in (404, 405)
        assert AuditEvent.objects.filter(action="forged").count() == 0

    def test_the_ui_only_lists(self, event, client_for):
        client = client_for(Role.ADMIN)
        assert client.get("/settings/audit/").status_code == 200
        assert client.post("/settings/audit/", {"action": "forged"}).status_code in (403, 405)


class TestAuditApi:
    def test_lists_with_filters_sorting_and_pagination(self, event, api_for):
        api = api_for(Role.FINANCE)
        response = api.get("/api/audit-events", {"object_type": "core.companysettings", "limit": 1, "sort": "-at"})
        body = response.json()
        assert response.status_code == 200
        assert body["count"] == 1 and body["limit"] == 1 and body["offset"] == 0
        assert body["items"][0]["after"]["name"] == "甲公司"

    def test_an_unknown_sort_field_is_a_422_naming_sort(self, api_for):
        response = api_for(Role.FINANCE).get("/api/audit-events", {"sort": "password"})
        assert response.status_code == 422
        assert "sort" in response.json()["detail"]["fields"]

    def test_a_too_large_page_is_a_422_naming_limit(self, api_for):
        response = api_for(Role.FINANCE).get("/api/audit-events", {"limit": 100000})
        assert response.status_code == 422
        assert "limit" in response.json()["detail"]["fields"]


def test_the_audit_log_page_filters_and_survives_nul_characters(event, client_for):
    client = client_for(Role.ADMIN)
    listed = client.get("/settings/audit/", {"object_type": "core.companysettings"})
    assert "甲公司" in listed.content.decode()
    assert client.get("/settings/audit/", {"object_type": "a\x00b", "page": "x"}).status_code == 200


def test_listing_audit_events_takes_the_same_queries_for_5_or_50_rows(api_for, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_for(Role.FINANCE)
    api.get("/api/me")  # token's last_used_at is now fresh: no write inside the measured calls

    def queries_for_list():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/audit-events", {"limit": 100}).status_code == 200
        return len(ctx.captured_queries)

    for i in range(5):
        services.create_api_token(user=make_user(), name=f"t{i}")
    few = queries_for_list()
    for i in range(45):
        services.create_api_token(user=make_user(), name=f"u{i}")
    assert queries_for_list() == few


def test_the_history_panel_reads_like_prose(make_user):
    from django.utils import translation

    from kaidan.core.selectors import history_panel
    from kaidan.parties.models import Address, Contact
    from tests.parties.factories import make_customer, month_end_term

    manager = make_user(Role.SALES_MANAGER)
    customer = make_customer(manager, payment_term_id=month_end_term().pk, kind="individual")
    with translation.override("en"):
        created = history_panel(customer, Address, Contact)[0]
        changes = {label: after for label, _before, after in created["changes"]}
    assert changes["Payment terms"] == "月结30天"  # a foreign key shows its name, not its id
    assert changes["Salesperson"] == manager.username
    assert changes["Type"] == "Individual"  # a choice shows its label


def test_decimal_choices_show_their_label():
    from decimal import Decimal

    from kaidan.catalog.models import Product
    from kaidan.core.audit import ChangeFormatter

    label = str(dict(Product._meta.get_field("vat_rate").flatchoices)[Decimal("0.13")])
    assert ChangeFormatter(Product).value("vat_rate", "0.1300") == label != "0.1300"
