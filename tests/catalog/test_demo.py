"""The demo catalog: loaded through the services in a few seconds, and a second run changes nothing."""

import time

import pytest

from kaidan.catalog import demo
from kaidan.catalog.models import Category, Product, ProductImage, ProductSubstitute
from kaidan.catalog.validators import validate_barcode
from kaidan.core import demo as core_demo
from kaidan.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_loads_a_realistic_catalog_quickly_and_only_once():
    core_demo.load_demo()  # the admin user the catalog is created by
    started = time.monotonic()
    lines = demo.load_demo()
    elapsed = time.monotonic() - started
    assert elapsed < 30, elapsed
    assert lines and Category.objects.count() >= 6 and Product.objects.count() >= 150
    assert ProductImage.objects.filter(is_primary=True).count() >= 30 and ProductSubstitute.objects.exists()
    for barcode in Product.objects.exclude(barcode="").values_list("barcode", flat=True):
        validate_barcode(barcode)
    assert AuditEvent.objects.filter(object_type="catalog.product", actor__username="admin").exists()
    assert Product.objects.filter(active=False).exists()
    assert demo.load_demo() == []
