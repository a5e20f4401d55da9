"""Approvals (issue 6): submitting orders that need an approval and approving them, and evaluating the
rules for a large order.

Setup (not timed): the product owner's example rules through the services (¥50,000–200,000 sales
manager; from ¥200,000 sales manager then general manager; a line discount above 10% sales
manager; credit limit exceeded finance); a salesperson, two sales managers, a general manager;
one warehouse; 1,000 products (¥2,000–2,299) with 100,000 on hand each; N draft 5-line orders of 6
units a line (¥60,000–69,000: the first band, one sales-manager step) made through the services;
one 1,000-line draft (every product once, about ¥2.15 million, one line 15% off) for the
evaluation.
Measured:
* ``orders/s`` — for each prepared draft, ``kaidan.sales.transitions.submit_order`` (gathers the
  facts — totals, line discounts, the customer's credit position — evaluates the active rules,
  opens the request with its route and approvers, notifies them, audits) and then
  ``kaidan.approvals.flow.approve`` by a sales manager (lock the order, decide the step, skip the
  other manager, confirm, reserve the 5 lines, notify the salesperson), one thread;
* ``1000-line evaluation`` — ``kaidan.approvals.flow.evaluate_order`` on the 1,000-line draft
  (facts for 1,000 lines plus the rules): median milliseconds over 11 calls after a warm-up.
Checked: every order confirmed through an approved one-step request, its reservations hold its
lines, ``stock_discrepancies()`` empty; the large order's reasons are the amount (from ¥200,000)
and the discount on line 500, its route sales manager (both reasons) then general manager.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from decimal import Decimal

from bench.common import Result

NAME = "approvals"
DEFAULT_N = 100  # orders submitted and approved
PRODUCTS = 1_000
LINES = 5
ON_HAND = Decimal(100_000)
EVALUATIONS = 11


def _people():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    users = {}
    for username, role in (("bench-admin", "admin"), ("bench-seller", "sales"), ("bench-li", "sales_manager"),
                           ("bench-zhao", "sales_manager"), ("bench-chen", "general_manager"),
                           ("bench-liu", "finance")):
        user = get_user_model().objects.create_user(username, password=f"{username}-pw-1")
        user.groups.add(Group.objects.get(name=role))
        users[username.removeprefix("bench-")] = user
    return users


def _rules(admin) -> None:
    from kaidan.approvals import services

    for data in (
        {"name": "¥5万–20万", "kind": "amount", "min_amount": "50000", "max_amount": "200000",
         "steps": [{"role": "sales_manager"}]},
        {"name": "¥20万以上", "kind": "amount", "min_amount": "200000",
         "steps": [{"role": "sales_manager"}, {"role": "general_manager"}]},
        {"name": "折扣超过10%", "kind": "discount", "percent": "10", "steps": [{"role": "sales_manager"}]},
        {"name": "超信用额度", "kind": "credit", "steps": [{"role": "finance"}]},
    ):
        services.create_rule(actor=admin, data=data)


def _setup(n: int):
    from kaidan.catalog.models import Category, Product, Unit
    from kaidan.inventory import services as stock_services
    from kaidan.inventory.models import Warehouse
    from kaidan.parties.models import Customer
    from kaidan.sales import services

    people = _people()
    _rules(people["admin"])
    warehouse = Warehouse.objects.create(code="WH-APPR", name="审批基准仓")
    unit = Unit.objects.filter(allow_fraction=False).first()
    category = Category.objects.create(code="APR", name="审批测试")
    Product.objects.bulk_create(
        Product(sku=f"P{i:06d}", name=f"审批商品{i}", unit=unit, category=category,
                list_price=Decimal(2000 + i % 300), standard_cost=Decimal(1500), vat_rate=Decimal("0.13"))
        for i in range(PRODUCTS))
    products = list(Product.objects.filter(category=category).order_by("pk"))
    keeper = people["admin"]
    stock_services.post_receipt(actor=keeper, data={
        "warehouse_id": warehouse.pk, "supplier": "基准供应商",
        "lines": [{"product_id": p.pk, "quantity": str(ON_HAND)} for p in products]})
    customers = Customer.objects.bulk_create(Customer(code=f"A{i:04d}", name=f"审批客户{i}", owner=people["seller"])
                                             for i in range(20))
    drafts = []
    for i in range(n):
        lines = [{"product_id": products[(i * 7 + k * 101) % PRODUCTS].pk, "quantity": "6"} for k in range(LINES)]
        drafts.append(services.create_document(actor=people["seller"], data={
            "customer_id": customers[i % 20].pk, "warehouse_id": warehouse.pk}, lines=lines).pk)
    big = services.create_document(actor=people["admin"], data={
        "customer_id": customers[0].pk, "warehouse_id": warehouse.pk},
        lines=[{"product_id": p.pk, "quantity": "1", **({"discount_percent": "15"} if i == 499 else {})}
               for i, p in enumerate(products)])
    return people, drafts, big


def _submit_and_approve(people, drafts: list[int]) -> Result:
    from kaidan.approvals import flow
    from kaidan.approvals.models import ApprovalRequest
    from kaidan.inventory.models import Reservation
    from kaidan.inventory.selectors import stock_discrepancies
    from kaidan.sales import transitions
    from kaidan.sales.models import SalesOrder, SalesOrderLine

    seller, manager = people["seller"], people["li"]
    submit_s = approve_s = 0.0
    began = time.perf_counter()
    for order_id in drafts:
        t0 = time.perf_counter()
        transitions.submit_order(actor=seller, order_id=order_id)
        t1 = time.perf_counter()
        request_id = ApprovalRequest.objects.filter(order_id=order_id, status="pending").values_list(
            "pk", flat=True).get()
        t2 = time.perf_counter()
        flow.approve(actor=manager, request_id=request_id)
        t3 = time.perf_counter()
        submit_s, approve_s = submit_s + t1 - t0, approve_s + t3 - t2
    seconds = time.perf_counter() - began
    n = len(drafts)
    problems = []
    confirmed = SalesOrder.objects.filter(pk__in=drafts, status="confirmed").count()
    if confirmed != n:
        problems.append(f"{n - confirmed} orders not confirmed")
    one_step = ApprovalRequest.objects.filter(order_id__in=drafts, status="approved").exclude(steps__position=2)
    if one_step.count() != n:
        problems.append(f"{n - one_step.count()} orders not approved in one step")
    held = sum(Reservation.objects.filter(order_id__in=drafts, status="open").values_list("reserved", flat=True))
    wanted = sum(SalesOrderLine.objects.filter(order_id__in=drafts).values_list("quantity", flat=True))
    if held != wanted:
        problems.append(f"reserved {held}, lines want {wanted}")
    problems += stock_discrepancies()[:3]
    note = "; ".join(problems) or (f"submit {1000 * submit_s / n:.0f} ms + approve {1000 * approve_s / n:.0f} ms "
                                   "per order")
    return Result({"orders": n, "lines": LINES, "threads": 1}, "orders/s", n / seconds, not problems, seconds, note)


def _evaluation(big) -> Result:
    from kaidan.approvals import flow

    flow.evaluate_order(big)  # warm-up: first queries, caches
    timings = []
    for _ in range(EVALUATIONS):
        began = time.perf_counter()
        evaluation = flow.evaluate_order(big)
        timings.append((time.perf_counter() - began) * 1000)
    median = statistics.median(timings)
    problems = []
    codes = [r.code for r in evaluation.reasons]
    if codes != ["amount", "discount"] or evaluation.facts.max_discount_line != 500:
        problems.append(f"reasons {codes}, discount on line {evaluation.facts.max_discount_line}")
    route = [(s.spec.role, [r.code for r in s.reasons]) for s in evaluation.route]
    if route != [("sales_manager", ["amount", "discount"]), ("general_manager", ["amount"])]:
        problems.append(f"route {route}")
    note = "; ".join(problems) or f"median {median:.0f} ms, max {max(timings):.0f} ms, gross {big.gross_amount}"
    return Result({"lines": PRODUCTS, "calls": EVALUATIONS}, "evaluations/s", 1000 / median, not problems,
                  sum(timings) / 1000, note)


def run(n: int, backend: str) -> Iterator[Result]:
    people, drafts, big = _setup(n)
    yield _submit_and_approve(people, drafts)
    yield _evaluation(big)
