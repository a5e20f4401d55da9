"""What the document page and its htmx fragments share: lines grouped with their free lines and
made readable (quantities, unit prices, the price breakdown in words, the stock cell), the totals
block, the message a stale edit shows. Presentation only: every number comes from the services'
stored values or the selectors."""

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
from kaidan.inventory.planning import IN_STOCK, PARTIAL, SHORT
from kaidan.inventory.selectors import LineAvailability
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
            "by_hand": _("Entered by hand"), **stock_labels()}


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
    line.edit_url = f"{lines_url}{line.pk}/"  # urls.py: lines/<line_id>/, .../delete/ and .../replace/
    line.delete_url = f"{lines_url}{line.pk}/delete/"
    line.replace_url = "" if line.is_free else f"{lines_url}{line.pk}/replace/"
    line.stock = None
    return line


# -- stock ------------------------------------------------------------------------------------------

BADGE_CSS = {IN_STOCK: "green", PARTIAL: "blue", SHORT: "red"}


def stock_labels() -> dict[str, str]:
    """The words of the stock cells, translated once per request (a 1,000-line page has many rows)."""
    return {
        IN_STOCK: _("In stock"), PARTIAL: _("Partly in stock"), SHORT: _("Out of stock"),
        f"held_{IN_STOCK}": _("Reserved"), f"held_{PARTIAL}": _("Partly reserved"),
        f"held_{SHORT}": pgettext("stock of an order line", "Backordered"),
        "free_here": _("Free in the order's warehouse"), "free_total": _("Free in all warehouses"),
        "reserved": _("Reserved for this line"), "backordered": _("Still to come"),
        "missing": _("Missing"), "ships_on": _("Can ship on"), "no_supply": _("No supply planned"),
        "substitutes": _("Substitutes in stock"), "replace": _("Replace"),
        "replace_title": _("Put this product on the line instead (priced again)"),
    }


@dataclass
class StockView:
    """What a line's stock cell shows, as ready strings: a badge with a tooltip and, when the line is
    short, the details (promise date, substitutes that can replace it)."""

    badge: str
    css: str
    label: str
    title: str
    held: bool  # a confirmed order's line: what it holds
    available: str
    total: str
    reserved: str = ""
    missing: str = ""  # short now (draft) or still to come (confirmed)
    promise: str = ""  # a date, or "" with no_supply
    no_supply: bool = False
    substitutes: list[dict] = field(default_factory=list)
    replace_url: str = ""

    @property
    def details(self) -> bool:
        return bool(self.missing)


def describe_stock(stock: LineAvailability | None, labels: dict[str, str], replace_url: str = "") -> StockView | None:
    if stock is None:
        return None
    held = stock.reserved is not None
    missing = stock.quantity - stock.reserved if held else stock.short
    view = StockView(
        badge=stock.badge, css=BADGE_CSS.get(stock.badge, "grey"),
        label=labels[f"held_{stock.badge}" if held else stock.badge], held=held,
        available=plain(stock.available), total=plain(stock.available_total),
        reserved=plain(stock.reserved) if held else "", missing=plain(missing) if missing > 0 else "",
        promise=stock.promise_date.isoformat() if missing > 0 and stock.promise_date else "",
        no_supply=missing > 0 and stock.promise_date is None, replace_url=replace_url,
        substitutes=[{"id": s.product.pk, "sku": s.product.sku, "name": s.product.name,
                      "available": plain(s.available)} for s in stock.substitutes], title="")
    parts = [f"{labels['reserved']}: {view.reserved}"] if held else []
    parts += [f"{labels['free_here']}: {view.available}", f"{labels['free_total']}: {view.total}"]
    if view.missing:
        parts.append(f"{labels['backordered' if held else 'missing']}: {view.missing}")
        parts.append(f"{labels['ships_on']}: {view.promise}" if view.promise else labels["no_supply"])
    view.title = " · ".join(parts)
    return view


def attach_stock(lines: list[SalesOrderLine], stock: dict[int, LineAvailability]) -> None:
    """Give each (decorated) line its stock cell."""
    labels = stock_labels()
    for line in lines:
        line.stock = describe_stock(stock.get(line.pk), labels, line.replace_url)


@dataclass
class StockCell:
    """A stock cell re-rendered on its own (the rest of its row unchanged)."""

    key: str
    stock: StockView | None


def stock_cells(order: SalesOrder, rows: list[tuple], stock: dict[int, LineAvailability], *,
                product_ids: set[int], skip: set[int]) -> list[StockCell]:
    """The stock cells of the lines of these products (``rows`` from selectors.line_rows), except the
    ones re-rendered whole: lines of a product share what is free in document order, so one edit
    moves the cells of every line of that product."""
    labels = stock_labels()
    lines_url = reverse("order_line_add", args=[order.pk])
    return [StockCell(str(pk), describe_stock(stock.get(pk), labels, "" if is_free else f"{lines_url}{pk}/replace/"))
            for pk, product_id, _quantity, is_free in rows if product_id in product_ids and pk not in skip]


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
