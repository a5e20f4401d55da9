"""Checks of what a user sends for a quotation or order: every problem is collected and reported
by field ("customer_id", "lines.3.quantity"), so one answer lists them all and nothing is saved.

Values may arrive as strings (forms, JSON) or as Python values (services called in-process)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kaidan.catalog.models import Product
from kaidan.core.money import plain_number
from kaidan.core.parsing import Errors, parse_date, parse_decimal  # noqa: F401  (re-exported)
from kaidan.pricing.selectors import discount_limit_for

MAX_LINES = 2000  # documented in the README and the API: larger orders are split
MAX_QUANTITY = Decimal("1000000000")
LINE_FIELDS = {"id", "product_id", "description", "quantity", "unit_price", "discount_percent", "requested_date"}


def percent_text(value: Decimal) -> str:
    """12.50 → "12.5", 10.00 → "10" (never "1E+1")."""
    return plain_number(value)


@dataclass
class LineInput:
    """One checked line: what the salesperson chose, before pricing."""

    product: Product
    quantity: Decimal
    discount_percent: Decimal
    unit_price: Decimal | None
    description: str
    requested_date: datetime.date | None
    id: int | None = None


def check_lines(raw_lines: list[dict[str, Any]], *, actor, errors: Errors, prefix: str = "lines",
                products: dict[int, Product] | None = None) -> list[LineInput]:
    """Check every line; products are loaded in one query unless given. Errors name ``lines.N.field``
    (N counts from 0, as in the request)."""
    if len(raw_lines) > MAX_LINES:
        errors.add(prefix, _("An order has at most %(max)d lines; split it into several orders.") % {"max": MAX_LINES})
        return []
    if products is None:
        ids = {r.get("product_id") for r in raw_lines if isinstance(r.get("product_id"), int)}
        products = {p.pk: p for p in Product.objects.filter(pk__in=ids).select_related("unit")}
    limit = None
    result = []
    for index, raw in enumerate(raw_lines):
        where = f"{prefix}.{index}"
        for name in sorted(set(raw) - LINE_FIELDS):
            errors.add(f"{where}.{name}", _("Unknown field."))
        product = products.get(raw.get("product_id")) if isinstance(raw.get("product_id"), int) else None
        if product is None:
            errors.add(f"{where}.product_id", _("Choose a product that exists."))
        elif not product.active:
            errors.add(f"{where}.product_id", _("Product %(sku)s is no longer sold.") % {"sku": product.sku})
            product = None
        quantity = parse_decimal(raw.get("quantity"), places=4, errors=errors, field=f"{where}.quantity",
                                 above=Decimal(0), maximum=MAX_QUANTITY)
        if product is not None and quantity is not None and not product.unit.allow_fraction \
                and quantity != quantity.to_integral_value():
            errors.add(f"{where}.quantity", _("“%(unit)s” is counted in whole numbers.") % {"unit": product.unit.name})
            quantity = None
        discount = parse_decimal(raw.get("discount_percent") or "0", places=2, errors=errors,
                                 field=f"{where}.discount_percent", minimum=Decimal(0), maximum=Decimal(100))
        if discount:
            limit = discount_limit_for(actor) if limit is None else limit
            if discount > limit:
                errors.add(f"{where}.discount_percent",
                           _("A discount of %(discount)s%% is above your limit of %(limit)s%%; ask a sales manager "
                             "to give it or to approve it.") % {"discount": percent_text(discount),
                                                                "limit": percent_text(limit)})
                discount = None
        unit_price = None
        if raw.get("unit_price") not in (None, ""):
            unit_price = parse_decimal(raw.get("unit_price"), places=4, errors=errors, field=f"{where}.unit_price",
                                       minimum=Decimal(0), maximum=Decimal("9999999999"))
        description = str(raw.get("description") or "").strip()
        if len(description) > 400:
            errors.add(f"{where}.description", _("Enter at most 400 characters."))
        requested = parse_date(raw.get("requested_date"), errors=errors, field=f"{where}.requested_date")
        if product is not None and quantity is not None and discount is not None:
            result.append(LineInput(product=product, quantity=quantity, discount_percent=discount,
                                    unit_price=unit_price, description=description[:400], requested_date=requested,
                                    id=raw.get("id") if isinstance(raw.get("id"), int) else None))
    return result
