"""Shared fixtures: users per role, signed-in clients, an API token client."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client

from kaidan.core import services
from kaidan.core.roles import Role


def pytest_collection_modifyitems(config, items):
    vendor = _vendor()
    for item in items:
        if "postgres" in item.keywords and vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))


def _vendor() -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if "postgres" in engine else "sqlite"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db):
    """make_user(role=Role.SALES, username=None) → a saved active user in that role's group."""
    counter = {"n": 0}

    def make(role: Role | None = Role.SALES, username: str | None = None, **extra):
        counter["n"] += 1
        name = username or f"{role.value if role else 'norole'}{counter['n']}"
        user = get_user_model().objects.create_user(username=name, password="pw-" + name + "-Long1", **extra)
        if role:
            user.groups.add(Group.objects.get(name=role.value))
        return user

    return make


@pytest.fixture
def client_for(make_user):
    """client_for(role) → a Django test Client logged in as a new user in that role."""

    def make(role: Role | None = Role.SALES, **extra):
        client = Client()
        user = make_user(role, **extra)
        client.force_login(user)
        client.user = user
        return client

    return make


class TokenClient:
    """A client that talks JSON to /api/ with a bearer token, like an integration would."""

    def __init__(self, user):
        self.user = user
        _token, self.secret = services.create_api_token(user=user, name="tests")
        self.client = Client()

    def _headers(self, headers):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}",
                **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}}

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, **self._headers(headers))

    def post(self, path, body=None, headers=None, raw=None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(path, data, content_type="application/json", **self._headers(headers))

    def put(self, path, body=None, headers=None):
        return self.client.put(path, json.dumps(body), content_type="application/json", **self._headers(headers))


@pytest.fixture
def api_for(make_user):
    """api_for(role) → a TokenClient for a new user in that role."""

    def make(role: Role | None = Role.SALES, **extra):
        return TokenClient(make_user(role, **extra))

    return make


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def background_tasks_inline(settings, tmp_path_factory):
    """Background tasks (django-tasks) run at once, in the test, with the ImmediateBackend; files a
    task or request stores go to a temporary MEDIA_ROOT, never var/."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"
