"""Demo quotations and orders for `make run`: about 40 documents of the last 90 days, each written by
the salesperson who owns the customer, through the same services as the UI and the API
(``create_document`` and the transitions), so numbers, prices, breakdowns and history are real.

They show every state (drafts, sent, expired and converted quotations, confirmed, revised and
cancelled orders), tax-exclusive orders, every kind of price rule of kaidan/pricing/demo.py (price
lists with quantity breaks, a customer's own list, each promotion, manual discounts and prices) and
a 200-line order. Loaded once: skipped when any quotation or order exists."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from kaidan.catalog.models import Product
from kaidan.inventory.models import Warehouse
from kaidan.parties.models import Address, Customer
from kaidan.pricing.demo import vip_customer
from kaidan.sales import services, transitions
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import Kind

BIG_ORDER_LINES = 200
# province → warehouse the order ships from (the rest ship from Shenzhen)
WAREHOUSE_BY_PROVINCE = {"上海市": "WH-SH", "江苏省": "WH-SH", "浙江省": "WH-SH", "北京市": "WH-BJ",
                         "天津市": "WH-BJ", "山东省": "WH-BJ"}


@dataclass
class Doc:
    """One demo document: when, what, for whom, and the state it ends in."""

    days_ago: int
    kind: str  # "quotation" | "order"
    customer: str  # "vip", or "<group code>:<n>" (the n-th active customer of that group)
    lines: list[tuple]  # (sku, quantity[, discount %[, unit price]])
    end: str  # draft | sent | expired | converted | confirmed | revised | revising | cancelled
    exclusive: bool = False  # prices exclude VAT
    po: str = ""
    notes: str = ""
    valid_days: int | None = None  # a quotation's validity, when not the default 30 days
    extra: dict = field(default_factory=dict)


QT, SO = Kind.QUOTATION, Kind.ORDER
DOCS = [
    # quotations
    Doc(86, QT, "dealer:0", [("NB-LEN-004", 5), ("MON-DELL-002", 5)], "expired", notes="含上门安装。"),
    Doc(71, QT, "retail:1", [("PRJ-EPS-002", 1), ("SRV-KD-002", 1), ("PRJ-DELI-002", 1)], "expired"),
    Doc(64, QT, "dealer:3", [("PC-HW-001", 10), ("MON-HW-001", 10)], "cancelled", extra={"reason": "客户预算取消"}),
    Doc(48, QT, "key-account:0", [("NB-LEN-004", 20), ("SUP-LOGI-001", 20)], "converted", valid_days=60,
        notes="大客户年度换机项目，第一批。"),
    Doc(21, QT, "vip", [("NB-HW-001", 3), ("PRN-HP-001", 1), ("SUP-UGR-001", 10)], "converted"),
    Doc(17, QT, "key-account:2", [("PC-LEN-001", 12), ("MON-DELL-002", 12)], "sent", exclusive=True,
        notes="报价不含税，开具增值税专用发票。"),
    Doc(12, QT, "dealer:2", [("SUP-UGR-001", 20), ("NET-TPL-001", 2), ("NET-UGR-001", 1)], "sent"),
    Doc(9, QT, "retail:0", [("NB-HW-003", 2), ("SRV-KD-003", 2)], "sent"),
    Doc(6, QT, "key-account:1", [("MON-DELL-001", 6), ("PC-DELL-001", 6)], "draft"),
    Doc(4, QT, "retail:3", [("PRJ-EPS-001", 1), ("PRJ-DELI-001", 1)], "cancelled",
        extra={"reason": "客户已在别处采购"}),
    Doc(2, QT, "dealer:1", [("NB-HP-001", 8, "5"), ("SUP-LOGI-003", 8)], "draft"),
    Doc(1, QT, "vip", [("MON-DELL-001", 2), ("SUP-UGR-004", 2)], "draft"),
    # orders
    Doc(88, SO, "dealer:0", [("PRN-HP-001", 2), ("SUP-HP-001", 6)], "confirmed", po="PO-HX-0812"),
    Doc(84, SO, "key-account:0", [("NB-LEN-004", 5), ("SRV-KD-003", 5)], "confirmed", po="KA-2026-031"),
    Doc(80, SO, "retail:0", [("SUP-DELI-004", 10), ("SUP-DELI-006", 20)], "confirmed"),
    Doc(77, SO, "dealer:4", [("NET-H3C-001", 3), ("NET-RJ-002", 6), ("NET-UGR-001", 2)], "confirmed",
        exclusive=True, notes="不含税价，月结。"),
    Doc(73, SO, "key-account:3", [("PC-LEN-001", 10), ("MON-DELL-002", 10), ("SUP-LOGI-001", 10)], "confirmed",
        po="KA-2026-044"),
    Doc(69, SO, "retail:2", [("NB-HW-005", 1)], "cancelled", extra={"reason": "客户取消订单"}),
    Doc(66, SO, "dealer:1", [("PRN-EPS-003", 4), ("SUP-EPS-001", 12)], "confirmed"),
    Doc(62, SO, "vip", [("NB-HW-001", 5), ("MON-DELL-001", 5)], "confirmed", po="VIP-PO-0907"),
    Doc(58, SO, "key-account:1", [("NB-LEN-004", 25), ("SUP-DELI-004", 30)], "confirmed",
        notes="分两批送货，第一批 15 台。"),
    Doc(55, SO, "dealer:2", [("MON-AOC-001", 10), ("PRJ-EPS-001", 2)], "confirmed", notes="清仓特价，售出不退换。"),
    Doc(51, SO, "retail:4", [("SUP-UGR-001", 30), ("SUP-UGR-002", 10)], "confirmed"),
    Doc(47, SO, "dealer:3", [("PC-HP-001", 6), ("MON-LEN-001", 6, "8")], "revised",
        extra={"reason": "客户要求增加数量", "quantities": {"PC-HP-001": 8, "MON-LEN-001": 8}}),
    Doc(43, SO, "key-account:2", [("NB-HP-004", 4), ("NB-HP-005", 2)], "confirmed", exclusive=True),
    Doc(39, SO, "retail:1", [("PRN-HP-002", 1, "0", "2450")], "confirmed", notes="按店长特批价。"),
    Doc(35, SO, "dealer:0", [("SUP-DELI-003", 20), ("SUP-MG-001", 30), ("SUP-DELI-012", 50)], "confirmed"),
    Doc(31, SO, "key-account:4", [("MON-DELL-001", 8), ("NB-DELL-001", 4)], "confirmed", po="KA-2026-078"),
    Doc(27, SO, "dealer:5", [("NET-TPL-007", 4), ("NET-RJ-003", 12), ("SRV-KD-006", 300)], "confirmed"),
    Doc(24, SO, "retail:2", [("NB-LEN-009", 2, "6")], "cancelled", extra={"reason": "价格未谈妥", "submit": True}),
    Doc(19, SO, "key-account:0", [], "confirmed", po="KA-2026-090", notes="年度办公设备集中采购。",
        extra={"big": True, "partial": True}),
    Doc(15, SO, "dealer:4", [("PRN-BRO-001", 3), ("SUP-BRO-001", 9)], "confirmed", exclusive=True),
    Doc(11, SO, "retail:3", [("MON-AOC-001", 2), ("SUP-UGR-001", 12)], "confirmed"),
    Doc(8, SO, "key-account:3", [("NB-LEN-001", 3), ("SRV-KD-004", 3)], "revising",
        extra={"reason": "客户更换配置", "quantities": {"NB-LEN-001": 4}}),
    Doc(5, SO, "dealer:1", [("PC-LEN-006", 5), ("MON-AOC-002", 5)], "confirmed", po="PO-JQ-1125"),
    Doc(3, SO, "vip", [("PRN-HP-001", 2), ("SUP-HP-002", 4)], "draft"),
    # stock (kaidan/inventory/demo.py): NB-HP-003 / PC-LEN-003 are out of stock, NB-HP-002 / PC-LEN-002 nearly
    Doc(2, SO, "dealer:3", [("NB-HP-003", 3), ("NB-HP-002", 5), ("MON-DELL-001", 5)], "draft",
        notes="缺货演示：一行缺货（有替代品和到货日期），一行部分有货，一行有货。", extra={"warehouse": "WH-SZ"}),
    Doc(2, SO, "key-account:1", [("PC-LEN-002", 6), ("PC-LEN-003", 2), ("MON-DELL-002", 8)], "confirmed",
        po="KA-2026-101", notes="允许分批发货：有货先发，缺货部分到货后自动预留。", extra={"partial": True}),
    Doc(1, SO, "retail:0", [("SUP-DELI-002", 10), ("SUP-LOGI-004", 2)], "draft"),
    Doc(0, SO, "dealer:2", [("NB-HW-006", 2, "5"), ("SUP-UGR-004", 2)], "draft"),
]


class _Demo:
    """Looks up the customers, products and warehouses the plan names, once."""

    def __init__(self) -> None:
        self.today = timezone.localdate()
        self.products = dict(Product.objects.filter(active=True).values_list("sku", "pk"))
        self.warehouses = dict(Warehouse.objects.filter(active=True).values_list("code", "pk"))
        customers = list(Customer.objects.filter(status=Customer.Status.ACTIVE, owner__isnull=False)
                         .select_related("group", "owner").order_by("pk"))
        self.by_group: dict[str, list[Customer]] = {}
        for customer in customers:
            self.by_group.setdefault(customer.group.code if customer.group_id else "", []).append(customer)
        self.vip = vip_customer()
        self.to_convert: list[tuple[SalesOrder, Doc, object]] = []
        self.provinces = dict(Address.objects.filter(kind=Address.Kind.SHIPPING, is_default=True)
                              .values_list("customer_id", "province"))

    def customer(self, slot: str) -> Customer | None:
        if slot == "vip":
            return self.vip
        group, index = slot.split(":")
        members = self.by_group.get(group) or []
        return members[int(index) % len(members)] if members else None

    def lines(self, doc: Doc) -> list[dict]:
        if doc.extra.get("big"):
            skus = sorted(self.products)
            return [{"product_id": self.products[sku], "quantity": str(1 + n % 5)}
                    for n, sku in zip(range(BIG_ORDER_LINES), itertools.cycle(skus))]
        result = []
        for sku, quantity, *rest in doc.lines:
            if sku not in self.products:
                continue
            line = {"product_id": self.products[sku], "quantity": str(quantity)}
            if rest:
                line["discount_percent"] = rest[0]
            if len(rest) > 1:
                line["unit_price"] = rest[1]
            result.append(line)
        return result

    def header(self, doc: Doc, customer: Customer) -> dict:
        order_date = self.today - datetime.timedelta(days=doc.days_ago)
        data = {"customer_id": customer.pk, "order_date": order_date.isoformat(),
                "requested_date": (order_date + datetime.timedelta(days=7 + doc.days_ago % 8)).isoformat(),
                "customer_po": doc.po, "notes": doc.notes, "prices_include_tax": not doc.exclusive,
                "allow_partial_shipment": bool(doc.extra.get("partial"))}
        warehouse = self.warehouses.get(doc.extra.get("warehouse")
                                        or WAREHOUSE_BY_PROVINCE.get(self.provinces.get(customer.pk), "WH-SZ"))
        if warehouse:
            data["warehouse_id"] = warehouse
        if doc.valid_days:
            data["valid_until"] = (order_date + datetime.timedelta(days=doc.valid_days)).isoformat()
        return data

    def create(self, doc: Doc) -> SalesOrder | None:
        customer = self.customer(doc.customer)
        lines = self.lines(doc)
        if customer is None or not lines:
            return None
        actor = customer.owner
        document = services.create_document(actor=actor, kind=doc.kind, data=self.header(doc, customer), lines=lines)
        self.finish(document, doc, actor)
        return document

    def finish(self, document: SalesOrder, doc: Doc, actor) -> None:
        """Take the document to the state the plan ends it in, as a salesperson would."""
        pk, end, reason = document.pk, doc.end, doc.extra.get("reason", "")
        if end in ("sent", "expired"):
            transitions.send_quotation(actor=actor, order_id=pk)
        elif end == "converted":
            transitions.send_quotation(actor=actor, order_id=pk)
            self.to_convert.append((document, doc, actor))  # converted last: the orders are dated today
        elif end in ("confirmed", "revised", "revising"):
            transitions.submit_order(actor=actor, order_id=pk)
            if end != "confirmed":
                self.revise(document, doc, actor)
        elif end == "cancelled":
            if doc.kind == SO and doc.extra.get("submit", True):
                transitions.submit_order(actor=actor, order_id=pk)
            transitions.cancel_document(actor=actor, order_id=pk, reason=reason)

    def convert(self) -> None:
        for quotation, doc, actor in self.to_convert:
            order = transitions.convert_quotation(actor=actor, quotation_id=quotation.pk)
            if doc.customer != "vip":  # one order made from a quotation is confirmed, the other is a draft
                transitions.submit_order(actor=actor, order_id=order.pk)

    def revise(self, document: SalesOrder, doc: Doc, actor) -> None:
        """Back to draft with a reason, change quantities, and (for "revised") submit again."""
        document = transitions.revise_document(actor=actor, order_id=document.pk, reason=doc.extra["reason"])
        skus = {pk: sku for sku, pk in self.products.items()}
        quantities = doc.extra["quantities"]
        lines = [{"id": line.pk, "product_id": line.product_id,
                  "quantity": str(quantities.get(skus.get(line.product_id), line.quantity)),
                  "discount_percent": line.discount_percent, "unit_price": line.manual_unit_price,
                  "description": line.description}
                 for line in document.lines.filter(is_free=False).order_by("position")]
        document = services.update_document(actor=actor, order_id=document.pk, version=document.version,
                                            data={}, lines=lines)
        if doc.end == "revised":
            transitions.submit_order(actor=actor, order_id=document.pk)


@transaction.atomic
def load_demo() -> list[str]:
    """Create the demo documents unless any quotation or order exists; a line saying how many."""
    if SalesOrder.objects.exists():
        return []
    demo = _Demo()
    if not demo.products or not demo.by_group:
        return []
    for doc in sorted(DOCS, key=lambda d: -d.days_ago):  # in date order, so the numbers follow the dates
        demo.create(doc)
    demo.convert()
    quotations = SalesOrder.objects.filter(kind=QT).count()
    orders = SalesOrder.objects.filter(kind=SO).count()
    return [f"{quotations} quotations", f"{orders} sales orders"] if quotations or orders else []
