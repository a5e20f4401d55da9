"""Reads of quotations and orders. Every read goes through ``orders_visible_to``: the customers'
record rule (a salesperson sees the documents of their own customers, and the ones they are the
salesperson of)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from kaidan.core.models import AuditEvent
from kaidan.core.pagination import apply_sort
from kaidan.core.roles import Capability, has_capability
from kaidan.sales.models import SalesOrder, SalesOrderLine

ORDER_SORT_FIELDS = {"number", "order_date", "gross_amount", "status", "created_at", "requested_date"}


def orders_visible_to(user) -> QuerySet[SalesOrder]:
    if not has_capability(user, Capability.VIEW_ORDERS):
        return SalesOrder.objects.none()
    if has_capability(user, Capability.VIEW_ALL_CUSTOMERS):
        return SalesOrder.objects.all()
    return SalesOrder.objects.filter(Q(customer__owner=user) | Q(salesperson=user))


def order_list(user, *, kind: str | None = None, status: str | None = None, customer_id: int | None = None,
               salesperson_id: int | None = None, date_from: datetime.date | None = None,
               date_to: datetime.date | None = None, q: str | None = None,
               sort: str | None = None) -> QuerySet[SalesOrder]:
    """The documents a user sees, filtered; ``q`` matches the number, the customer PO number or the
    customer's code or name."""
    qs = orders_visible_to(user).select_related("customer", "salesperson")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if salesperson_id:
        qs = qs.filter(salesperson_id=salesperson_id)
    if date_from:
        qs = qs.filter(order_date__gte=date_from)
    if date_to:
        qs = qs.filter(order_date__lte=date_to)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(customer_po__icontains=q) | Q(customer__code__iexact=q)
                       | Q(customer__name__icontains=q) | Q(customer__short_name__icontains=q))
    return apply_sort(qs, sort, allowed=ORDER_SORT_FIELDS, default=["-order_date", "-id"])


def order_detail(user, order_id: int) -> SalesOrder | None:
    """One visible document with what its page and API show; None when missing or not visible."""
    return (orders_visible_to(user)
            .select_related("customer", "contact", "salesperson", "warehouse", "payment_term", "price_list",
                            "quotation", "copied_from", "billing_address", "shipping_address")
            .filter(pk=order_id).first())


def order_lines(order: SalesOrder) -> list[SalesOrderLine]:
    return list(SalesOrderLine.objects.filter(order=order).select_related("product", "unit")
                .order_by("position", "is_free", "id"))


@dataclass
class RateTotal:
    rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal

    @property
    def percent(self) -> Decimal:
        return (self.rate * 100).normalize()


def totals_by_rate(lines: list[SalesOrderLine]) -> list[RateTotal]:
    """Net, VAT and gross per VAT rate: sums of the stored line amounts, so they add up to the header."""
    sums: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    for line in lines:
        s = sums[line.vat_rate]
        s[0] += line.net_amount
        s[1] += line.tax_amount
        s[2] += line.gross_amount
    return [RateTotal(rate, *values) for rate, values in sorted(sums.items())]


def changes_since(order: SalesOrder, version: int) -> list[dict]:
    """What happened to a document after ``version``: for the 409 a stale edit gets."""
    events = (AuditEvent.objects.filter(object_type="sales.salesorder", object_id=str(order.pk))
              .select_related("actor").order_by("-at")[:20])
    result = []
    for event in events:
        after_version = (event.after or {}).get("version")
        if after_version is not None and int(after_version) <= version:
            break
        result.append({"at": event.at.isoformat(), "action": event.action,
                       "by": event.actor.get_username() if event.actor else None,
                       "before": event.before, "after": event.after})
    return result
