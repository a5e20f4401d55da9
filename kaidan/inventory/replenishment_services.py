"""The purchasing board and reorder rules: ask for stock by hand, mark a request ordered (with its
expected date, which feeds promise dates), receive it (posting the goods receipt), cancel it; and
keep min/max reorder rules. Each service is one transaction on the locked request."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaidan.core import audit, numbering
from kaidan.core.errors import NotFound, StaleEdit
from kaidan.core.money import plain_number
from kaidan.core.parsing import Errors, parse_date
from kaidan.core.roles import Capability
from kaidan.inventory import replenishment, services, states
from kaidan.inventory.locks import lock_levels, lock_request
from kaidan.inventory.models import ReorderRule, ReplenishmentRequest
from kaidan.inventory.validation import (
    ItemInput,
    check_fields,
    check_id,
    check_product,
    check_quantity,
    check_text,
    check_warehouse,
    load_products,
)

Status = ReplenishmentRequest.Status


def _locked(request_id: int, version: int | None, *, with_stock_row: bool = False) -> ReplenishmentRequest:
    """The request, locked. ``with_stock_row`` first locks its product × warehouse's stock row (the lock
    order is stock rows → requests → counters), for services that then post stock."""
    if with_stock_row:
        pair = ReplenishmentRequest.objects.filter(pk=request_id).values_list("product_id", "warehouse_id").first()
        if pair:
            lock_levels({pair}, create=True)
    request = lock_request(request_id)
    if request is None:
        raise NotFound()
    if version is not None and int(version) != request.version:
        raise StaleEdit()
    return request


def _move(request: ReplenishmentRequest, target: str, action: str, *, actor, **fields: Any) -> None:
    states.check_transition(request.status, target)
    before = {"status": request.status}
    request.status = target
    request.version += 1
    for name, value in fields.items():
        setattr(request, name, value)
    request.save()
    audit.record(request, action, actor=actor, before=before,
                 after={"status": target, **{k: str(v) for k, v in fields.items() if k != "receipt"}})


REQUEST_FIELDS = {"product_id", "warehouse_id", "quantity", "notes"}
REQUEST_NOTES_MAX = 400  # ReplenishmentRequest.notes


@transaction.atomic
def create_request(*, actor, data: dict[str, Any]) -> ReplenishmentRequest:
    """Ask purchasing for a quantity by hand; it is added to the product × warehouse's open request
    if there is one. Raises Forbidden, ValidationFailed."""
    services.require(actor, Capability.REQUEST_REPLENISHMENT)
    errors = Errors()
    check_fields(data, REQUEST_FIELDS, errors)
    warehouse = check_warehouse(data, errors)
    product = check_product(data.get("product_id"), load_products([data.get("product_id")]), errors, "product_id")
    quantity = check_quantity(data.get("quantity"), product, errors, "quantity")
    notes = check_text(data, "notes", errors, limit=REQUEST_NOTES_MAX)
    errors.raise_if_any()
    lock_levels({(product.pk, warehouse.pk)}, create=True)
    return replenishment.ensure_request((product.pk, warehouse.pk), quantity, source=ReplenishmentRequest.Source.MANUAL,
                                        actor=actor, add=True, notes=notes)


ORDERED_FIELDS = {"expected_date", "supplier", "purchase_reference", "quantity"}


@transaction.atomic
def mark_ordered(*, actor, request_id: int, version: int | None = None,
                 data: dict[str, Any]) -> ReplenishmentRequest:
    """Purchasing placed the order with a supplier: the expected date is required (promise dates are
    computed from it); the quantity may be changed. Raises NotFound, Forbidden, StaleEdit,
    InvalidTransition, ValidationFailed."""
    services.require(actor, Capability.MANAGE_REPLENISHMENT)
    request = _locked(request_id, version)
    errors = Errors()
    check_fields(data, ORDERED_FIELDS, errors)
    expected = parse_date(data.get("expected_date"), errors=errors, field="expected_date")
    if expected is None and "expected_date" not in errors.fields:
        errors.add("expected_date", _("Enter the date the goods are expected."))
    elif expected and expected < timezone.localdate():
        errors.add("expected_date", _("The expected date cannot be in the past."))
    quantity = request.quantity
    if data.get("quantity") not in (None, ""):
        quantity = check_quantity(data["quantity"], request.product, errors, "quantity")
    texts = {name: check_text(data, name, errors) for name in ("supplier", "purchase_reference")}
    errors.raise_if_any()
    _move(request, Status.ORDERED, "ordered", actor=actor, expected_date=expected, quantity=quantity,
          ordered_at=timezone.now(), **texts)
    return request


RECEIVE_FIELDS = {"quantity", "reference", "notes"}


@transaction.atomic
def receive_request(*, actor, request_id: int, version: int | None = None,
                    data: dict[str, Any] | None = None) -> ReplenishmentRequest:
    """The goods came: post a goods receipt for the quantity received (default: what was asked),
    which reserves waiting backorders. When fewer arrive than were ordered, the rest stays on order
    as a new request with the same supplier, purchase order and expected date, so incoming stock and
    promise dates stay right. Raises NotFound, Forbidden, StaleEdit, InvalidTransition,
    ValidationFailed."""
    services.require(actor, Capability.CHANGE_STOCK)
    data = data or {}
    request = _locked(request_id, version, with_stock_row=True)
    states.check_transition(request.status, Status.RECEIVED)
    errors = Errors()
    check_fields(data, RECEIVE_FIELDS, errors)
    quantity = request.quantity
    if data.get("quantity") not in (None, ""):
        quantity = check_quantity(data["quantity"], request.product, errors, "quantity")
    texts = {name: check_text(data, name, errors) for name in ("reference", "notes")}
    if not request.warehouse.active:
        errors.add("warehouse_id", _("Choose an active warehouse."))
    errors.raise_if_any()
    receipt = services.receive([ItemInput(request.product, quantity=quantity)], warehouse=request.warehouse,
                               actor=actor, supplier=request.supplier,
                               reference=texts["reference"] or request.purchase_reference or request.number,
                               notes=texts["notes"])
    was_ordered, rest = request.status == Status.ORDERED, request.quantity - quantity
    _move(request, Status.RECEIVED, "received", actor=actor, received_quantity=quantity, receipt=receipt,
          received_at=timezone.now())
    if was_ordered and rest > 0:
        _still_on_order(request, rest, actor=actor)
    return request


def _still_on_order(received: ReplenishmentRequest, rest, *, actor) -> ReplenishmentRequest:
    remainder = ReplenishmentRequest(
        product=received.product, warehouse=received.warehouse, quantity=rest, status=Status.ORDERED,
        source=received.source, supplier=received.supplier, purchase_reference=received.purchase_reference,
        expected_date=received.expected_date, ordered_at=received.ordered_at, created_by=actor,
        notes=(_("Rest of %(number)s") % {"number": received.number})[:400])
    remainder.number = numbering.next_number("replenishment")
    remainder.save()
    audit.record(remainder, "created", actor=actor, after={"quantity": plain_number(rest), "status": Status.ORDERED,
                                                           "rest_of": received.number})
    return remainder


@transaction.atomic
def cancel_request(*, actor, request_id: int, version: int | None = None) -> ReplenishmentRequest:
    """Raises NotFound, Forbidden, StaleEdit, InvalidTransition."""
    services.require(actor, Capability.MANAGE_REPLENISHMENT)
    request = _locked(request_id, version)
    _move(request, Status.CANCELLED, "cancelled", actor=actor)
    return request


RULE_FIELDS = {"product_id", "warehouse_id", "min_level", "max_level", "active"}


@transaction.atomic
def save_rule(*, actor, data: dict[str, Any], rule_id: int | None = None,
              version: int | None = None) -> ReorderRule:
    """Create or change a min/max reorder rule; if the stock is already below the new minimum a
    request is raised at once. Raises NotFound, Forbidden, StaleEdit, ValidationFailed."""
    services.require(actor, Capability.MANAGE_REPLENISHMENT)
    errors = Errors()
    check_fields(data, RULE_FIELDS, errors)
    if rule_id is None:
        rule = ReorderRule()
        product = check_product(data.get("product_id"), load_products([data.get("product_id")]), errors, "product_id")
        warehouse = check_warehouse(data, errors)
        if product and warehouse:
            if ReorderRule.objects.filter(product=product, warehouse=warehouse).exists():
                errors.add("product_id", _("This product already has a rule in this warehouse."))
            rule.product, rule.warehouse = product, warehouse
    else:
        rule = ReorderRule.objects.select_for_update().select_related("product__unit").filter(pk=rule_id).first()
        if rule is None:
            raise NotFound()
        if version is not None and int(version) != rule.version:
            raise StaleEdit()
        for name in ("product_id", "warehouse_id"):
            if name in data and check_id(data[name], Errors(), name) != getattr(rule, name):
                errors.add(name, _("A rule cannot move to another product or warehouse; add a new one."))
        product = rule.product
    before = {"min_level": plain_number(rule.min_level) if rule.pk else None,
              "max_level": plain_number(rule.max_level) if rule.pk else None, "active": rule.active}
    for name in ("min_level", "max_level"):
        if name in data or rule.pk is None:
            value = check_quantity(data.get(name), product, errors, name, allow_zero=True)
            if value is not None:
                setattr(rule, name, value)
    if "active" in data:
        if not isinstance(data["active"], bool):
            errors.add("active", _("Say yes or no."))
        else:
            rule.active = data["active"]
    if "min_level" not in errors.fields and "max_level" not in errors.fields and rule.max_level is not None:
        if rule.max_level <= 0:
            errors.add("max_level", _("Enter a maximum greater than 0."))
        elif rule.min_level is not None and rule.max_level < rule.min_level:
            errors.add("max_level", _("The maximum cannot be below the minimum."))
    errors.raise_if_any()
    if rule.pk:
        rule.version += 1
    rule.save()
    audit.record(rule, "saved", actor=actor, before=before,
                 after={"min_level": plain_number(rule.min_level), "max_level": plain_number(rule.max_level),
                        "active": rule.active})
    replenishment.review({(rule.product_id, rule.warehouse_id)}, actor=actor)
    return rule


@transaction.atomic
def delete_rule(*, actor, rule_id: int) -> None:
    services.require(actor, Capability.MANAGE_REPLENISHMENT)
    rule = ReorderRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound()
    audit.record(rule, "deleted", actor=actor, before={"min_level": plain_number(rule.min_level),
                                                       "max_level": plain_number(rule.max_level)})
    rule.delete()
