"""The demo customers: 50, valid, mostly the demo salesperson's, loaded once."""

import pytest
from django.contrib.auth import get_user_model

from kaidan.core.demo import load_demo as load_core_demo
from kaidan.parties.demo import COUNT, load_demo
from kaidan.parties.models import Customer
from kaidan.parties.selectors import customers_visible_to

pytestmark = pytest.mark.django_db


def test_demo_customers_load_once_with_addresses_and_contacts():
    load_core_demo()
    assert load_demo() == [f"{COUNT} customers"]
    assert load_demo() == []
    assert Customer.objects.count() == COUNT
    customer = Customer.objects.prefetch_related("addresses", "contacts").first()
    assert {a.kind for a in customer.addresses.all()} == {"billing", "shipping"}
    assert customer.contacts.get().is_primary
    assert customer.missing_special_invoice_details() == []
    sales = get_user_model().objects.get(username="sales")
    assert customers_visible_to(sales).count() == COUNT - COUNT // 5
