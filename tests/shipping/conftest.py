"""Shipping fixtures: a warehouse keeper, a salesperson with a customer, stocked products, carriers."""

from decimal import Decimal

import pytest

from kaidan.core.roles import Role
from tests.catalog.factories import make_product
from tests.inventory.factories import in_stock
from tests.parties.factories import add_shipping_address, make_customer
from tests.shipping.factories import make_carrier


@pytest.fixture
def keeper(make_user):
    return make_user(Role.WAREHOUSE)


@pytest.fixture
def keeper2(make_user):
    return make_user(Role.WAREHOUSE)


@pytest.fixture
def seller(make_user):
    return make_user(Role.SALES)


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture(autouse=True)
def warehouse(db):
    from tests.inventory.factories import default_warehouse

    return default_warehouse()


@pytest.fixture
def customer(seller):
    customer = make_customer(seller, name="深圳恒达电子有限公司")
    add_shipping_address(seller, customer, is_default=True)
    return customer


@pytest.fixture
def laptop(warehouse):
    return in_stock(make_product(name="笔记本电脑", spec="14英寸 16G/512G", model="ThinkPad E14",
                                 list_price=Decimal("5650.00"), standard_cost=Decimal("4000.00")), warehouse, 100)


@pytest.fixture
def mouse(warehouse):
    return in_stock(make_product(name="无线鼠标", list_price=Decimal("99.00"), standard_cost=Decimal("40.50")),
                    warehouse, 100)


@pytest.fixture
def installation(db):
    """A service: not kept in stock, ships without stock moves."""
    return make_product(name="上门安装", list_price=Decimal("200.00"), standard_cost=Decimal("0"), track_stock=False)


@pytest.fixture
def sf(admin):
    return make_carrier(admin, "SF", "顺丰速运", "https://www.sf-express.com/we/ow/chn/sc/waybill/waybill-detail/{number}")
