"""Loading the whole demo in a test, as `make run` does: every app's loader in settings order, with
fewer product pictures (drawing them is not what the demo tests are about)."""

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from kaidan.catalog import demo as catalog_demo


@pytest.fixture(autouse=True)
def fewer_pictures(monkeypatch):
    monkeypatch.setattr(catalog_demo, "PICTURE_EVERY", 10_000)


def load_all() -> dict[str, list[str]]:
    return {path: import_string(path)() for path in settings.KAIDAN_DEMO_LOADERS}
