"""Inventory fixtures: a warehouse keeper, two warehouses, products to stock, a salesperson's customer."""

from decimal import Decimal

import pytest

from kaidan.core.roles import Role
from tests.catalog.factories import make_product
from tests.inventory.factories import make_warehouse
from tests.parties.factories import make_customer


@pytest.fixture
def keeper(make_user):
    return make_user(Role.WAREHOUSE)


@pytest.fixture
def seller(make_user):
    return make_user(Role.SALES)


@pytest.fixture
def shenzhen(db):
    return make_warehouse("WH-SZ1", name="深圳仓")


@pytest.fixture
def shanghai(db):
    return make_warehouse("WH-SH1", name="上海仓")


@pytest.fixture
def printer(db):
    return make_product(name="激光打印机", list_price=Decimal("1999.00"), standard_cost=Decimal("1500.00"))


@pytest.fixture
def toner(db):
    return make_product(name="硒鼓", list_price=Decimal("299.00"), standard_cost=Decimal("120.00"))


@pytest.fixture
def copper(db):
    return make_product(name="铜线", unit="kg", list_price=Decimal("80.00"), standard_cost=Decimal("60.00"))


@pytest.fixture
def customer(seller):
    return make_customer(seller, name="深圳恒达电子有限公司")
