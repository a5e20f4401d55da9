"""State changes of quotations and orders, each one transaction on the locked document:
submit (which confirms at once unless an approval rule applies), confirm, send a quotation, cancel,
revise, convert a quotation into an order, copy. The transition table is in states.py; the approvals
app decides through ``approval_gate`` and finishes with ``confirm_approved`` / ``return_rejected``."""

from __future__ import annotations

import functools

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaidan.core import audit
from kaidan.core.errors import Conflict, ValidationFailed
from kaidan.core.money import plain_number
from kaidan.inventory import replenishment
from kaidan.inventory.reservations import InsufficientStock
from kaidan.parties.models import Customer
from kaidan.sales import approval_gate, fulfilment, states, stock
from kaidan.sales.models import SalesOrder
from kaidan.sales.services import (
    _require_change,
    check_version,
    create_document,
    locked_visible_order,
)
from kaidan.sales.states import Kind, Status

CANCEL_REASON_MAX = 200


def _move(order: SalesOrder, target: str, action: str, *, actor, extra: dict | None = None,
          edit: bool = True) -> None:
    """Check the table, change the state, bump the version and record it. ``edit=False`` for moves an
    approver makes, which do not make them the order's last editor."""
    states.check_transition(order.kind, order.status, target)
    before = {"status": order.status, "version": order.version}
    order.status = target
    order.version += 1
    if edit:
        order.last_edited_by = actor
    for name, value in (extra or {}).items():
        setattr(order, name, value)
    order.save()
    after = {"status": order.status, "version": order.version,
             **{k: None if v is None else str(v) for k, v in (extra or {}).items()}}
    audit.record(order, action, actor=actor, before=before, after=after)


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > CANCEL_REASON_MAX:
        raise ValidationFailed.for_field("reason", _("Enter at most %(max)d characters.") % {"max": CANCEL_REASON_MAX})
    return reason


def _check_submittable(order: SalesOrder) -> None:
    if order.line_count == 0:
        raise ValidationFailed.for_field("lines", _("Add at least one line first."))
    customer = order.customer  # loaded with the locked order
    if customer.status == Customer.Status.BLOCKED and approval_gate.accepts_blocked_customer():
        return  # an approval rule for blocked customers decides instead
    if customer.status != Customer.Status.ACTIVE:
        raise Conflict(_("Customer %(name)s is %(status)s (%(reason)s); orders for it cannot be submitted.")
                       % {"name": customer.name, "status": customer.get_status_display(),
                          "reason": customer.blocked_reason or "-"}, customer_status=customer.status)


def asking_purchasing_when_short(service):
    """Run a confirming service; if it was refused for lack of stock (its transaction rolled back,
    nothing reserved), ask purchasing for what was missing in a transaction of its own, then
    re-raise so the user sees the shortage."""
    @functools.wraps(service)
    def run(*, actor, **kwargs):
        try:
            return service(actor=actor, **kwargs)
        except InsufficientStock as exc:
            replenishment.request_for_refused_order(exc.demand, actor=actor)
            raise
    return run


@asking_purchasing_when_short
@transaction.atomic
def submit_order(*, actor, order_id: int, version: int | None = None) -> SalesOrder:
    """Submit a draft order: its prices and totals are frozen; the approval rules are evaluated and the
    order either waits for approval or is confirmed at once (stock reserved). Raises NotFound,
    Forbidden, StaleEdit, InvalidTransition, Conflict (InsufficientStock, credit blocked),
    ValidationFailed."""
    _require_change(actor)
    order = locked_visible_order(actor, order_id)
    check_version(order, version)
    states.check_transition(order.kind, order.status, Status.SUBMITTED)
    _check_submittable(order)
    editor_id = order.last_edited_by_id
    _move(order, Status.SUBMITTED, "submitted", actor=actor, extra={"submitted_at": timezone.now()})
    _approve_or_confirm(order, actor=actor, editor_id=editor_id)
    return order


def _approve_or_confirm(order: SalesOrder, *, actor, editor_id: int) -> None:
    if approval_gate.route(order, actor=actor, editor_id=editor_id):
        _move(order, Status.PENDING_APPROVAL, "pending_approval", actor=actor)
    else:
        _confirm(order, actor=actor)


def _confirm(order: SalesOrder, *, actor, edit: bool = True) -> None:
    """Confirm and reserve: every line in full, or (partial shipment allowed) what is in stock with the
    rest as a backorder that a later receipt fills."""
    held = stock.reserve(order)
    _move(order, Status.CONFIRMED, "confirmed", actor=actor, extra={"confirmed_at": timezone.now()}, edit=edit)
    waiting = [[r.line_id, plain_number(r.backordered)] for r in held if r.backordered > 0]
    if waiting:
        audit.record(order, "backordered", actor=actor, after={"lines": waiting})


@asking_purchasing_when_short
@transaction.atomic
def confirm_order(*, actor, order_id: int, version: int | None = None) -> SalesOrder:
    """Confirm a submitted order — through the approval rules, like submitting: an order that needs
    approval waits, and one waiting is confirmed only by its last approver. Raises NotFound,
    Forbidden, StaleEdit, InvalidTransition, Conflict."""
    _require_change(actor)
    order = locked_visible_order(actor, order_id)
    check_version(order, version)
    if order.status == Status.PENDING_APPROVAL:
        raise Conflict(_("This order is waiting for approval; it is confirmed when the last approver approves."),
                       status=order.status)
    states.check_transition(order.kind, order.status, Status.CONFIRMED)
    _check_submittable(order)
    _approve_or_confirm(order, actor=actor, editor_id=order.last_edited_by_id)
    return order


def confirm_approved(order: SalesOrder, *, actor) -> None:
    """The last approver approved: confirm and reserve (the caller holds the order's lock)."""
    _confirm(order, actor=actor, edit=False)


def return_rejected(order: SalesOrder, *, actor) -> None:
    """An approver rejected: back to draft (the caller holds the lock and records the comment)."""
    _move(order, Status.DRAFT, "returned_to_draft", actor=actor, edit=False,
          extra={"submitted_at": None, "confirmed_at": None})


@transaction.atomic
def send_quotation(*, actor, order_id: int, version: int | None = None) -> SalesOrder:
    """Mark a draft quotation as sent to the customer; its lines are then locked.
    Raises NotFound, Forbidden, StaleEdit, InvalidTransition, ValidationFailed."""
    _require_change(actor)
    order = locked_visible_order(actor, order_id)
    check_version(order, version)
    states.check_transition(order.kind, order.status, Status.SENT)
    if order.line_count == 0:
        raise ValidationFailed.for_field("lines", _("Add at least one line first."))
    _move(order, Status.SENT, "sent", actor=actor)
    return order


@transaction.atomic
def cancel_document(*, actor, order_id: int, reason: str = "", version: int | None = None) -> SalesOrder:
    """Cancel a quotation or an order that has shipped nothing. Raises NotFound, Forbidden, StaleEdit,
    InvalidTransition, Conflict, ValidationFailed."""
    _require_change(actor)
    order = locked_visible_order(actor, order_id)
    check_version(order, version)
    reason = _clean_reason(reason)
    states.check_transition(order.kind, order.status, Status.CANCELLED)
    if order.fulfilment_status != states.FulfilmentStatus.NOT_SHIPPED:
        raise Conflict(_("Goods of this order have shipped; it cannot be cancelled."))
    fulfilment.refuse_if_shipping(order, cancelling=True)
    _move(order, Status.CANCELLED, "cancelled", actor=actor,
          extra={"cancelled_at": timezone.now(), "cancel_reason": reason})
    approval_gate.withdraw(order, actor=actor, why="cancelled")
    stock.release(order)
    return order


@transaction.atomic
def revise_document(*, actor, order_id: int, reason: str = "", version: int | None = None) -> SalesOrder:
    """Return a submitted or confirmed order (or a sent quotation) to draft so it can be changed;
    the revision number goes up and the audit trail says why. Raises NotFound, Forbidden, StaleEdit,
    InvalidTransition, Conflict, ValidationFailed."""
    _require_change(actor)
    order = locked_visible_order(actor, order_id)
    check_version(order, version)
    reason = _clean_reason(reason)
    states.check_transition(order.kind, order.status, Status.DRAFT)
    if order.fulfilment_status != states.FulfilmentStatus.NOT_SHIPPED:
        raise Conflict(_("Goods of this order have shipped; it cannot be revised."))
    fulfilment.refuse_if_shipping(order, cancelling=False)
    _move(order, Status.DRAFT, "revised", actor=actor,
          extra={"revision": order.revision + 1, "confirmed_at": None, "submitted_at": None})
    approval_gate.withdraw(order, actor=actor, why="revised")
    if reason:
        audit.record(order, "revise_reason", actor=actor, after={"reason": reason, "revision": order.revision})
    return order


def _line_data(order: SalesOrder, *, keep_prices: bool) -> list[dict]:
    lines = order.lines.filter(is_free=False).order_by("position")
    return [{"product_id": line.product_id, "quantity": line.quantity, "discount_percent": line.discount_percent,
             "unit_price": line.manual_unit_price, "description": line.description,
             "requested_date": line.requested_date if keep_prices else None} for line in lines]


def _header_data(order: SalesOrder) -> dict:
    return {"customer_id": order.customer_id, "contact_id": order.contact_id,
            "billing_address_id": order.billing_address_id, "shipping_address_id": order.shipping_address_id,
            "salesperson_id": order.salesperson_id, "warehouse_id": order.warehouse_id, "currency": order.currency,
            "payment_term_id": order.payment_term_id, "price_list_id": order.price_list_id,
            "customer_po": order.customer_po, "prices_include_tax": order.prices_include_tax,
            "allow_partial_shipment": order.allow_partial_shipment, "notes": order.notes}


@transaction.atomic
def convert_quotation(*, actor, quotation_id: int, version: int | None = None) -> SalesOrder:
    """Make a draft order from a quotation: same customer, lines and prices (priced as of the
    quotation's date); the order keeps the link and the quotation becomes "converted".
    Raises NotFound, Forbidden, StaleEdit, InvalidTransition, Conflict."""
    _require_change(actor)
    quotation = locked_visible_order(actor, quotation_id)
    check_version(quotation, version)
    if quotation.kind != Kind.QUOTATION:
        raise Conflict(_("Only a quotation can be converted into an order."))
    if quotation.status == Status.DRAFT:
        _move(quotation, Status.SENT, "sent", actor=actor)
    states.check_transition(quotation.kind, quotation.status, Status.CONVERTED)
    today = timezone.localdate()
    if quotation.valid_until and quotation.valid_until < today:
        raise Conflict(_("This quotation expired on %(date)s; copy it into a new quotation instead.")
                       % {"date": quotation.valid_until.isoformat()})
    order = create_document(actor=actor, kind=Kind.ORDER, data={**_header_data(quotation), "order_date": today},
                            lines=_line_data(quotation, keep_prices=True), quotation=quotation)
    _move(quotation, Status.CONVERTED, "converted", actor=actor)
    audit.record(order, "converted", actor=actor, after={"quotation_number": quotation.number})
    return order


@transaction.atomic
def copy_document(*, actor, order_id: int, kind: str | None = None) -> SalesOrder:
    """A new draft with the same customer and lines, priced afresh as of today; approvals and states
    are not copied. Raises NotFound, Forbidden, ValidationFailed (e.g. a product no longer sold)."""
    _require_change(actor)
    source = locked_visible_order(actor, order_id)
    data = {**_header_data(source), "order_date": timezone.localdate()}
    copy = create_document(actor=actor, kind=kind or source.kind, data=data,
                           lines=_line_data(source, keep_prices=False), copied_from=source)
    audit.record(copy, "copied", actor=actor, after={"copied_from_number": source.number})
    return copy


