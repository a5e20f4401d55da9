"""Sales fixtures: a salesperson with a customer of their own and a few products to sell."""

from decimal import Decimal

import pytest

from kaidan.core.roles import Role
from tests.catalog.factories import make_product
from tests.inventory.factories import in_stock
from tests.parties.factories import add_shipping_address, make_customer


@pytest.fixture
def seller(make_user):
    return make_user(Role.SALES)


@pytest.fixture
def manager(make_user):
    return make_user(Role.SALES_MANAGER)


@pytest.fixture
def customer(seller):
    customer = make_customer(seller, name="深圳恒达电子有限公司")
    add_shipping_address(seller, customer, is_default=True)
    return customer


@pytest.fixture
def laptop(warehouse):
    return in_stock(make_product(name="笔记本电脑", list_price=Decimal("5650.00"), standard_cost=Decimal("4000.00")),
                    warehouse)


@pytest.fixture
def mouse(warehouse):
    return in_stock(make_product(name="无线鼠标", list_price=Decimal("99.00"), standard_cost=Decimal("40.00")),
                    warehouse)


@pytest.fixture
def cable(warehouse):
    return in_stock(make_product(name="数据线", list_price=Decimal("0.10"), standard_cost=Decimal("0.02"),
                                 vat_rate=Decimal("0.0900")), warehouse, 1_000_000)


@pytest.fixture(autouse=True)
def warehouse(db):
    """Orders ship from this warehouse unless a test says otherwise (the first active one is the default)."""
    from tests.inventory.factories import default_warehouse

    return default_warehouse()
