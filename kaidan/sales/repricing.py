"""Re-pricing a draft: feed its lines to the price engine and write the results back.

Lines are priced together (a threshold discount is shared by all lines), but only the lines whose
numbers changed are written, so editing one line of a 1,000-line order writes that line (and the
others only when an order-level discount moved their share). Free lines (buy X get Y) are kept in
step with the promotions that earn them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kaidan.pricing import engine
from kaidan.pricing import selectors as pricing_selectors
from kaidan.sales.models import SalesOrder, SalesOrderLine
from kaidan.sales.validation import Errors, percent_text

# What the engine writes on a line, and what the user writes; a line is rewritten only when one of
# these changed (the breakdown follows the numbers: it is rewritten whenever they change).
NUMBER_FIELDS = ["list_price", "unit_price", "price_source", "promotion_discount", "manual_discount",
                 "allocated_discount", "net_amount", "tax_amount", "gross_amount", "vat_rate", "cost_amount"]
PRICED_FIELDS = [*NUMBER_FIELDS, "breakdown"]
INPUT_FIELDS = ["product_id", "unit_id", "quantity", "discount_percent", "manual_unit_price", "description",
                "requested_date", "position"]


def line_key(line: SalesOrderLine) -> str:
    if getattr(line, "_key", None) is None:
        line._key = str(line.pk) if line.pk else f"new{id(line)}"
    return line._key


def steps_json(steps: list[engine.Step]) -> list[dict]:
    return [{"code": s.code, "amount": str(s.amount), "params": dict(s.params)} for s in steps]


def price_lines(order: SalesOrder, lines: list[SalesOrderLine]) -> engine.PricedOrder:
    """Run the engine over the order's non-free lines."""
    facts = pricing_selectors.product_facts_by_id({line.product_id for line in lines})
    ctx = pricing_selectors.pricing_context(
        customer=order.customer, date=order.price_date or order.order_date, currency=order.currency,
        prices_include_tax=order.prices_include_tax, product_ids=facts,
        preferred_price_list_id=order.price_list_id)
    requests = [engine.LineRequest(key=line_key(line), product=facts[line.product_id], quantity=line.quantity,
                                   discount_percent=line.discount_percent, unit_price=line.manual_unit_price)
                for line in lines]
    return engine.price_order(requests, ctx)


def _apply(line: SalesOrderLine, priced: engine.PricedLine, *, force: bool = False) -> bool:
    """Copy the engine's numbers (and, when they changed, the breakdown) onto the line; True when
    the numbers changed. New lines always get everything."""
    values = {
        "list_price": priced.list_price, "unit_price": priced.unit_price, "price_source": priced.price_source,
        "promotion_discount": priced.promotion_discount, "manual_discount": priced.manual_discount,
        "allocated_discount": priced.allocated_discount, "net_amount": priced.net, "tax_amount": priced.tax,
        "gross_amount": priced.gross, "vat_rate": priced.vat_rate, "cost_amount": priced.cost,
    }
    changed = force or line.pk is None
    for name, value in values.items():
        if getattr(line, name) != value:
            setattr(line, name, value)
            changed = True
    if changed:
        line.breakdown = steps_json(priced.steps)
    return changed


def check_manual_reductions(priced: engine.PricedOrder, positions: dict[str, int], *, actor,
                            keys: set[str], errors: Errors) -> None:
    """A manual price plus discount must not take a line further below the engine's price than the
    actor's limit; only the lines the actor changed (``keys``) are checked, and the limit is looked
    up only when some line has a reduction at all."""
    limit = None
    for line in priced.lines:
        if line.is_free or line.key not in keys:
            continue
        reduction = engine.manual_reduction_percent(line)
        if reduction <= 0:
            continue
        limit = pricing_selectors.discount_limit_for(actor) if limit is None else limit
        if reduction > limit:
            field = "unit_price" if line.price_source == "manual" else "discount_percent"
            errors.add(f"lines.{positions[line.key]}.{field}",
                       _("This price is %(reduction)s%% below the price list, above your limit of %(limit)s%%; "
                         "ask a sales manager to give it or to approve it.")
                       % {"reduction": percent_text(reduction), "limit": percent_text(limit)})


def apply_prices(order: SalesOrder, lines: list[SalesOrderLine], priced: engine.PricedOrder,
                 existing_free: list[SalesOrderLine]):
    """Write the priced numbers onto ``lines`` and the header; returns (saved lines whose numbers
    changed, free lines whose numbers or quantity changed, free lines to create, free lines to delete).
    Nothing is saved here."""
    by_key = {line_key(line): line for line in lines}
    changed: list[SalesOrderLine] = []
    free_wanted: dict[tuple[str, str], engine.PricedLine] = {}
    for p in priced.lines:
        if p.is_free:
            promo = p.key.rsplit(":", 1)[-1]
            free_wanted[(p.free_for_key, promo)] = p
            continue
        line = by_key[p.key]
        if _apply(line, p) and line.pk:
            changed.append(line)
    free_create, free_delete, free_changed = [], [], []
    for free in existing_free:
        key = (str(free.free_for_id), free.promotion_key)
        wanted = free_wanted.get(key)
        if wanted is None or wanted.product_id != free.product_id:
            free_delete.append(free)  # a free product that changed is a new free line
            continue
        del free_wanted[key]
        moved = (free.quantity, free.position) != (wanted.quantity, by_key[key[0]].position)
        free.quantity, free.position = wanted.quantity, by_key[key[0]].position
        if _apply(free, wanted, force=moved):
            free_changed.append(free)
    for (parent_key, promo), wanted in free_wanted.items():
        parent = by_key[parent_key]
        free_create.append(SalesOrderLine(
            order=order, position=parent.position, product_id=wanted.product_id, quantity=wanted.quantity,
            unit_id=None, is_free=True, free_for=parent, promotion_key=promo,
            description=_promotion_name(wanted)[:400]))  # the screen and PDF say "free" in the reader's language
        _apply(free_create[-1], wanted)
    order.net_amount, order.tax_amount, order.gross_amount = priced.net, priced.tax, priced.gross
    order.discount_amount, order.cost_amount = priced.discount, priced.cost
    order.line_count = len(lines)
    return changed, free_changed, free_create, free_delete


def _promotion_name(line: engine.PricedLine) -> str:
    for step in line.steps:
        if step.code == "free_item":
            return step.params.get("name", "")
    return ""


