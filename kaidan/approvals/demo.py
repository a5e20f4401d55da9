"""Demo approval rules and orders for `make run`: the example rules of the approvals issue, set up by
the administrator, and orders waiting at each step — written by the customers' salesperson and
decided by the demo approvers through the same services as the inbox and the API:

* about ¥82,000, waiting for the sales manager (total ¥50,000–200,000);
* above ¥200,000, approved by the sales manager, waiting for the general manager;
* a line at 18 % off, waiting for the sales manager (discount above 10 %);
* over a low credit limit, waiting for finance;
* rejected by the sales manager with a comment, back in draft;
* above ¥200,000, approved at both steps and confirmed (its stock reserved);
* a customer under credit "block" above its own limit, let through by finance's temporary override;

and the sales manager's delegation to the general manager for the next 7 days. The salespeople's
discount limit is raised to 20 %, so a salesperson can give the 18 % that the rule sends to the
sales manager (the installation default, 10 %, would refuse it outright).

Runs after the sales demo, whose orders were submitted while no rule existed and stay confirmed.
Dated today. Loaded once: skipped when any approval rule exists."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kaidan.approvals import credit, flow, services
from kaidan.approvals.models import ApprovalRequest, ApprovalRule
from kaidan.approvals.states import RequestStatus
from kaidan.catalog.models import Product
from kaidan.core.roles import Role
from kaidan.inventory.models import Warehouse
from kaidan.parties import services as customer_services
from kaidan.parties.models import Customer
from kaidan.pricing import services as pricing_services
from kaidan.sales import services as order_services
from kaidan.sales import transitions
from kaidan.sales.models import SalesOrder

# name, condition, thresholds, steps (each "any one of them"); nothing below ¥50,000 needs approval.
RULES = [
    ("订单金额 5万–20万", "amount", {"min_amount": "50000", "max_amount": "200000"}, [Role.SALES_MANAGER]),
    ("订单金额 20万以上", "amount", {"min_amount": "200000"}, [Role.SALES_MANAGER, Role.GENERAL_MANAGER]),
    ("单行折扣超过 10%", "discount", {"percent": "10"}, [Role.SALES_MANAGER]),
    ("超出信用额度", "credit", {}, [Role.FINANCE]),
    ("亏本销售（毛利率低于 0%）", "margin", {"percent": "0"}, [Role.GENERAL_MANAGER]),
    # Cannot fire until the billing app reports overdue invoices (kaidan/approvals/credit.py).
    ("发票逾期超过 30 天", "overdue", {"days": 30}, [Role.FINANCE]),
]
SALES_DISCOUNT_LIMIT = "20"
WAREHOUSE = "WH-SZ"
REJECT_COMMENT = "数量较大，请先和客户确认分批交货计划，拆成两单再提交。"
DELEGATION_DAYS = 7


@dataclass
class Story:
    """One demo order: its lines, what happens after it is submitted, and the customer's credit."""

    lines: list[tuple]  # (sku, quantity[, discount %])
    then: str  # wait | manager_approves | manager_rejects | both_approve
    notes: str = ""
    po: str = ""
    credit: dict = field(default_factory=dict)  # credit limit / control finance sets first
    override: dict = field(default_factory=dict)  # finance's temporary override, before submitting
    partial: bool = False


# The products have margins of 9–12 % at list price, so only the intended rules hold.
STORIES = [
    Story([("PC-DELL-002", 10), ("PRN-HP-003", 4), ("SUP-HP-001", 2)], "wait", po="PO-2026-1201",
          notes="研发部年底换机。"),  # ≈ ¥82,000: the sales manager
    Story([("PC-LEN-010", 36), ("MON-HW-001", 36)], "manager_approves", po="KA-2026-120",
          notes="新办公区整体采购。"),  # ≈ ¥244,600: approved by the sales manager, now the general manager
    Story([("PC-DELL-001", 6), ("PRN-CAN-001", 5, "18")], "wait",
          notes="打印机按客户议价 82 折。"),  # 18 % off one line: the sales manager
    Story([("PRN-HP-003", 8)], "wait", credit={"credit_limit": "20000"}),  # over ¥20,000: finance
    Story([("PC-LEN-009", 15)], "manager_rejects", notes="门店收银台一次性更新。"),  # back to draft
    Story([("PC-DELL-002", 30), ("PRN-HP-003", 10)], "both_approve", po="KA-2026-118", partial=True,
          notes="总部集采，分批送货。"),  # ≈ ¥236,000: both steps approved, confirmed
    Story([("MON-AOC-002", 20), ("PRN-DELI-001", 20)], "submit", credit={
        "credit_limit": "30000", "credit_control": "block"}, override={
        "amount": "50000", "days": 30, "reason": "年底备货，客户承诺 30 天内回款。"}),  # confirmed on the override
]


class _Demo:
    def __init__(self, users: dict) -> None:
        self.users = users
        self.today = timezone.localdate()
        self.products = {p.sku: p for p in Product.objects.filter(active=True)}
        self.warehouse = Warehouse.objects.filter(code=WAREHOUSE, active=True).first()
        # Fresh customers of a salesperson (nobody who approves), so each story starts from nothing.
        self.customers = list(Customer.objects.filter(status=Customer.Status.ACTIVE, owner__groups__name=Role.SALES)
                              .exclude(pk__in=SalesOrder.objects.values("customer_id"))
                              .select_related("owner").order_by("pk"))

    def ready(self) -> bool:
        skus = {line[0] for story in STORIES for line in story.lines}
        return self.warehouse is not None and skus <= set(self.products) and len(self.customers) >= len(STORIES)

    def estimate(self, story: Story) -> Decimal:
        return sum((self.products[sku].list_price * quantity * (1 - Decimal(rest[0] if rest else "0") / 100)
                    for sku, quantity, *rest in story.lines), Decimal("0"))

    def customer_for(self, story: Story) -> Customer:
        """The first fresh customer whose credit takes the order (any one when finance sets its credit)."""
        room = self.estimate(story) * Decimal("1.2")
        for customer in self.customers:
            if story.credit or credit.position(customer).exceeded_by(room) == 0:
                self.customers.remove(customer)
                return customer
        raise LookupError("no demo customer has room for this order")

    def set_credit(self, customer: Customer, story: Story) -> None:
        finance = self.users["finance"]
        if story.credit:
            customer = customer_services.update_customer(actor=finance, customer_id=customer.pk,
                                                         version=customer.version, data=dict(story.credit))
        if story.override:
            expires = self.today + datetime.timedelta(days=story.override["days"])
            services.grant_override(actor=finance, customer_id=customer.pk, data={
                "amount": story.override["amount"], "expires_on": expires.isoformat(),
                "reason": story.override["reason"]})

    def create(self, story: Story) -> SalesOrder:
        customer = self.customer_for(story)
        self.set_credit(customer, story)
        seller = customer.owner
        lines = [{"product_id": self.products[sku].pk, "quantity": str(quantity),
                  **({"discount_percent": rest[0]} if rest else {})} for sku, quantity, *rest in story.lines]
        data = {"customer_id": customer.pk, "order_date": self.today.isoformat(),
                "requested_date": (self.today + datetime.timedelta(days=10)).isoformat(),
                "warehouse_id": self.warehouse.pk, "customer_po": story.po, "notes": story.notes,
                "allow_partial_shipment": story.partial}
        order = order_services.create_document(actor=seller, kind="order", data=data, lines=lines)
        order = transitions.submit_order(actor=seller, order_id=order.pk)
        self.decide(order, story)
        return order

    def decide(self, order: SalesOrder, story: Story) -> None:
        if story.then not in ("manager_approves", "manager_rejects", "both_approve"):
            return
        request = ApprovalRequest.objects.get(order=order, status=RequestStatus.PENDING)
        manager = self.users["manager"]
        if story.then == "manager_rejects":
            flow.reject(actor=manager, request_id=request.pk, comment=REJECT_COMMENT)
            return
        flow.approve(actor=manager, request_id=request.pk, comment="同意。")
        if story.then == "both_approve":
            flow.approve(actor=self.users["gm"], request_id=request.pk, comment="同意，注意回款。")


def _users() -> dict | None:
    wanted = ("admin", "manager", "gm", "finance")
    users = {u.username: u for u in get_user_model().objects.filter(username__in=wanted, is_active=True)}
    return users if len(users) == len(wanted) else None


def _rules(admin) -> int:
    for position, (name, kind, thresholds, roles) in enumerate(RULES, start=1):
        services.create_rule(actor=admin, data={
            "name": name, "kind": kind, "position": position * 10, **thresholds,
            "steps": [{"role": role.value, "mode": "any"} for role in roles]})
    return len(RULES)


@transaction.atomic
def load_demo() -> list[str]:
    """The rules, then (when the customers, products and stock of the other demos exist) the orders,
    the override and the delegation; lines saying what was created. Nothing when any rule exists."""
    users = _users()
    if users is None or ApprovalRule.objects.exists():
        return []
    lines = [f"{_rules(users['admin'])} approval rules"]
    demo = _Demo(users)
    if not demo.ready():
        return lines
    pricing_services.set_discount_limit(actor=users["admin"], role=Role.SALES, max_percent=SALES_DISCOUNT_LIMIT)
    for story in STORIES:
        demo.create(story)
    today = demo.today
    services.create_delegation(actor=users["manager"], data={
        "delegate_id": users["gm"].pk, "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=DELEGATION_DAYS - 1)).isoformat(),
        "note": "出差一周，期间由周总代批。"})
    waiting = ApprovalRequest.objects.filter(status=RequestStatus.PENDING).count()
    return lines + [f"{len(STORIES)} orders through approval ({waiting} waiting)", "1 credit override",
                    "1 delegation"]
