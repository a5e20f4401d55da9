"""Approval fixtures: the people of the example route, a customer, stocked products."""

from decimal import Decimal

import pytest

from kaidan.core.roles import Role
from tests.catalog.factories import make_product
from tests.inventory.factories import in_stock
from tests.parties.factories import make_customer


@pytest.fixture(autouse=True)
def warehouse(db):
    from tests.inventory.factories import default_warehouse

    return default_warehouse()


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture
def seller(make_user):
    return make_user(Role.SALES)


@pytest.fixture
def manager(make_user):
    return make_user(Role.SALES_MANAGER)


@pytest.fixture
def boss(make_user):
    return make_user(Role.GENERAL_MANAGER)


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE)


@pytest.fixture
def customer(seller):
    return make_customer(seller, name="深圳恒达电子有限公司")


@pytest.fixture
def laptop(warehouse):
    """¥5,650 a piece (with VAT), cost ¥4,000; 1,000 on the shelf."""
    return in_stock(make_product(name="笔记本电脑", list_price=Decimal("5650.00"), standard_cost=Decimal("4000.00")),
                    warehouse, 1000)
