"""Demo stock for `make run`: three warehouses, a goods receipt per warehouse with stock for most
products, a stocktake and a transfer, reorder rules, and a few short products — each has
substitutes on the shelf and supply on order with an expected date, so the order screens show every
badge, substitutes and promise dates. Runs before the sales demo, whose confirmed orders then
reserve. Idempotent: warehouses by code, the stock once (skipped when any stock was posted)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kaidan.catalog.models import Product
from kaidan.core import audit
from kaidan.inventory import replenishment_services as board
from kaidan.inventory import services
from kaidan.inventory.models import StockOperation, Warehouse

WAREHOUSES = [
    # code, name, address
    ("WH-SZ", "深圳总仓", "广东省深圳市宝安区福永街道物流园 A 栋"),
    ("WH-SH", "上海仓", "上海市嘉定区安亭镇墨玉路 185 号"),
    ("WH-BJ", "北京仓", "北京市大兴区亦庄经济开发区科创十三街 9 号"),
]
SUPPLIERS = {"WH-SZ": "深圳市华强供应链有限公司", "WH-SH": "上海联合办公设备有限公司",
             "WH-BJ": "北京中关村科贸有限公司"}
# Variants of substitute families (catalog demo) that are out of stock everywhere or nearly out;
# their family's other variants are on the shelf. The sales demo's orders show them.
OUT_OF_STOCK = ["NB-HP-003", "PC-LEN-003", "NB-HW-002"]
NEARLY_OUT_SKUS = ["NB-HP-002", "PC-LEN-002"]
NEARLY_OUT = Decimal("2")


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _warehouses(actor) -> int:
    existing = set(Warehouse.objects.values_list("code", flat=True))
    created = 0
    for code, name, address in WAREHOUSES:
        if code in existing:
            continue
        warehouse = Warehouse(code=code, name=name, address=address)
        warehouse.full_clean()
        warehouse.save()
        audit.record(warehouse, "created", actor=actor, after={"code": code, "name": name, "address": address})
        created += 1
    return created


def _quantity(n: int, product: Product) -> Decimal:
    """A plausible shelf quantity: cheap supplies by the hundred, computers by the ten."""
    if product.list_price < 100:
        return Decimal(200 + (n * 37) % 400)
    if product.list_price < 2000:
        return Decimal(60 + (n * 13) % 90)
    return Decimal(100 + (n * 7) % 80)


def _short_products() -> tuple[set[int], set[int]]:
    def ids(skus):
        return set(Product.objects.filter(sku__in=skus, active=True).values_list("pk", flat=True))
    return ids(OUT_OF_STOCK), ids(NEARLY_OUT_SKUS)


@transaction.atomic
def _stock(keeper) -> list[str]:
    warehouses = {w.code: w for w in Warehouse.objects.filter(active=True)}
    products = list(Product.objects.filter(active=True, track_stock=True).order_by("sku"))
    out, nearly = _short_products()
    receipts = 0
    for code, divisor in (("WH-SZ", 1), ("WH-SH", 1), ("WH-BJ", 2)):
        if code not in warehouses:
            continue
        lines = []
        for n, product in enumerate(products):
            if product.pk in out:
                continue
            quantity = NEARLY_OUT if product.pk in nearly else max(_quantity(n, product) // divisor, Decimal(1))
            lines.append({"product_id": product.pk, "quantity": str(quantity)})
        if lines:
            services.post_receipt(actor=keeper, data={"warehouse_id": warehouses[code].pk, "supplier": SUPPLIERS[code],
                                                      "reference": f"DEMO-{code}-001", "lines": lines})
            receipts += 1
    sz = warehouses.get("WH-SZ")
    movers = [p for p in products if p.pk not in out | nearly][:6]
    if sz and len(movers) >= 6:
        services.post_adjustment(actor=keeper, data={"warehouse_id": sz.pk, "reason": "月度盘点差异", "lines": [
            {"product_id": movers[0].pk, "quantity": "-2"}, {"product_id": movers[1].pk, "quantity": "3"}]})
        if "WH-BJ" in warehouses:
            services.post_transfer(actor=keeper, data={
                "warehouse_id": sz.pk, "to_warehouse_id": warehouses["WH-BJ"].pk, "reference": "调拨-北京补货",
                "lines": [{"product_id": p.pk, "quantity": "5"} for p in movers[2:4]]})
        for product in [p for p in products if p.list_price < 100][:4]:  # supplies kept between 300 and 600
            board.save_rule(actor=keeper, data={"product_id": product.pk, "warehouse_id": sz.pk,
                                                "min_level": "300", "max_level": "600"})
    return [f"{receipts} goods receipts", f"{len(out)} products out of stock"]


def _incoming(keeper, buyer) -> int:
    """Supply on order for the short products, so their order lines get promise dates."""
    sz = Warehouse.objects.filter(code="WH-SZ").first()
    if sz is None:
        return 0
    today = timezone.localdate()
    out, nearly = _short_products()
    count = 0
    for n, product_id in enumerate(sorted(out)):
        request = board.create_request(actor=buyer, data={"product_id": product_id, "warehouse_id": sz.pk,
                                                          "quantity": str(20 + 10 * n), "notes": "缺货补货"})
        if n % 4 != 3:  # one stays open, waiting for purchasing
            board.mark_ordered(actor=keeper, request_id=request.pk, version=request.version, data={
                "expected_date": (today + datetime.timedelta(days=5 + 7 * n)).isoformat(),
                "supplier": "惠普/联想华南总代", "purchase_reference": f"PO-DEMO-{n + 1:03d}"})
        count += 1
    in_stock = Product.objects.filter(active=True, track_stock=True).exclude(pk__in=out | nearly).order_by("sku")
    for product_id in in_stock.values_list("pk", flat=True)[:1]:  # history: one request already received
        request = board.create_request(actor=buyer, data={"product_id": product_id, "warehouse_id": sz.pk,
                                                          "quantity": "10"})
        request = board.mark_ordered(actor=keeper, request_id=request.pk, version=request.version, data={
            "expected_date": today.isoformat(), "supplier": "惠普华南总代"})
        board.receive_request(actor=keeper, request_id=request.pk, version=request.version,
                              data={"quantity": "10", "reference": "到货-DEMO"})
        count += 1
    return count


def load_demo() -> list[str]:
    """Warehouses, then (once) stock, rules and replenishment; lines saying what was created."""
    admin = _user("admin")
    created = _warehouses(admin)
    lines = [f"{created} warehouses"] if created else []
    keeper = _user("warehouse") or admin
    if keeper is None or StockOperation.objects.exists():
        return lines
    lines += _stock(keeper)
    lines.append(f"{_incoming(keeper, _user('sales') or keeper)} replenishment requests")
    return lines
