"""Catalog fixtures: pictures always go to a temporary MEDIA_ROOT, never var/."""

import pytest

from kaidan.core.roles import Role


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture
def manager(make_user):
    return make_user(Role.SALES_MANAGER)
