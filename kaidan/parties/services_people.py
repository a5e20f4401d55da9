"""Writes of a customer's addresses and contacts. Each locks the customer first (document before
lines), keeps "one default per kind" / "one primary contact" true, and audits on the customer."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kaidan.core import audit
from kaidan.core.errors import Forbidden, NotFound, ValidationFailed
from kaidan.core.roles import Capability, has_capability
from kaidan.core.services import full_clean_or_raise, reject_unknown_fields
from kaidan.parties.models import Address, Contact, Customer
from kaidan.parties.services import visible_locked_customer

ADDRESS_FIELDS = ["kind", "is_default", "province", "city", "district", "street", "postcode", "recipient", "phone"]
CONTACT_FIELDS = ["name", "title", "mobile", "phone", "email", "is_primary"]


def _editable_customer(actor, customer_id: int) -> Customer:
    customer = visible_locked_customer(actor, customer_id)
    if not has_capability(actor, Capability.CHANGE_CUSTOMER):
        raise Forbidden()
    return customer


def _apply(instance, data: dict[str, Any], allowed: list[str]) -> None:
    reject_unknown_fields(data, allowed)
    for name, value in data.items():
        setattr(instance, name, value.strip() if isinstance(value, str) else value)


def _keep_one_default(address: Address) -> None:
    siblings = Address.objects.filter(customer_id=address.customer_id, kind=address.kind).exclude(pk=address.pk)
    if address.is_default:
        siblings.filter(is_default=True).update(is_default=False)
    elif not siblings.filter(is_default=True).exists():
        address.is_default = True  # the only address of its kind is the default


def _promote_after_removal(customer_id: int, kind: str) -> None:
    remaining = Address.objects.filter(customer_id=customer_id, kind=kind).order_by("id")
    if remaining.exists() and not remaining.filter(is_default=True).exists():
        remaining.filter(pk=remaining.first().pk).update(is_default=True)


@transaction.atomic
def save_address(*, actor, customer_id: int, data: dict[str, Any], address_id: int | None = None) -> Address:
    """Add (address_id None) or edit an address. Raises NotFound, Forbidden, ValidationFailed."""
    customer = _editable_customer(actor, customer_id)
    address = Address(customer=customer) if address_id is None else \
        Address.objects.filter(customer=customer, pk=address_id).first()
    if address is None:
        raise NotFound()
    before = audit.snapshot(address, ADDRESS_FIELDS) if address.pk else None
    old_kind = address.kind
    _apply(address, data, ADDRESS_FIELDS)
    full_clean_or_raise(address, exclude=["customer"])
    _keep_one_default(address)
    address.save()
    if before and old_kind != address.kind:
        _promote_after_removal(customer.pk, old_kind)
    audit.record(customer, "address_saved", actor=actor, before=before, after=audit.snapshot(address, ADDRESS_FIELDS))
    return address


@transaction.atomic
def delete_address(*, actor, customer_id: int, address_id: int) -> None:
    """Remove an address; the next one of its kind becomes the default. Raises NotFound, Forbidden."""
    customer = _editable_customer(actor, customer_id)
    address = Address.objects.filter(customer=customer, pk=address_id).first()
    if address is None:
        raise NotFound()
    before = audit.snapshot(address, ADDRESS_FIELDS)
    address.delete()
    _promote_after_removal(customer.pk, before["kind"])
    audit.record(customer, "address_deleted", actor=actor, before=before)


@transaction.atomic
def save_contact(*, actor, customer_id: int, data: dict[str, Any], contact_id: int | None = None) -> Contact:
    """Add (contact_id None) or edit a contact. Raises NotFound, Forbidden, ValidationFailed."""
    customer = _editable_customer(actor, customer_id)
    contact = Contact(customer=customer) if contact_id is None else \
        Contact.objects.filter(customer=customer, pk=contact_id).first()
    if contact is None:
        raise NotFound()
    before = audit.snapshot(contact, CONTACT_FIELDS) if contact.pk else None
    _apply(contact, data, CONTACT_FIELDS)
    contact.email = contact.email.lower()
    if not (contact.mobile or contact.phone or contact.email):
        raise ValidationFailed.for_field("mobile", _("Give at least a mobile, a phone or an email."))
    full_clean_or_raise(contact, exclude=["customer"])
    others = Contact.objects.filter(customer=customer).exclude(pk=contact.pk)
    if contact.is_primary:
        others.filter(is_primary=True).update(is_primary=False)
    elif not others.filter(is_primary=True).exists():
        contact.is_primary = True
    contact.save()
    audit.record(customer, "contact_saved", actor=actor, before=before, after=audit.snapshot(contact, CONTACT_FIELDS))
    return contact


@transaction.atomic
def delete_contact(*, actor, customer_id: int, contact_id: int) -> None:
    """Remove a contact. Raises NotFound, Forbidden."""
    customer = _editable_customer(actor, customer_id)
    contact = Contact.objects.filter(customer=customer, pk=contact_id).first()
    if contact is None:
        raise NotFound()
    before = audit.snapshot(contact, CONTACT_FIELDS)
    contact.delete()
    remaining = Contact.objects.filter(customer=customer).order_by("id")
    if remaining.exists() and not remaining.filter(is_primary=True).exists():
        remaining.filter(pk=remaining.first().pk).update(is_primary=True)
    audit.record(customer, "contact_deleted", actor=actor, before=before)


def _prefixed(exc: ValidationFailed, prefix: str) -> ValidationFailed:
    return ValidationFailed({f"{prefix}.{name}": msgs for name, msgs in exc.fields.items()})


@transaction.atomic
def create_customer_with_people(*, actor, data: dict[str, Any], addresses=(), contacts=()) -> Customer:
    """Create a customer with its addresses and contacts, all or nothing; errors name the item,
    e.g. "addresses.1.postcode". Raises what create_customer, save_address and save_contact raise."""
    from kaidan.parties.services import create_customer

    customer = create_customer(actor=actor, data=data)
    for index, address in enumerate(addresses):
        try:
            save_address(actor=actor, customer_id=customer.pk, data=address)
        except ValidationFailed as exc:
            raise _prefixed(exc, f"addresses.{index}") from None
    for index, contact in enumerate(contacts):
        try:
            save_contact(actor=actor, customer_id=customer.pk, data=contact)
        except ValidationFailed as exc:
            raise _prefixed(exc, f"contacts.{index}") from None
    return customer
