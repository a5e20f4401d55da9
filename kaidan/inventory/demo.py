"""Demo warehouses for `make run`: Shenzhen (the main one), Shanghai and Beijing. Idempotent: keyed
by code, so a re-run creates nothing."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from kaidan.core import audit
from kaidan.inventory.models import Warehouse

WAREHOUSES = [
    # code, name, address
    ("WH-SZ", "深圳总仓", "广东省深圳市宝安区福永街道物流园 A 栋"),
    ("WH-SH", "上海仓", "上海市嘉定区安亭镇墨玉路 185 号"),
    ("WH-BJ", "北京仓", "北京市大兴区亦庄经济开发区科创十三街 9 号"),
]


@transaction.atomic
def load_demo() -> list[str]:
    """Create the missing warehouses; a line saying how many (empty on a second run)."""
    actor = get_user_model().objects.filter(username="admin").first()
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
    return [f"{created} warehouses"] if created else []
