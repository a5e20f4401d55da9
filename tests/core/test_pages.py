"""The UI shell: home page figures, navigation, language, error pages in both languages."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from kaidan.core.models import AuditEvent
from kaidan.core.roles import Role

pytestmark = pytest.mark.django_db


class TestHome:
    def test_shows_real_counts_from_the_database(self, client_for, make_user):
        make_user(Role.FINANCE)
        make_user(Role.FINANCE)
        client = client_for(Role.SALES)
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
        figures = response.context["figures"]
        assert figures["users_active"] == 3
        assert dict(figures["users_per_role"])["Finance"] == 2
        assert figures["series_total"] == 11
        assert "Active users" in response.content.decode()

    def test_navigation_shows_the_flow_and_only_permitted_settings(self, client_for):
        sales = client_for(Role.SALES).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        admin = client_for(Role.ADMIN).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        for step in ("Orders", "Customers", "Products", "Stock", "Approvals", "Shipping", "Invoices", "Payments"):
            assert step in sales
        assert "/settings/company/" not in sales and "/settings/company/" in admin
        assert "/settings/tokens/" in sales


class TestLanguage:
    def test_defaults_from_the_browser(self, client_for):
        client = client_for()
        assert "欢迎" in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
        assert "Welcome" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    def test_the_switcher_remembers_the_choice(self, client_for):
        client = client_for()
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        assert "Welcome" in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()

    def test_api_messages_follow_the_language(self):
        zh = Client().get("/api/me", HTTP_ACCEPT_LANGUAGE="zh-CN").json()["message"]
        en = Client().get("/api/me", HTTP_ACCEPT_LANGUAGE="en").json()["message"]
        assert en.startswith("Sign in") and zh != en


def boom(request):
    raise RuntimeError("secret stack detail /etc/passwd")


boom._kaidan_access = "public"
urlpatterns = [path("boom/", boom), path("api/boom/", boom)]
handler500 = "kaidan.core.errors_views.server_error"


class TestErrorPages:
    @pytest.mark.parametrize("lang, text", [("en", "No access"), ("zh-CN", "无权访问")])
    def test_403(self, client_for, lang, text):
        response = client_for(Role.SALES).get("/settings/company/", HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 403
        assert text in response.content.decode()

    @pytest.mark.parametrize("lang, text", [("en", "Not found"), ("zh-CN", "页面不存在")])
    def test_404(self, client_for, lang, text):
        response = client_for().get("/no/such/page/", HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 404
        assert text in response.content.decode()

    def test_unknown_api_path_is_a_404_envelope(self, api_for):
        response = api_for().get("/api/no-such-thing")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    @override_settings(ROOT_URLCONF=__name__)
    @pytest.mark.parametrize("lang, text", [("en", "Something went wrong"), ("zh-CN", "出错了")])
    def test_500_shows_no_internals(self, lang, text):
        client = Client(raise_request_exception=False)
        response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE=lang)
        body = response.content.decode()
        assert response.status_code == 500
        assert text in body
        assert "passwd" not in body and "Traceback" not in body
        assert response["X-Request-ID"] in body

    @override_settings(ROOT_URLCONF=__name__)
    def test_500_under_the_api_is_the_envelope(self):
        response = Client(raise_request_exception=False).get("/api/boom/")
        assert response.status_code == 500
        assert response.json()["code"] == "server_error"
        assert "passwd" not in response.content.decode()


def test_healthz_is_public(client):
    assert client.get("/healthz").content == b"ok"


def test_demo_data_loads_once(db):
    from kaidan.core.demo import load_demo

    first = load_demo()
    events = AuditEvent.objects.count()
    second = load_demo()
    assert "company settings" in first and len(first) == 8  # 7 users and the company
    assert second == []
    assert AuditEvent.objects.count() == events
