"""What the document page and its htmx fragments share: lines grouped with their free lines and
made readable (quantities, unit prices, the price breakdown in words), the totals block, the
message a stale edit shows. Presentation only: every number comes from the services' stored values."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from kaidan.core.audit import action_label
from kaidan.core.errors import DomainError, StaleEdit, ValidationFailed
from kaidan.core.money import format_money, plain_number
from kaidan.core.roles import Capability, has_capability
from kaidan.pricing import engine, explain
from kaidan.pricing.selectors import can_see_cost
from kaidan.sales import selectors, states
from kaidan.sales.models import SalesOrder, SalesOrderLine

LINE_INPUTS = ("quantity", "discount_percent", "unit_price")


def plain(value: Decimal | None) -> str:
    """A quantity or percent as people write it: 2, 2.5, 0.125 (no exponent, no trailing zeros)."""
    return "" if value is None else plain_number(value)


def describe_steps(breakdown: list[dict], currency: str) -> list[str]:
    """The stored breakdown of a line in words, one sentence per engine step."""
    sentences = []
    for raw in breakdown or []:
        try:
            step = engine.Step(str(raw["code"]), Decimal(str(raw.get("amount", "0"))), dict(raw.get("params") or {}))
            sentences.append(explain.describe(step, currency))
        except (KeyError, ArithmeticError, ValueError, TypeError):
            sentences.append(str(raw.get("code", "?")) if isinstance(raw, dict) else "?")
    return sentences


def row_labels() -> dict[str, str]:
    """The words every line row repeats, translated once per request (a 1,000-line page has many rows)."""
    return {"quantity": _("Quantity"), "discount": _("Discount %"), "price_entered": _("Price entered"),
            "remove": _("Remove this line"), "free": _("Free"), "from_list": _("From the price list"),
            "by_hand": _("Entered by hand")}


def decorate(line: SalesOrderLine, order: SalesOrder, lines_url: str = "") -> SalesOrderLine:
    """Attach what the row shows, as ready strings: plain numbers, the unit price, the amount in the
    order's price mode, the margin, the breakdown in words and the row's URLs."""
    currency = order.currency
    line.key = str(line.pk)
    line.quantity_text = plain(line.quantity)
    line.discount_text = plain(line.discount_percent) if line.discount_percent else ""
    line.manual_price_text = plain(line.manual_unit_price)
    line.unit_price_text = explain.format_unit_price(line.unit_price, currency)
    line.engine_price_text = plain(line.unit_price) if line.manual_unit_price is None else ""
    line.price_note = {"price_list": pgettext("price from a price list", "list"),
                       "manual": pgettext("price entered by hand", "manual")}.get(line.price_source, "")
    line.amount_text = format_money(line.gross_amount if order.prices_include_tax else line.net_amount, currency)
    line.margin = line.net_amount - line.cost_amount
    line.margin_text = format_money(line.margin, currency)
    line.vat_text = f"{plain((line.vat_rate * 100).normalize())}%" if line.vat_rate is not None else ""
    line.steps_text = describe_steps(line.breakdown, currency)
    count = len(line.steps_text)
    line.steps_label = _("Free item") if line.is_free else ngettext("%(n)d step", "%(n)d steps", count) % {"n": count}
    line.edit_url = f"{lines_url}{line.pk}/"  # urls.py: lines/<line_id>/ and lines/<line_id>/delete/
    line.delete_url = f"{lines_url}{line.pk}/delete/"
    return line


@dataclass
class LineGroup:
    """A line the salesperson entered and the free lines its promotions gave (one <tbody> each)."""

    line: SalesOrderLine
    free: list[SalesOrderLine] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.line.pk


def group_lines(lines: list[SalesOrderLine], order: SalesOrder) -> list[LineGroup]:
    groups: dict[int, LineGroup] = {}
    free: list[SalesOrderLine] = []
    lines_url = reverse("order_line_add", args=[order.pk])
    for line in lines:
        decorate(line, order, lines_url)
        if line.is_free:
            free.append(line)
        else:
            groups[line.pk] = LineGroup(line)
    for line in free:
        if line.free_for_id in groups:
            groups[line.free_for_id].free.append(line)
    return sorted(groups.values(), key=lambda g: (g.line.position, g.line.pk))


def load_groups(order: SalesOrder, parent_ids: set[int]) -> list[LineGroup]:
    """The groups of these parent lines, read again in one query (after a service wrote them)."""
    if not parent_ids:
        return []
    lines = list(SalesOrderLine.objects.filter(order=order).filter(Q(pk__in=parent_ids) | Q(free_for_id__in=parent_ids))
                 .select_related("product", "unit").order_by("position", "is_free", "id"))
    return group_lines(lines, order)


def totals_context(order: SalesOrder, user, by_rate=None) -> dict:
    see_cost = can_see_cost(user)
    margin, percent = selectors.order_margin(order)
    return {"by_rate": selectors.rate_totals_of(order) if by_rate is None else by_rate, "see_cost": see_cost,
            "order_margin": margin if see_cost else None, "order_margin_percent": percent if see_cost else None}


def editable_for(order: SalesOrder, user) -> bool:
    return states.is_editable(order.status) and has_capability(user, Capability.CHANGE_ORDERS)


def stale_changes(exc: StaleEdit) -> list[dict]:
    """What changed since the user's version, readable: action, who, when."""
    result = []
    for change in exc.detail.get("changes") or []:
        at = parse_datetime(str(change.get("at") or ""))
        result.append({"action": action_label(str(change.get("action") or "")), "by": change.get("by") or "—",
                       "at": timezone.localtime(at) if at else None})
    return result


def error_text(exc: DomainError) -> str:
    """One sentence for a message banner (field errors joined)."""
    if isinstance(exc, ValidationFailed) and exc.fields:
        return " ".join(message for messages in exc.fields.values() for message in messages)
    if isinstance(exc, StaleEdit):
        changes = stale_changes(exc)
        described = "; ".join(_("%(action)s by %(by)s at %(at)s") % {
            "action": c["action"], "by": c["by"], "at": c["at"].strftime("%Y-%m-%d %H:%M:%S") if c["at"] else "?"}
            for c in changes)
        return f"{exc.message} {described}".strip()
    return str(exc.message)
