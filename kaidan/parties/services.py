"""Writes of customers: create, edit, status changes, delete. Each is one transaction: lock the
customer, re-check visibility and permissions, write, audit. Addresses and contacts: see
services_people.py."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from kaidan.core import audit, numbering
from kaidan.core.errors import Conflict, Forbidden, NotFound, StaleEdit, ValidationFailed
from kaidan.core.roles import Capability, has_capability
from kaidan.core.search import search_text
from kaidan.core.services import full_clean_or_raise, reject_unknown_fields
from kaidan.parties import locks, states
from kaidan.parties.models import Customer
from kaidan.parties.selectors import customers_visible_to

EDITABLE_FIELDS = ["code", "name", "short_name", "kind", "uscc", "group_id", "owner_id", "payment_term_id",
                   "credit_limit", "credit_control", "currency", "allow_partial_shipment", "notes", "invoice_title",
                   "tax_address", "tax_phone", "bank_name", "bank_account"]
SNAPSHOT_FIELDS = [f.removesuffix("_id") for f in EDITABLE_FIELDS] + ["status", "blocked_reason"]
# Model validation names foreign keys without "_id"; the API and forms use the "_id" names.
FK_NAMES = {"group": "group_id", "owner": "owner_id", "payment_term": "payment_term_id"}


def _clean(customer: Customer, *, exclude: list[str] | None = None) -> None:
    try:
        full_clean_or_raise(customer, exclude=exclude)
    except ValidationFailed as exc:
        raise ValidationFailed({FK_NAMES.get(k, k): v for k, v in exc.fields.items()}) from None


def _check_fields(data: dict[str, Any]) -> None:
    reject_unknown_fields(data, EDITABLE_FIELDS)
    if "credit_limit" in data:
        try:
            data["credit_limit"] = Decimal(str(data["credit_limit"]))
        except InvalidOperation:
            raise ValidationFailed.for_field("credit_limit", _("Enter a number, e.g. \"12.50\".")) from None


def _check_uscc_free(customer: Customer) -> None:
    if customer.uscc and Customer.objects.exclude(pk=customer.pk).filter(uscc=customer.uscc).exists():
        raise ValidationFailed.for_field("uscc", _("Another customer already has this unified social credit code."))


def _save(customer: Customer) -> None:
    """Save; a code or credit code taken by a concurrent request becomes a field error, not a 500."""
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        raise ValidationFailed.for_field("code", _("This code or credit code was just taken; try again.")) from None


def _normalize(customer: Customer) -> None:
    customer.code = (customer.code or "").strip()
    customer.uscc = (customer.uscc or "").strip().upper()
    customer.invoice_title = customer.invoice_title or customer.name
    customer.search_text = search_text(customer.code, customer.name, customer.short_name, customer.uscc)


def _guard_privileged_fields(actor, old_limit: Decimal, old_owner: int | None, after: Customer,
                             old_control: str = Customer.CreditControl.WARN) -> None:
    """Credit limits and credit control need SET_CREDIT_LIMIT; owning customers for others needs
    VIEW_ALL_CUSTOMERS."""
    errors = {}
    if after.credit_limit != old_limit and not has_capability(actor, Capability.SET_CREDIT_LIMIT):
        errors["credit_limit"] = [_("Only a sales manager or finance may set the credit limit.")]
    if after.credit_control != old_control and not has_capability(actor, Capability.SET_CREDIT_LIMIT):
        errors["credit_control"] = [_("Only a sales manager or finance may change credit control.")]
    if after.owner_id != old_owner and not has_capability(actor, Capability.VIEW_ALL_CUSTOMERS):
        errors["owner_id"] = [_("Only a sales manager may give a customer to another salesperson.")]
    if errors:
        raise ValidationFailed(errors)


def visible_locked_customer(actor, customer_id: int) -> Customer:
    """Lock the customer and make sure the actor may see it (NotFound otherwise, so nothing leaks)."""
    customer = locks.lock_customer(customer_id)
    if customer is None or not customers_visible_to(actor).filter(pk=customer_id).exists():
        raise NotFound()
    return customer


@transaction.atomic
def create_customer(*, actor, data: dict[str, Any]) -> Customer:
    """Create a customer, numbered from the "customer" series unless a code is given.
    Raises Forbidden, ValidationFailed."""
    if not has_capability(actor, Capability.ADD_CUSTOMER):
        raise Forbidden()
    data = dict(data)
    _check_fields(data)
    customer = Customer(owner_id=actor.pk)
    for name, value in data.items():
        setattr(customer, name, value)
    if customer.owner_id is None:
        customer.owner_id = actor.pk
    _guard_privileged_fields(actor, Decimal("0"), actor.pk, customer)
    _normalize(customer)
    _check_uscc_free(customer)
    _clean(customer, exclude=["code", "version"] if not customer.code else ["version"])
    if not customer.code:
        customer.code = numbering.next_number("customer")  # taken last: counters come after documents
        _normalize(customer)
    _save(customer)
    audit.record(customer, "created", actor=actor, after=audit.snapshot(customer, SNAPSHOT_FIELDS))
    return customer


@transaction.atomic
def update_customer(*, actor, customer_id: int, version: int, data: dict[str, Any]) -> Customer:
    """Edit a customer as it was at ``version``. Raises NotFound, Forbidden, StaleEdit, ValidationFailed."""
    customer = visible_locked_customer(actor, customer_id)
    if not has_capability(actor, Capability.CHANGE_CUSTOMER):
        raise Forbidden()
    if customer.version != version:
        raise StaleEdit(current_version=customer.version, current=audit.snapshot(customer, SNAPSHOT_FIELDS))
    data = dict(data)
    _check_fields(data)
    old_limit, old_owner, old_control = customer.credit_limit, customer.owner_id, customer.credit_control
    before = audit.snapshot(customer, SNAPSHOT_FIELDS)
    for name, value in data.items():
        setattr(customer, name, value)
    _guard_privileged_fields(actor, old_limit, old_owner, customer, old_control)
    _normalize(customer)
    _check_uscc_free(customer)
    _clean(customer, exclude=["version"])
    after = audit.snapshot(customer, SNAPSHOT_FIELDS)
    if after == before:
        return customer
    customer.version += 1
    _save(customer)
    audit.record(customer, "updated", actor=actor, before=before, after=after)
    return customer


@transaction.atomic
def set_customer_status(*, actor, customer_id: int, status: str, reason: str = "") -> Customer:
    """Block (with a reason), unblock, deactivate or reactivate. Raises NotFound, Forbidden,
    InvalidTransition, ValidationFailed."""
    customer = visible_locked_customer(actor, customer_id)
    needed = Capability.SET_CREDIT_LIMIT if Customer.Status.BLOCKED in (status, customer.status) \
        else Capability.CHANGE_CUSTOMER
    if not has_capability(actor, needed):
        raise Forbidden()
    states.check_transition(customer.status, status)
    reason = (reason or "").strip()
    if status == Customer.Status.BLOCKED and not reason:
        raise ValidationFailed.for_field("reason", _("Say why the customer is blocked."))
    if len(reason) > 200:
        raise ValidationFailed.for_field("reason", _("Enter at most 200 characters."))
    before = audit.snapshot(customer, ["status", "blocked_reason"])
    customer.status = status
    customer.blocked_reason = reason if status == Customer.Status.BLOCKED else ""
    customer.version += 1
    customer.save(update_fields=["status", "blocked_reason", "version", "updated_at"])
    action = {"blocked": "blocked", "inactive": "deactivated", "active": "activated"}[status]
    audit.record(customer, action, actor=actor, before=before,
                 after=audit.snapshot(customer, ["status", "blocked_reason"]))
    return customer


@transaction.atomic
def delete_customer(*, actor, customer_id: int) -> None:
    """Delete a customer nothing refers to. Raises NotFound, Forbidden, Conflict (naming what refers to it)."""
    customer = visible_locked_customer(actor, customer_id)
    if not has_capability(actor, Capability.CHANGE_CUSTOMER):
        raise Forbidden()
    snapshot = audit.snapshot(customer, SNAPSHOT_FIELDS)
    try:
        with transaction.atomic():
            customer_pk = customer.pk
            customer.delete()
    except ProtectedError as exc:
        kinds = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
        raise Conflict(_("This customer is used by %(what)s; deactivate it instead.") % {"what": ", ".join(kinds)},
                       referenced_by=kinds) from None
    customer.pk = customer_pk
    audit.record(customer, "deleted", actor=actor, before=snapshot)
