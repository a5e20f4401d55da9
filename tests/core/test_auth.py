"""Who gets in: anonymous users, sessions with CSRF, tokens, login throttling."""

import json

import pytest
from django.test import Client

from kaidan.core import services
from kaidan.core.roles import Role

pytestmark = pytest.mark.django_db


class TestAnonymous:
    def test_the_api_answers_401_with_the_envelope(self):
        response = Client().get("/api/me")
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"

    def test_a_page_redirects_to_login(self):
        response = Client().get("/settings/tokens/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")

    def test_the_login_page_is_open(self):
        assert Client().get("/accounts/login/").status_code == 200

    def test_an_unknown_token_is_401(self):
        response = Client().get("/api/me", HTTP_AUTHORIZATION="Bearer kd_not-a-real-token")
        assert response.status_code == 401


class TestTokens:
    def test_a_token_authenticates_as_its_owner(self, make_user):
        user = make_user(Role.FINANCE)
        _token, secret = services.create_api_token(user=user, name="bank import")
        response = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 200
        assert response.json()["username"] == user.username
        assert response.json()["roles"] == ["finance"]

    def test_only_a_digest_is_stored(self, make_user):
        token, secret = services.create_api_token(user=make_user(), name="x")
        token.refresh_from_db()
        assert secret not in (token.digest, token.prefix)
        assert token.digest == token.digest_of(secret)

    def test_a_revoked_token_stops_working(self, make_user):
        user = make_user()
        token, secret = services.create_api_token(user=user, name="old")
        services.revoke_api_token(user=user, token_id=token.pk)
        assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401

    def test_revoking_through_the_api(self, api_for):
        api = api_for(Role.SALES)
        created = api.post("/api/tokens", {"name": "temp"}).json()
        assert api.post(f"/api/tokens/{created['id']}/revoke").status_code == 200
        assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {created['secret']}").status_code == 401

    def test_nobody_revokes_someone_elses_token(self, make_user, api_for):
        victim_token, _secret = services.create_api_token(user=make_user(), name="theirs")
        response = api_for(Role.ADMIN).post(f"/api/tokens/{victim_token.pk}/revoke")
        assert response.status_code == 404
        victim_token.refresh_from_db()
        assert victim_token.revoked_at is None

    def test_a_deactivated_users_token_stops_working(self, make_user):
        user = make_user()
        _token, secret = services.create_api_token(user=user, name="x")
        user.is_active = False
        user.save()
        assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401

    def test_tokens_are_managed_in_the_ui(self, client_for):
        client = client_for(Role.WAREHOUSE)
        response = client.post("/settings/tokens/", {"name": "scanner"})
        assert response.status_code == 200
        assert b"kd_" in response.content  # the secret is shown once
        token = client.user.api_tokens.get()
        client.post(f"/settings/tokens/{token.pk}/revoke/")
        token.refresh_from_db()
        assert token.revoked_at is not None


class TestSessionsAndCsrf:
    def test_a_session_without_csrf_token_cannot_post(self, make_user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(make_user())
        response = client.post("/api/tokens", json.dumps({"name": "x"}), content_type="application/json")
        assert response.status_code == 403
        assert response.json()["code"] == "csrf_failed"

    def test_a_session_with_csrf_token_can_post(self, make_user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(make_user())
        client.get("/settings/tokens/")
        csrf = client.cookies["csrftoken"].value
        response = client.post("/api/tokens", json.dumps({"name": "x"}), content_type="application/json",
                               HTTP_X_CSRFTOKEN=csrf)
        assert response.status_code == 201

    def test_session_cookies_are_secure_and_http_only(self, settings):
        assert settings.SESSION_COOKIE_HTTPONLY
        assert settings.SESSION_COOKIE_SECURE  # HTTPS defaults on; only the local demo turns it off
        assert settings.CSRF_COOKIE_SECURE


class TestLogin:
    def test_logs_in_with_the_right_password(self, make_user):
        make_user(Role.SALES, username="wang")
        response = Client().post("/accounts/login/", {"username": "wang", "password": "pw-wang-Long1"})
        assert response.status_code == 302
        assert response["Location"] == "/"

    def test_locks_out_after_repeated_failures(self, make_user, settings):
        make_user(Role.SALES, username="li")
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post("/accounts/login/", {"username": "li", "password": "wrong"})
        locked = client.post("/accounts/login/", {"username": "li", "password": "pw-li-Long1"})
        assert locked.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_logout_needs_a_post(self, client_for):
        client = client_for()
        assert client.post("/accounts/logout/").status_code == 302
        assert client.get("/").status_code == 302


class TestPasswordChange:
    def test_a_user_changes_their_password(self, client_for):
        client = client_for(Role.SALES)
        old = f"pw-{client.user.username}-Long1"
        response = client.post("/accounts/password/", {"old_password": old, "new_password1": "Qz8!kaidan-new",
                                                       "new_password2": "Qz8!kaidan-new"})
        assert response.status_code == 302
        client.user.refresh_from_db()
        assert client.user.check_password("Qz8!kaidan-new")


def test_api_docs_work_offline(client):
    page = client.get("/api/docs").content.decode()
    assert "cdn" not in page.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in page


def test_a_bad_token_is_not_rescued_by_a_session_cookie(client_for):
    client = client_for(Role.SALES)
    assert client.get("/api/me").status_code == 200
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer kd_revoked-or-wrong").status_code == 401


def test_token_list_is_paginated_and_shows_only_mine(api_for, make_user):
    services.create_api_token(user=make_user(), name="someone else's")
    api = api_for(Role.SALES)
    services.create_api_token(user=api.user, name="second")
    page = api.get("/api/tokens", {"limit": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1 and page["limit"] == 1
    assert all("secret" not in item for item in page["items"])
