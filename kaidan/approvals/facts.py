"""Gathering the facts the rules look at for one order (conditions.py decides on them)."""

from __future__ import annotations

from decimal import Decimal

from kaidan.approvals import credit
from kaidan.approvals.conditions import Facts, line_discount_percent, margin_percent
from kaidan.parties.models import Customer
from kaidan.sales.models import SalesOrder, SalesOrderLine

ZERO = Decimal("0.00")


def _engine_price(line: dict) -> Decimal:
    """The price the engine found: the line's own unless it was overridden by hand, in which case the
    manual-price step of the breakdown remembers it."""
    if line["price_source"] == SalesOrderLine.PriceSource.MANUAL:
        for step in line["breakdown"] or []:
            if step.get("code") == "manual_price" and "engine_price" in (step.get("params") or {}):
                return Decimal(step["params"]["engine_price"])
        return line["list_price"]
    return line["unit_price"]


def highest_discount(order_id: int) -> tuple[Decimal, int | None]:
    rows = SalesOrderLine.objects.filter(order_id=order_id, is_free=False).values(
        "position", "unit_price", "list_price", "discount_percent", "price_source", "breakdown")
    best, where = ZERO, None
    for row in rows:
        percent = line_discount_percent(row["unit_price"], row["discount_percent"], _engine_price(row))
        if percent > best:
            best, where = percent, row["position"]
    return best, where


def facts_for(order: SalesOrder) -> Facts:
    customer = order.customer
    position = credit.position(customer, excluding_order=order.pk)
    discount, line = highest_discount(order.pk)
    return Facts(
        currency=order.currency,
        gross=order.gross_amount,
        max_discount=discount,
        max_discount_line=line,
        margin=margin_percent(order.net_amount, order.cost_amount),
        exposure=position.exposure_with(order.gross_amount),
        credit_limit=position.effective_limit,
        unlimited_override=position.unlimited,
        overdue_days=position.overdue_days,
        customer_blocked=customer.status == Customer.Status.BLOCKED,
        blocked_reason=customer.blocked_reason,
        customer_new=not credit.has_earlier_order(customer.pk, excluding=order.pk),
    )
