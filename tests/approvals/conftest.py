"""Approval fixtures: the people of the example route, a customer, stocked products, the example
rules, a salesperson's discount limit that leaves room for approvals, and a clock to move."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kaidan.core.roles import Role
from kaidan.pricing import services as pricing_services
from tests.approvals.factories import example_rules
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
    return make_user(Role.SALES, first_name="伟", last_name="王")


@pytest.fixture
def manager(make_user):
    return make_user(Role.SALES_MANAGER, first_name="娜", last_name="李")


@pytest.fixture
def manager2(make_user):
    """A second sales manager, so one-of (或签) and all-of (会签) steps have two people."""
    return make_user(Role.SALES_MANAGER, first_name="强", last_name="赵")


@pytest.fixture
def boss(make_user):
    return make_user(Role.GENERAL_MANAGER, first_name="总", last_name="陈")


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, first_name="敏", last_name="刘")


@pytest.fixture
def customer(seller):
    return make_customer(seller, name="深圳恒达电子有限公司")


@pytest.fixture
def laptop(warehouse):
    """¥5,650 a piece (with VAT), cost ¥4,000; 1,000 on the shelf."""
    return in_stock(make_product(name="笔记本电脑", list_price=Decimal("5650.00"), standard_cost=Decimal("4000.00")),
                    warehouse, 1000)


@pytest.fixture
def workstation(warehouse):
    """¥8,200 a piece, cost ¥6,000; 100 on the shelf (10 make the ¥82,000 order)."""
    return in_stock(make_product(name="图形工作站", list_price=Decimal("8200.00"), standard_cost=Decimal("6000.00")),
                    warehouse, 100)


@pytest.fixture
def monitor(warehouse):
    """¥2,500 a piece, cost ¥1,800; 100 on the shelf."""
    return in_stock(make_product(name="显示器", list_price=Decimal("2500.00"), standard_cost=Decimal("1800.00")),
                    warehouse, 100)


@pytest.fixture
def cable(warehouse):
    """¥1,000 a box, cost ¥700; 1,000 boxes: whole thousands hit the band edges exactly."""
    return in_stock(make_product(name="光纤跳线（箱）", list_price=Decimal("1000.00"), standard_cost=Decimal("700.00")),
                    warehouse, 1000)


@pytest.fixture
def rules(admin):
    """The product owner's example rules (factories.example_rules)."""
    return example_rules(admin)


@pytest.fixture
def discounts_up_to_20(admin):
    """Salespeople may give up to 20% (the default is 10%): above 10% the discount rule asks the
    sales manager instead of the order being refused."""
    pricing_services.set_discount_limit(actor=admin, role="sales", max_percent="20")


class Clock:
    """Moves ``timezone.localdate()`` (what delegations and credit overrides are checked against)."""

    def __init__(self, monkeypatch):
        self._monkeypatch = monkeypatch
        self._real = timezone.localdate
        self.today = self._real()

    def move(self, days: int) -> datetime.date:
        self.today = self._real() + datetime.timedelta(days=days)
        real, today = self._real, self.today
        self._monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None:
                                  today if value is None else real(value, timezone))
        return self.today


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)
