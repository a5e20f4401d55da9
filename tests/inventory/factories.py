"""Warehouses and stock for tests, made through the services.

    wh = make_warehouse("WH-T1")
    receive_stock(laptop, 10, wh)               # a goods receipt of 10
    stock_of(laptop, wh)                        # (on_hand, reserved)
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model

from kaidan.core.roles import Role
from kaidan.inventory import selectors, services
from kaidan.inventory.models import StockLevel, Warehouse

_codes = itertools.count(1)


def make_warehouse(code: str | None = None, **fields) -> Warehouse:
    return Warehouse.objects.create(code=code or f"WH-T{next(_codes)}", name=fields.pop("name", "测试仓"), **fields)


def default_warehouse() -> Warehouse:
    return selectors.default_warehouse() or make_warehouse("WH-TEST", name="测试总仓")


def stock_keeper():
    """A warehouse user to post receipts with."""
    from django.contrib.auth.models import Group

    user, created = get_user_model().objects.get_or_create(username="stock-keeper")
    if created:
        user.groups.add(Group.objects.get(name=Role.WAREHOUSE))
    return user


def receive_stock(product, quantity, warehouse: Warehouse | None = None, actor=None):
    warehouse = warehouse or default_warehouse()
    return services.post_receipt(actor=actor or stock_keeper(), data={
        "warehouse_id": warehouse.pk, "supplier": "测试供应商",
        "lines": [{"product_id": product.pk, "quantity": str(quantity)}]})


def in_stock(product, warehouse: Warehouse | None = None, quantity=1000):
    """The product, with ``quantity`` on the shelf, so confirming orders of it reserves without fuss."""
    receive_stock(product, quantity, warehouse)
    return product


def stock_of(product, warehouse: Warehouse | None = None) -> tuple[Decimal, Decimal]:
    warehouse = warehouse or default_warehouse()
    level = StockLevel.objects.filter(product=product, warehouse=warehouse).first()
    return (level.on_hand, level.reserved) if level else (Decimal(0), Decimal(0))


def inventory_sample_ids(admin) -> dict[str, int]:
    """Fresh objects for the stock URLs' parameters (the permission matrix): a warehouse, a product
    with a goods receipt, an open replenishment request and a reorder rule for it."""
    from kaidan.inventory import replenishment_services
    from tests.catalog.factories import make_product

    warehouse = default_warehouse()
    product = make_product()
    receipt = receive_stock(product, 10, warehouse)
    pair = {"product_id": product.pk, "warehouse_id": warehouse.pk}
    request = replenishment_services.create_request(actor=admin, data={**pair, "quantity": "5"})
    rule = replenishment_services.save_rule(actor=admin, data={**pair, "min_level": "1", "max_level": "5"})
    return {**pair, "operation_id": receipt.pk, "request_id": request.pk, "rule_id": rule.pk}
