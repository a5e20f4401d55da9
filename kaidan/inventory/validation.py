"""Checks of what a user sends for receipts, adjustments, transfers, replenishment and reorder
rules: every problem reported by field ("warehouse_id", "lines.2.quantity"), nothing saved."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kaidan.catalog.models import Product
from kaidan.core.parsing import Errors, parse_decimal, parse_id
from kaidan.inventory.models import Warehouse

MAX_LINES = 2000
MAX_QUANTITY = Decimal("1000000000")
TEXT_LIMITS = {"supplier": 200, "reference": 60, "reason": 200, "notes": 2000, "purchase_reference": 60}


@dataclass
class ItemInput:
    """One checked line: a product and a quantity (signed for adjustments) or a counted quantity."""

    product: Product
    quantity: Decimal | None = None
    counted: Decimal | None = None


def check_fields(data: dict[str, Any], allowed: set[str], errors: Errors) -> None:
    for name in sorted(set(data) - allowed):
        errors.add(name, _("Unknown field."))


def check_text(data: dict[str, Any], name: str, errors: Errors, *, required: bool = False,
               limit: int | None = None) -> str:
    value = str(data.get(name) or "").strip()
    limit = limit or TEXT_LIMITS[name]
    if len(value) > limit:
        errors.add(name, _("Enter at most %(max)d characters.") % {"max": limit})
    elif required and not value:
        errors.add(name, _("This field is required."))
    return value[:limit]


def check_id(value: Any, errors: Errors, field: str) -> int | None:
    """A required id (see ``parse_id``)."""
    return parse_id(value, errors, field, required=True)


def check_warehouse(data: dict[str, Any], errors: Errors, field: str = "warehouse_id") -> Warehouse | None:
    pk = check_id(data.get(field), errors, field)
    if pk is None:
        return None
    warehouse = Warehouse.objects.filter(pk=pk, active=True).first()
    if warehouse is None:
        errors.add(field, _("Choose an active warehouse."))
    return warehouse


def check_quantity(value: Any, product: Product | None, errors: Errors, field: str, *,
                   signed: bool = False, allow_zero: bool = False) -> Decimal | None:
    """A quantity with at most 4 decimals, whole where the product's unit is counted in whole
    numbers; positive unless ``signed`` (adjustments), zero only when ``allow_zero`` (a count)."""
    if signed:
        quantity = parse_decimal(value, places=4, errors=errors, field=field, minimum=-MAX_QUANTITY,
                                 maximum=MAX_QUANTITY)
        if quantity == 0:
            errors.add(field, _("Enter a quantity other than 0."))
            return None
    elif allow_zero:
        quantity = parse_decimal(value, places=4, errors=errors, field=field, minimum=Decimal(0), maximum=MAX_QUANTITY)
    else:
        quantity = parse_decimal(value, places=4, errors=errors, field=field, above=Decimal(0), maximum=MAX_QUANTITY)
    if quantity is not None and product is not None and not product.unit.allow_fraction \
            and quantity != quantity.to_integral_value():
        errors.add(field, _("“%(unit)s” is counted in whole numbers.") % {"unit": product.unit.name})
        return None
    return quantity


def check_product(value: Any, products: dict[int, Product], errors: Errors, field: str) -> Product | None:
    product = products.get(value) if isinstance(value, int) and not isinstance(value, bool) else None
    if product is None and isinstance(value, str) and value.isdigit():
        product = products.get(int(value))
    if product is None:
        errors.add(field, _("Choose a product that exists."))
    return product


def load_products(ids: Any) -> dict[int, Product]:
    wanted = set()
    for value in ids:
        if isinstance(value, bool):
            continue
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            if 0 < int(value) < 2**63:
                wanted.add(int(value))
    return {p.pk: p for p in Product.objects.filter(pk__in=wanted).select_related("unit")}


def check_items(raw: Any, errors: Errors, *, signed: bool = False, counted: bool = False) -> list[ItemInput]:
    """The lines of a receipt or transfer (product, quantity > 0) or of an adjustment (product and a
    signed ``quantity`` to add or remove, or the ``counted`` quantity of a stocktake)."""
    if not isinstance(raw, list) or not raw:
        errors.add("lines", _("Add at least one line."))
        return []
    if len(raw) > MAX_LINES:
        errors.add("lines", _("At most %(max)d lines per document.") % {"max": MAX_LINES})
        return []
    allowed = {"product_id", "quantity"} | ({"counted"} if counted else set())
    products = load_products(item.get("product_id") for item in raw if isinstance(item, dict))
    items = []
    for index, item in enumerate(raw):
        where = f"lines.{index}"
        if not isinstance(item, dict):
            errors.add(where, _("Each line needs a product and a quantity."))
            continue
        for name in sorted(set(item) - allowed):
            errors.add(f"{where}.{name}", _("Unknown field."))
        product = check_product(item.get("product_id"), products, errors, f"{where}.product_id")
        has_count = counted and item.get("counted") not in (None, "")
        if has_count and item.get("quantity") not in (None, ""):
            errors.add(f"{where}.quantity", _("Give either the change or the counted quantity, not both."))
            continue
        if has_count:
            value = check_quantity(item["counted"], product, errors, f"{where}.counted", allow_zero=True)
            if product is not None and value is not None:
                items.append(ItemInput(product, counted=value))
            continue
        value = check_quantity(item.get("quantity"), product, errors, f"{where}.quantity", signed=signed)
        if product is not None and value is not None:
            items.append(ItemInput(product, quantity=value))
    return items
