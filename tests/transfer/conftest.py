"""Messages in these tests are read in English; pages and the API pick theirs per request."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield
