"""Writes of quotations and orders: create, edit (header and lines, re-priced), and the lines of a
draft one at a time. Each is one transaction: lock the document, check its version and state,
check the input, price, write, audit. State changes (submit, confirm, revise...) are in
transitions.py."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kaidan.catalog.models import Product
from kaidan.core import audit, numbering
from kaidan.core.errors import Forbidden, InvalidTransition, NotFound, StaleEdit, ValidationFailed
from kaidan.core.roles import Capability, has_capability
from kaidan.sales import header, locks, repricing, states
from kaidan.sales.models import SalesOrder, SalesOrderLine
from kaidan.sales.selectors import changes_since, orders_visible_to
from kaidan.sales.validation import MAX_LINES, Errors, LineInput, check_lines

SERIES = {states.Kind.ORDER: "sales_order", states.Kind.QUOTATION: "quotation"}


def _require_change(actor) -> None:
    if not has_capability(actor, Capability.CHANGE_ORDERS):
        raise Forbidden()


def locked_visible_order(actor, order_id: int) -> SalesOrder:
    """Lock the document and make sure the actor may see it (NotFound otherwise, so nothing leaks)."""
    order = locks.lock_order(order_id)
    if order is None or not orders_visible_to(actor).filter(pk=order_id).exists():
        raise NotFound()
    return order


def check_version(order: SalesOrder, version: int | None) -> None:
    """Refuse an edit made on an older version; the 409 says what changed since."""
    if version is not None and version != order.version:
        raise StaleEdit(current_version=order.version, changes=changes_since(order, version))


def check_editable(order: SalesOrder) -> None:
    if not states.is_editable(order.status):
        raise InvalidTransition(current=states.Status(order.status).label, target=states.Status.DRAFT.label)


def _line_from_input(order: SalesOrder, item: LineInput, position: int, line: SalesOrderLine | None = None):
    line = line or SalesOrderLine(order=order)
    line.position, line.product, line.unit_id = position, item.product, item.product.unit_id
    line.quantity, line.discount_percent, line.manual_unit_price = item.quantity, item.discount_percent, item.unit_price
    line.description = item.description or _default_description(item.product)
    line.requested_date = item.requested_date
    return line


def _inputs(line: SalesOrderLine) -> tuple:
    """What the user controls on a line; the first four decide its price."""
    return (line.product_id, line.quantity, line.discount_percent, line.manual_unit_price, line.description,
            line.requested_date, line.position)


def _default_description(product: Product) -> str:
    return " ".join(p for p in [product.name, product.spec, product.model] if p)[:400]


def _price(order: SalesOrder, lines: list[SalesOrderLine], free: list[SalesOrderLine], *, actor,
           touched: set[str], positions: dict[str, int], errors: Errors) -> tuple:
    """Price every line and check the manual reductions of the touched lines; writes the numbers onto
    the line objects and the header, saves nothing. Returns what ``_persist`` needs."""
    priced = repricing.price_lines(order, lines)
    if touched:
        repricing.check_manual_reductions(priced, positions, actor=actor, keys=touched, errors=errors)
    errors.raise_if_any()
    return repricing.apply_prices(order, lines, priced, free)


def _persist(lines: list[SalesOrderLine], changes: tuple, *, dirty: list[SalesOrderLine] = (),
             dirty_fields: list[str] = repricing.INPUT_FIELDS) -> list[SalesOrderLine]:
    """Write new lines, the inputs of ``dirty`` lines, the changed numbers and the free lines; returns
    every line written, for htmx to re-render."""
    changed, free_changed, free_create, free_delete = changes
    new_lines = [line for line in lines if line.pk is None]
    if new_lines:
        SalesOrderLine.objects.bulk_create(new_lines)
    if dirty:
        SalesOrderLine.objects.bulk_update(dirty, dirty_fields, batch_size=500)
    if changed:
        SalesOrderLine.objects.bulk_update(changed, repricing.PRICED_FIELDS, batch_size=500)
    if free_changed:
        SalesOrderLine.objects.bulk_update(free_changed, [*repricing.PRICED_FIELDS, "quantity", "position"],
                                           batch_size=500)
    if free_delete:
        SalesOrderLine.objects.filter(pk__in=[f.pk for f in free_delete]).delete()
    if free_create:
        units = dict(Product.objects.filter(pk__in={f.product_id for f in free_create}).values_list("pk", "unit_id"))
        for f in free_create:
            f.unit_id, f.free_for_id = units[f.product_id], f.free_for.pk
        SalesOrderLine.objects.bulk_create(free_create)
    return list({id(line): line for line in [*new_lines, *dirty, *changed, *free_changed, *free_create]}.values())


def _reprice_and_save(order: SalesOrder, lines: list[SalesOrderLine], free: list[SalesOrderLine], *, actor,
                      touched: set[str], positions: dict[str, int], errors: Errors,
                      dirty: list[SalesOrderLine] = (),
                      dirty_fields: list[str] = repricing.INPUT_FIELDS) -> list[SalesOrderLine]:
    """Price (``_price``) and write what changed (``_persist``) on a saved document."""
    changes = _price(order, lines, free, actor=actor, touched=touched, positions=positions, errors=errors)
    return _persist(lines, changes, dirty=dirty, dirty_fields=dirty_fields)


def _save_header(order: SalesOrder, actor) -> None:
    order.version += 1
    order.last_edited_by = actor
    order.save()


@transaction.atomic
def create_document(*, actor, kind: str = states.Kind.ORDER, data: dict[str, Any],
                    lines: list[dict[str, Any]] | None = None, quotation: SalesOrder | None = None,
                    copied_from: SalesOrder | None = None) -> SalesOrder:
    """Create a draft quotation or order with its lines, priced. Raises Forbidden, ValidationFailed."""
    _require_change(actor)
    if kind not in SERIES:
        raise ValidationFailed.for_field("kind", _("Choose quotation or order."))
    errors = Errors()
    order = SalesOrder(kind=kind, salesperson=actor, created_by=actor, last_edited_by=actor, quotation=quotation,
                       copied_from=copied_from)
    header.apply_header(order, data, actor=actor, errors=errors, creating=True)
    checked = check_lines(lines or [], actor=actor, errors=errors)
    errors.raise_if_any()
    order.price_date = quotation.price_date or quotation.order_date if quotation else order.order_date
    new = [_line_from_input(order, item, index + 1) for index, item in enumerate(checked)]
    positions = {repricing.line_key(line): i for i, line in enumerate(new)}
    changes = _price(order, new, [], actor=actor, touched=set(positions), positions=positions, errors=errors)
    order.number = numbering.next_number(SERIES[kind], on=order.order_date)
    order.save()
    _persist(new, changes)
    audit.record(order, "created", actor=actor, after=header.snapshot(order))
    return order


@transaction.atomic
def update_document(*, actor, order_id: int, version: int, data: dict[str, Any],
                    lines: list[dict[str, Any]] | None = None) -> SalesOrder:
    """Edit a draft's header and, when ``lines`` is given, its lines (a line with an ``id`` is kept and
    updated, one without is added, a missing one is removed), then re-price.
    Raises NotFound, Forbidden, StaleEdit, InvalidTransition, ValidationFailed."""
    _require_change(actor)
    order = locked_visible_order(actor, order_id)
    check_version(order, version)
    check_editable(order)
    before = header.snapshot(order)
    errors = Errors()
    header.apply_header(order, data, actor=actor, errors=errors, creating=False)
    if order.quotation_id is None:
        order.price_date = order.order_date  # rules as of the order date (an order from a quotation keeps its)
    existing = locks.lock_lines(order.pk)
    regular = [line for line in existing if not line.is_free]
    free = [line for line in existing if line.is_free]
    touched: set[str] = set()
    positions: dict[str, int] = {}
    dirty: list[SalesOrderLine] = []
    if lines is not None:
        by_id = {line.pk: line for line in regular}
        checked = check_lines(lines, actor=actor, errors=errors)
        for index, item in enumerate(checked):
            if item.id is not None and item.id not in by_id:
                errors.add(f"lines.{index}.id", _("This line is not on this document."))
        errors.raise_if_any()
        kept_ids = {item.id for item in checked if item.id is not None}
        removed = [line for line in regular if line.pk not in kept_ids]
        new_regular = []
        for index, item in enumerate(checked):
            line = by_id.get(item.id)
            old = _inputs(line) if line else None
            line = _line_from_input(order, item, index + 1, line)
            if old is None or old[:4] != _inputs(line)[:4]:
                touched.add(repricing.line_key(line))
            if old is not None and old != _inputs(line):
                dirty.append(line)
            positions[repricing.line_key(line)] = index
            new_regular.append(line)
        if removed:
            # free lines of removed lines go with them (CASCADE)
            SalesOrderLine.objects.filter(pk__in=[line.pk for line in removed]).delete()
            free = [f for f in free if f.free_for_id not in {line.pk for line in removed}]
        regular = new_regular
    _reprice_and_save(order, regular, free, actor=actor, touched=touched, positions=positions, errors=errors,
                      dirty=dirty)
    after = header.snapshot(order)
    if after != before or lines is not None:
        _save_header(order, actor)
        audit.record(order, "updated", actor=actor, before=before, after=header.snapshot(order))
    return order



def _single_line_errors(errors: Errors) -> Errors:
    """One-line edits name fields plainly ("quantity"), not "lines.0.quantity"."""
    plain = Errors()
    for name, messages in errors.fields.items():
        for message in messages:
            plain.add(name.removeprefix("lines.0."), message)
    return plain


@transaction.atomic
def save_line(*, actor, order_id: int, version: int, data: dict[str, Any],
              line_id: int | None = None) -> tuple[SalesOrder, list[SalesOrderLine]]:
    """Add a line to a draft (``line_id`` None, appended) or change one; the whole document is re-priced
    and only the lines whose numbers changed are written. Returns the order and the written lines.
    Raises NotFound, Forbidden, StaleEdit, InvalidTransition, ValidationFailed."""
    _require_change(actor)
    order = locked_visible_order(actor, order_id)
    check_version(order, version)
    check_editable(order)
    existing = locks.lock_lines(order.pk, light=True)
    regular = [line for line in existing if not line.is_free]
    free = [line for line in existing if line.is_free]
    line = None
    keeps_description = "description" in data
    if line_id is not None:
        line = next((x for x in regular if x.pk == line_id), None)
        if line is None:
            raise NotFound()
        data = {"product_id": line.product_id, "quantity": line.quantity, "discount_percent": line.discount_percent,
                "unit_price": line.manual_unit_price, "description": line.description,
                "requested_date": line.requested_date, **data}
    elif len(regular) >= MAX_LINES:
        raise ValidationFailed.for_field("product_id", _("An order has at most %(max)d lines; split it into several "
                                                         "orders.") % {"max": MAX_LINES})
    raw_errors = Errors()
    checked = check_lines([data], actor=actor, errors=raw_errors)
    errors = _single_line_errors(raw_errors)
    errors.raise_if_any()
    before = _line_snapshot(line) if line else None
    old = _inputs(line) if line else None
    if line is not None and data.get("product_id") != old[0] and not keeps_description:
        checked[0].description = ""
    line = _line_from_input(order, checked[0], line.position if line else len(regular) + 1, line)
    if line.pk is None:
        regular.append(line)
    key = repricing.line_key(line)
    touched = {key} if old is None or old[:4] != _inputs(line)[:4] else set()
    try:
        written = _reprice_and_save(order, regular, free, actor=actor, touched=touched, positions={key: 0},
                                    errors=Errors(), dirty=[line] if line.pk else [])
    except ValidationFailed as exc:
        raise ValidationFailed({k.removeprefix("lines.0."): v for k, v in exc.fields.items()}) from None
    old_version = order.version
    _save_header(order, actor)
    audit.record(order, "lines_changed", actor=actor, before={**(before or {}), "version": old_version},
                 after={**_line_snapshot(line), "version": order.version})
    return order, written


@transaction.atomic
def remove_line(*, actor, order_id: int, version: int, line_id: int) -> tuple[SalesOrder, list[SalesOrderLine]]:
    """Remove a line (and its free lines) from a draft; later lines move up; the rest is re-priced.
    Raises NotFound, Forbidden, StaleEdit, InvalidTransition."""
    _require_change(actor)
    order = locked_visible_order(actor, order_id)
    check_version(order, version)
    check_editable(order)
    existing = locks.lock_lines(order.pk, light=True)
    line = next((x for x in existing if x.pk == line_id and not x.is_free), None)
    if line is None:
        raise NotFound()
    regular = [x for x in existing if not x.is_free and x.pk != line_id]
    free = [x for x in existing if x.is_free and x.free_for_id != line_id]
    before = _line_snapshot(line)
    line.delete()
    moved = []
    for x in regular:
        if x.position > before["position"]:
            x.position -= 1
            moved.append(x)
    written = _reprice_and_save(order, regular, free, actor=actor, touched=set(), positions={}, errors=Errors(),
                                dirty=moved, dirty_fields=["position"])
    old_version = order.version
    _save_header(order, actor)
    audit.record(order, "lines_changed", actor=actor, before={**before, "version": old_version},
                 after={"version": order.version})
    return order, written


def _line_snapshot(line: SalesOrderLine) -> dict:
    return {"position": line.position, "sku": line.product.sku, "quantity": str(line.quantity),
            "discount_percent": str(line.discount_percent),
            "unit_price": str(line.manual_unit_price) if line.manual_unit_price is not None else None,
            "description": line.description,
            "requested_date": line.requested_date.isoformat() if line.requested_date else None}
