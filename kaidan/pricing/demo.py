"""Demo pricing rules for `make run`, made by the demo sales manager through the services:

* price lists — "标准价目表" for everyone (a few items at a % off), "A 级客户价目表" for the 大客户
  group (fixed prices with quantity breaks), one customer's own list, and one that expired;
* promotions — 5 % off every 笔记本电脑 (combinable), 200 元 off per unit of one monitor, 买10送1 on an
  HDMI cable, 满1000减100 on the whole order (combinable), and an exclusive 20 % 清仓 on two products.

Dates are relative to the day the demo is loaded, so the rules are live for the demo orders of the
last 90 days (kaidan/sales/demo.py). Idempotent: keyed by code, a re-run creates nothing."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kaidan.catalog.models import Category, Product
from kaidan.parties.models import Customer, CustomerGroup
from kaidan.pricing import promotion_services, services
from kaidan.pricing.models import PriceList, Promotion

KEY_ACCOUNT_GROUP = "key-account"  # 大客户, seeded by the parties migration

# code, name, reach ("all" | "group" | "customer"), priority, (valid from, valid to) in days from today
PRICE_LISTS = [
    ("STD", "标准价目表", "all", 100, (None, None)),
    ("A-CLASS", "A 级客户价目表", "group", 50, (None, None)),
    ("VIP-001", "专属价目表", "customer", 10, (-365, None)),
    ("SPRING-2026", "春季促销价目表（已过期）", "all", 20, (-300, -120)),
]
# list code → (sku, from quantity, "fixed" price | "percent_off" percent, value)
PRICE_LIST_ITEMS = {
    "STD": [("PRN-HP-001", "0", "percent_off", "5"), ("PRN-HP-002", "0", "percent_off", "5"),
            ("MON-LEN-001", "0", "percent_off", "8"), ("PC-HP-001", "0", "percent_off", "3"),
            ("NET-H3C-001", "0", "percent_off", "6")],
    "A-CLASS": [("NB-LEN-004", "1", "fixed", "7199"), ("NB-LEN-004", "5", "fixed", "6999"),
                ("NB-LEN-004", "20", "fixed", "6799"), ("PC-LEN-001", "1", "fixed", "3799"),
                ("PC-LEN-001", "10", "fixed", "3649"), ("MON-DELL-002", "1", "fixed", "1119"),
                ("MON-DELL-002", "10", "fixed", "1079"), ("SUP-DELI-004", "1", "fixed", "139"),
                ("SUP-DELI-004", "20", "fixed", "132")],
    "VIP-001": [("NB-HW-001", "0", "fixed", "5699"), ("MON-DELL-001", "0", "fixed", "3699"),
                ("PRN-HP-001", "0", "fixed", "2599")],
    "SPRING-2026": [("NB-LEN-001", "0", "percent_off", "10"), ("NB-HP-004", "0", "percent_off", "10")],
}
# code, name, kind, priority, exclusive, (valid from, valid to) in days from today, values, products, categories
PROMOTIONS = [
    ("NB-95", "笔记本电脑 95 折", "percent_off", 100, False, (-120, 60), {"percent": "5"}, [], ["laptops"]),
    ("U2723-200", "UltraSharp 27 4K 显示器直降 200 元", "amount_off", 90, False, (None, None),
     {"amount": "200.00"}, ["MON-DELL-001"], []),
    ("HDMI-10-1", "HDMI 高清线 买10送1", "buy_x_get_y", 100, False, (None, None),
     {"buy_quantity": "10", "free_quantity": "1"}, ["SUP-UGR-001"], []),
    ("MJ-1000-100", "满 1000 减 100", "order_threshold", 200, False, (-45, 45),
     {"threshold": "1000.00", "amount": "100.00"}, [], []),
    ("CLEAR-20", "清仓特价 8 折", "percent_off", 10, True, (-60, 30), {"percent": "20"},
     ["PRJ-EPS-001", "MON-AOC-001"], []),
]


def _day(today: datetime.date, offset: int | None) -> str | None:
    return (today + datetime.timedelta(days=offset)).isoformat() if offset is not None else None


def vip_customer() -> Customer | None:
    """The customer with a price list of its own: the demo salesperson's first customer."""
    return Customer.objects.filter(owner__username="sales", status=Customer.Status.ACTIVE).order_by("pk").first()


def _price_lists(actor, today: datetime.date, skus: dict[str, int]) -> int:
    existing = set(PriceList.objects.values_list("code", flat=True))
    group = CustomerGroup.objects.filter(code=KEY_ACCOUNT_GROUP).first()
    customer = vip_customer()
    created = 0
    for code, name, reach, priority, (start, end) in PRICE_LISTS:
        if code in existing or (reach == "group" and group is None) or (reach == "customer" and customer is None):
            continue
        if reach == "customer":
            name = f"{customer.short_name or customer.name}{name}"
        price_list = services.create_price_list(actor=actor, data={
            "code": code, "name": name, "currency": "CNY", "prices_include_tax": True, "priority": priority,
            "group_id": group.pk if reach == "group" else None,
            "customer_id": customer.pk if reach == "customer" else None,
            "valid_from": _day(today, start), "valid_to": _day(today, end)})
        items = [{"product_id": skus[sku], "min_quantity": quantity, "method": method,
                  **({"price": value} if method == "fixed" else {"percent": value})}
                 for sku, quantity, method, value in PRICE_LIST_ITEMS[code] if sku in skus]
        services.replace_price_list_items(actor=actor, price_list_id=price_list.pk, items=items)
        created += 1
    return created


def _promotions(actor, today: datetime.date, skus: dict[str, int]) -> int:
    existing = set(Promotion.objects.values_list("code", flat=True))
    categories = dict(Category.objects.values_list("code", "pk"))
    created = 0
    for code, name, kind, priority, exclusive, (start, end), values, products, category_codes in PROMOTIONS:
        if code in existing or any(sku not in skus for sku in products) \
                or any(c not in categories for c in category_codes):
            continue
        promotion_services.create_promotion(actor=actor, data={
            "code": code, "name": name, "kind": kind, "priority": priority, "exclusive": exclusive,
            "valid_from": _day(today, start), "valid_to": _day(today, end), **values,
            "product_ids": [skus[sku] for sku in products],
            "category_ids": [categories[c] for c in category_codes]})
        created += 1
    return created


@transaction.atomic
def load_demo() -> list[str]:
    """Create the missing price lists and promotions; a line per kind created (empty on a second run)."""
    actor = get_user_model().objects.filter(username="manager").first()
    if actor is None:
        return []
    today = timezone.localdate()
    wanted = {sku for items in PRICE_LIST_ITEMS.values() for sku, *_rest in items}
    wanted |= {sku for promotion in PROMOTIONS for sku in promotion[7]}
    skus = dict(Product.objects.filter(sku__in=wanted, active=True).values_list("sku", "pk"))
    lists = _price_lists(actor, today, skus)
    promotions = _promotions(actor, today, skus)
    return ([f"{lists} price lists"] if lists else []) + ([f"{promotions} promotions"] if promotions else [])
