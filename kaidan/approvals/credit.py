"""A customer's credit position: exposure, limit (with finance's temporary overrides) and the
receivables the billing app knows.

Exposure = unpaid invoices + confirmed orders not yet invoiced + the order being submitted. Invoices
belong to the billing app, which plugs in with ``register_receivables`` at start; until it does, a
customer has no unpaid and no overdue invoices and exposure is the confirmed-not-invoiced orders.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from kaidan.approvals.models import CreditOverride
from kaidan.parties.models import Customer
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import BillingStatus, Kind, Status

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Receivables:
    unpaid: Decimal = ZERO  # open invoice amounts
    invoiced_on_open_orders: Decimal = ZERO  # already invoiced part of confirmed, partly invoiced orders
    overdue_days: int = 0  # the most overdue unpaid invoice


ReceivablesSource = Callable[[int, datetime.date], Receivables]
_sources: list[ReceivablesSource] = []


def register_receivables(source: ReceivablesSource) -> None:
    """Called by the billing app at start: ``source(customer_id, today)`` → Receivables."""
    if source not in _sources:
        _sources.append(source)


def receivables(customer_id: int, today: datetime.date) -> Receivables:
    found = [source(customer_id, today) for source in _sources]
    return Receivables(unpaid=sum((r.unpaid for r in found), ZERO),
                       invoiced_on_open_orders=sum((r.invoiced_on_open_orders for r in found), ZERO),
                       overdue_days=max((r.overdue_days for r in found), default=0))


def open_order_amount(customer_id: int, *, excluding: int | None = None) -> Decimal:
    """Gross of the customer's confirmed orders that are not fully invoiced."""
    qs = SalesOrder.objects.filter(customer_id=customer_id, kind=Kind.ORDER, status=Status.CONFIRMED).exclude(
        billing_status=BillingStatus.INVOICED)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs.aggregate(total=Sum("gross_amount"))["total"] or ZERO


def active_overrides(customer_id: int, today: datetime.date):
    return CreditOverride.objects.filter(customer_id=customer_id, revoked_at__isnull=True, expires_on__gte=today)


@dataclass(frozen=True)
class CreditPosition:
    limit: Decimal  # the customer's own limit, 0 = none set
    extra: Decimal  # from active overrides
    unlimited: bool  # an active override without an amount
    unpaid: Decimal
    open_orders: Decimal
    overdue_days: int

    @property
    def effective_limit(self) -> Decimal:
        return self.limit + self.extra if self.limit > 0 else ZERO

    def exposure_with(self, amount: Decimal) -> Decimal:
        return self.unpaid + self.open_orders + amount

    def exceeded_by(self, amount: Decimal) -> Decimal:
        if self.limit <= 0 or self.unlimited:
            return ZERO
        return max(self.exposure_with(amount) - self.effective_limit, ZERO)


def position(customer: Customer, *, excluding_order: int | None = None,
             today: datetime.date | None = None) -> CreditPosition:
    today = today or timezone.localdate()
    owed = receivables(customer.pk, today)
    overrides = list(active_overrides(customer.pk, today).values_list("amount", flat=True))
    return CreditPosition(
        limit=customer.credit_limit,
        extra=sum((a for a in overrides if a is not None), ZERO),
        unlimited=any(a is None for a in overrides),
        unpaid=owed.unpaid,
        open_orders=open_order_amount(customer.pk, excluding=excluding_order) - owed.invoiced_on_open_orders,
        overdue_days=owed.overdue_days,
    )


def has_earlier_order(customer_id: int, *, excluding: int) -> bool:
    return (SalesOrder.objects.filter(customer_id=customer_id, kind=Kind.ORDER)
            .filter(Q(status=Status.CONFIRMED) | Q(status=Status.CLOSED)).exclude(pk=excluding).exists())
