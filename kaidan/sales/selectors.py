"""Reads of quotations and orders. Every read goes through ``orders_visible_to``: the customers'
record rule (a salesperson sees the documents of their own customers, and the ones they are the
salesperson of)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kaidan.core.models import AuditEvent
from kaidan.core.money import round_money
from kaidan.core.pagination import apply_sort
from kaidan.core.roles import Capability, has_capability
from kaidan.core.selectors import history_panel
from kaidan.inventory import selectors as inventory_selectors
from kaidan.inventory.selectors import LineAvailability
from kaidan.sales.models import SalesOrder, SalesOrderLine
from kaidan.sales.states import FulfilmentStatus, Status

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
               sort: str | None = None, fulfilment: str | None = None) -> QuerySet[SalesOrder]:
    """The documents a user sees, filtered; ``q`` matches the number, the customer PO number or the
    customer's code or name."""
    qs = orders_visible_to(user).select_related("customer", "salesperson")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if fulfilment:
        qs = qs.filter(fulfilment_status=fulfilment)
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


def lines_by_id(order: SalesOrder, line_ids: list[int]) -> list[SalesOrderLine]:
    """These lines of the order with product and unit, in document order (one query)."""
    return list(SalesOrderLine.objects.filter(order=order, pk__in=line_ids).select_related("product", "unit")
                .order_by("position", "is_free", "id"))


# A document's lines show what is free now until its stock is reserved, then what they hold; nothing
# once it is closed, cancelled or converted into an order.
STOCK_FREE_NOW = frozenset({Status.DRAFT, Status.SENT, Status.SUBMITTED, Status.PENDING_APPROVAL})
STOCK_HELD = frozenset({Status.CONFIRMED})


def line_rows(order: SalesOrder) -> list[tuple[int, int, Decimal, bool]]:
    """(id, product id, quantity, is free) of every line in document order: one light query."""
    return list(SalesOrderLine.objects.filter(order=order).order_by("position", "is_free", "id")
                .values_list("pk", "product_id", "quantity", "is_free"))


def line_stock(order: SalesOrder, lines: list | None = None) -> dict[int, LineAvailability]:
    """Stock per line id (free lines too: they ship as well) from the document's warehouse: for a
    document not yet confirmed what could be reserved now, with the badge, promise date and
    substitutes of a short line; for a confirmed order what each line holds and when the rest can
    ship. ``lines``: every line of the document in document order, as objects or ``line_rows``,
    else read with ``line_rows``. A fixed number of queries whatever the number of lines; empty
    when nothing is to be shown."""
    if order.warehouse_id is None or order.status not in STOCK_FREE_NOW | STOCK_HELD:
        return {}
    if lines is None:
        lines = line_rows(order)
    rows = [(line.pk, line.product_id, line.quantity) if isinstance(line, SalesOrderLine) else tuple(line[:3])
            for line in lines]
    if order.status in STOCK_HELD and order.fulfilment_status != FulfilmentStatus.NOT_SHIPPED:
        # What has shipped no longer needs stock: a line shows what is still to ship, and a line
        # shipped in full shows nothing (the shipping panel says so).
        shipped = dict(SalesOrderLine.objects.filter(order=order, shipped_quantity__gt=0)
                       .values_list("pk", "shipped_quantity"))
        rows = [(pk, product_id, quantity - shipped.get(pk, 0)) for pk, product_id, quantity in rows
                if quantity > shipped.get(pk, 0)]
    if not rows:
        return {}
    return inventory_selectors.order_line_stock(order.pk, rows, order.warehouse_id,
                                                confirmed=order.status in STOCK_HELD)


@dataclass
class RateTotal:
    rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal

    @property
    def percent(self) -> Decimal:
        return (self.rate * 100).normalize()


def order_margin(order: SalesOrder) -> tuple[Decimal, Decimal | None]:
    """The order's margin against standard cost and its percent of net (None for a zero net), rounded
    once here so the screen and the API show the same figure."""
    margin = order.net_amount - order.cost_amount
    return margin, round_money(margin * 100 / order.net_amount) if order.net_amount else None


def _sum_by_rate(rows) -> list[RateTotal]:
    sums: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    for rate, net, tax, gross in rows:
        s = sums[rate]
        s[0] += net
        s[1] += tax
        s[2] += gross
    return [RateTotal(rate, *values) for rate, values in sorted(sums.items())]


def totals_by_rate(lines: list[SalesOrderLine]) -> list[RateTotal]:
    """Net, VAT and gross per VAT rate: sums of the stored line amounts, so they add up to the header.
    A free line at zero adds no row (a free product at another rate would add a row of zeros)."""
    return _sum_by_rate((line.vat_rate, line.net_amount, line.tax_amount, line.gross_amount)
                        for line in lines if not (line.is_free and not line.gross_amount))


# Audit keys that are not fields of the order or its lines, as the history panel should name them.
HISTORY_LABELS = {"sku": _("Product"), "quotation_number": _("From quotation"),
                  "copied_from_number": _("Copied from"), "reason": _("Reason")}


def order_history(order: SalesOrder) -> list[dict]:
    """The history panel of a quotation or order, line changes included."""
    panel = history_panel(order, SalesOrderLine)
    for event in panel:
        event["changes"] = [(str(HISTORY_LABELS.get(label, label)), before, after)
                            for label, before, after in event["changes"]]
    return panel


def rate_totals_of(order: SalesOrder) -> list[RateTotal]:
    """``totals_by_rate`` from one light query of the stored amounts (no line objects): for the totals
    block that every one-line edit re-renders."""
    return _sum_by_rate(SalesOrderLine.objects.filter(order=order).exclude(is_free=True, gross_amount=0)
                        .values_list("vat_rate", "net_amount", "tax_amount", "gross_amount"))


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
